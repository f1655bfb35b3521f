/**
 * What protection a delivered message had, surfaced to the client with every message.
 * - 'ecmqv-session': sent inside a live ECMQV session (ecmqv.ts). Perfect forward secrecy: ephemeral keys
 *   are erased after the session, so a later theft of either static key does not open it.
 * - 'ecmqv-e2e': end to end between two AccountIDs through circuits and a rendezvous point (protocol/conversation),
 *   ECMQV C(2e, 2s) on the account keys with erased ephemerals: forward secret the same way.
 * - 'mqv-offline': from an offline mailbox (protocol/mailbox): one-pass MQV C(1e, 2s) to the recipient's static
 *   AccountID key, sender authenticated. Not forward secret, like 'ecies-offline'.
 * - 'ecies-offline': sealed to an offline recipient's static AccountID key (ecies.ts). No forward secrecy:
 *   whoever later steals that static private key can open every such message ever recorded.
 * - 'ik-one-shot': a request or reply between nodes without a session (protocol/session/one-shot.ts: Noise IK's
 *   first message, sender authenticated). Not forward secret against the responder's NodeID key until that key is
 *   rotated out and erased. Node-to-node traffic (DHT queries), never a user's message.
 */
export type MessageProtection =
  | { readonly pfs: true; readonly scheme: 'ecmqv-session' }
  | { readonly pfs: true; readonly scheme: 'ecmqv-e2e' }
  | { readonly pfs: false; readonly scheme: 'ecies-offline' }
  | { readonly pfs: false; readonly scheme: 'mqv-offline' }
  | { readonly pfs: false; readonly scheme: 'ik-one-shot' };

export const SESSION_PROTECTION: MessageProtection = Object.freeze({ pfs: true, scheme: 'ecmqv-session' });
export const OFFLINE_PROTECTION: MessageProtection = Object.freeze({ pfs: false, scheme: 'ecies-offline' });
export const ONE_SHOT_PROTECTION: MessageProtection = Object.freeze({ pfs: false, scheme: 'ik-one-shot' });

const DESCRIPTIONS: Record<MessageProtection['scheme'], string> = {
  'ecmqv-session': 'Forward secret: sent in a live session; stolen keys later cannot decrypt it.',
  'ecmqv-e2e': 'Forward secret, end to end: agreed with your contact through onion circuits; stolen keys later cannot decrypt it.',
  'mqv-offline':
    'Not forward secret: waited in your mailbox while you were offline; anyone who later steals your account key could decrypt it.',
  'ik-one-shot': "Not forward secret: a node's one-shot request or reply without a session; whoever later steals the answering node's NodeID key before it is rotated out could decrypt it.",
  'ecies-offline':
    'Not forward secret: sent while you were offline; anyone who later steals your account key could decrypt it.',
};

/** One line a client can show beside the message. */
export function describeProtection(p: MessageProtection): string {
  return DESCRIPTIONS[p.scheme];
}
