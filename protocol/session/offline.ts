/**
 * Messages for a recipient who is offline: ECIES to their static AccountID key (crypto/ecies.ts). No
 * handshake, so no forward secrecy, and the result says so: every opened message carries
 * `protection: { pfs: false, scheme: 'ecies-offline' }` for the client to show. These bytes travel later as
 * payloads (via mailboxes), inside ordinary fixed-size session packets.
 */
import { eciesOpen, eciesSeal } from '../crypto/ecies.ts';
import { OFFLINE_PROTECTION, type MessageProtection } from '../crypto/message-security.ts';
import { CryptoError, type CryptoSuite } from '../crypto/suite.ts';
import { decoded, rejected, type DecodeResult } from '../packet/errors.ts';
import type { Rng } from '../runtime/rng.ts';

export interface OfflineMessage {
  readonly body: Uint8Array;
  readonly protection: MessageProtection;
}

/** Seals `plaintext` to `recipientAccountPub`. Throws CryptoError('bad-point') for an invalid recipient key. */
export function sealOffline(suite: CryptoSuite, rng: Rng, recipientAccountPub: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  return eciesSeal(suite, rng, recipientAccountPub, plaintext, aad);
}

/**
 * Opens a sealed message with the recipient's AccountID private key. Never throws for bad input:
 * 'truncated' (shorter than the ECIES overhead), 'auth-failed' (tampered, wrong recipient, or not a curve
 * point where the ephemeral key should be). An invalid own private key is a programmer error and throws.
 */
export function openOffline(suite: CryptoSuite, recipientAccountPriv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): DecodeResult<OfflineMessage> {
  try {
    return decoded({ body: eciesOpen(suite, recipientAccountPriv, sealed, aad), protection: OFFLINE_PROTECTION });
  } catch (e) {
    if (!(e instanceof CryptoError) || e.code === 'bad-scalar') throw e;
    if (e.code === 'bad-length') return rejected('truncated', e.message);
    return rejected('auth-failed', e.message);
  }
}
