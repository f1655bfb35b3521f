/**
 * ConversationService with an offline mailbox over the real stack (OnionService circuits, DhtNode lookups):
 * a message to an account with no descriptor is sealed and stored ('stored', still pending), Bob comes back,
 * gets it once with pfs: false, and his end-to-end ack (a sealed letter in Alice's mailbox) gives Alice one final
 * outcome, delivered with offline: true. Quota refusals and expiry are outcomes too; stop() leaves no timer.
 */
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { ConversationService } from '../conversation/conversation-service.ts';
import type { ConversationConfig } from '../conversation/constants.ts';
import type { ConversationEvent, MessageEvent, OutcomeEvent, StoredEvent } from '../conversation/events.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import type { MailboxConfig } from './constants.ts';
import { mailboxKey } from './mailbox-key.ts';
import { MailboxOffline } from './offline-mailbox.ts';
import { mailboxNetwork, stopAll, type MailboxNode } from './testing/mailbox-net.ts';

const suite = nodeSuite;
const text = (s: string) => new TextEncoder().encode(s);

function party(node: MailboxNode, account: KeyPair, config: Partial<ConversationConfig> = {}) {
  const offline = new MailboxOffline(node.client, { suite, rng: node.net.rng.fork('offline'), clock: node.net.clock });
  const chat = new ConversationService(
    {
      clock: node.net.clock,
      rng: node.net.rng.fork('chat'),
      suite,
      account,
      // Bob is offline: his descriptor is gone, as AccountService.connect reports it.
      openChannel: (_pub, cb) => void node.net.clock.setTimer(50, () => cb({ ok: false, reason: 'no-descriptor' })),
      offline,
    },
    { offlinePollMs: 60_000, ...config },
  );
  const events: ConversationEvent[] = [];
  for (const kind of ['message', 'outcome', 'stored'] as const) chat.events.on(kind, (e) => events.push(e));
  return { chat, offline, events };
}

const MAILBOX: Partial<MailboxConfig> = { fetchPeriods: 1 };

describe('conversations with offline mailboxes', () => {
  it('Bob offline -> stored -> Bob back: delivered once with pfs:false -> Alice gets delivered (offline), exactly once', () => {
    const { net, nodes } = mailboxNetwork(12, MAILBOX, 'offline-conv');
    const rng = new SeededRng('offline-conv-accounts');
    const aliceKey = suite.generateKeyPair(rng.fork('alice'));
    const bobKey = suite.generateKeyPair(rng.fork('bob'));
    const alice = party(nodes[10], aliceKey);
    const id = alice.chat.send(bobKey.publicKey, text('see you tomorrow'));
    net.clock.advance(30_000);
    const stored = alice.events.filter((e): e is StoredEvent => e.kind === 'stored');
    expect(stored).toEqual([{ kind: 'stored', messageId: id, toAccountPub: bobKey.publicKey, replicas: 3 }]);
    expect(alice.events.filter((e) => e.kind === 'outcome')).toHaveLength(0);
    expect(alice.chat.pending()).toBe(1);
    net.clock.advance(120_000); // longer than the online messageTimeoutMs would have allowed

    const bob = party(nodes[4], bobKey);
    net.clock.advance(30_000);
    const got = bob.events.filter((e): e is MessageEvent => e.kind === 'message');
    expect(got).toHaveLength(1);
    expect(got[0].messageId).toBe(id);
    expect(new TextDecoder().decode(got[0].body)).toBe('see you tomorrow');
    expect(got[0].protection).toEqual({ pfs: false, scheme: 'mqv-offline' });
    expect(got[0].fromAccountPub).toEqual(aliceKey.publicKey);
    const bobKeyNow = mailboxKey(suite, bobKey.publicKey, 0);
    expect(nodes.filter((n) => n.service.store.list(bobKeyNow).length > 0)).toHaveLength(0);

    net.clock.advance(120_000); // Alice's next polls find Bob's ack; Bob's polls find nothing new
    const outcomes = alice.events.filter((e): e is OutcomeEvent => e.kind === 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].messageId).toBe(id);
    expect(outcomes[0].outcome.kind).toBe('delivered');
    expect(outcomes[0].outcome).toMatchObject({ offline: true });
    expect(alice.chat.pending()).toBe(0);
    expect(alice.chat.stats()).toMatchObject({ messagesStoredOffline: 1, deliveredOffline: 1 });
    expect(bob.chat.stats()).toMatchObject({ offlineMessagesReceived: 1, offlineAcksSent: 1 });
    expect(bob.events.filter((e) => e.kind === 'message')).toHaveLength(1);
    // Alice's mailbox (the ack) is empty too.
    const aliceBox = mailboxKey(suite, aliceKey.publicKey, 0);
    expect(nodes.filter((n) => n.service.store.list(aliceBox).length > 0)).toHaveLength(0);

    alice.chat.stop();
    bob.chat.stop();
    stopAll(nodes);
    for (const n of nodes) expect(n.net.clock.pending, n.net.name).toBe(0);
    for (const p of [alice, bob]) expect(p.offline.stats().dropped).toEqual({});
  });

  it('a flood from one sender ends in failed "quota" outcomes; another sender still stores', () => {
    const { net, nodes } = mailboxNetwork(10, { ...MAILBOX, maxItemsPerSender: 3, maxItemsPerMailbox: 8 }, 'offline-flood');
    const rng = new SeededRng('offline-flood-accounts');
    const bobKey = suite.generateKeyPair(rng.fork('bob'));
    const flooder = party(nodes[1], suite.generateKeyPair(rng.fork('flooder')));
    const carol = party(nodes[2], suite.generateKeyPair(rng.fork('carol')));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(flooder.chat.send(bobKey.publicKey, text(`spam ${i}`)));
      net.clock.advance(5_000);
    }
    net.clock.advance(30_000);
    const failed = flooder.events.filter((e): e is OutcomeEvent => e.kind === 'outcome');
    expect(flooder.events.filter((e) => e.kind === 'stored')).toHaveLength(3);
    expect(failed.map((e) => e.outcome)).toEqual(Array(3).fill({ kind: 'failed', reason: 'quota' }));
    expect(flooder.chat.stats().messagesFailed.quota).toBe(3);
    expect(flooder.chat.pending()).toBe(3);
    carol.chat.send(bobKey.publicKey, text('hello bob'));
    net.clock.advance(30_000);
    expect(carol.events.filter((e) => e.kind === 'stored')).toHaveLength(1);
    flooder.chat.stop();
    carol.chat.stop();
    // stop() ends every stored message with exactly one outcome: 'stopped'.
    expect(flooder.events.filter((e) => e.kind === 'outcome')).toHaveLength(6);
    expect(flooder.chat.pending()).toBe(0);
    stopAll(nodes);
    for (const n of nodes) expect(n.net.clock.pending, n.net.name).toBe(0);
  });

  it('a stored message whose recipient never comes back fails with "expired" after offlineExpiryMs', () => {
    const { net, nodes } = mailboxNetwork(8, { ...MAILBOX, expiryMs: 300_000, sweepMs: 10_000 }, 'offline-expiry');
    const rng = new SeededRng('offline-expiry-accounts');
    const bobKey = suite.generateKeyPair(rng.fork('bob'));
    const alice = party(nodes[1], suite.generateKeyPair(rng.fork('alice')), { offlineExpiryMs: 360_000 });
    const id = alice.chat.send(bobKey.publicKey, text('anyone there?'));
    net.clock.advance(30_000);
    expect(alice.events.filter((e) => e.kind === 'stored')).toHaveLength(1);
    net.clock.advance(400_000);
    const outcomes = alice.events.filter((e): e is OutcomeEvent => e.kind === 'outcome');
    expect(outcomes).toEqual([{ kind: 'outcome', messageId: id, toAccountPub: bobKey.publicKey, outcome: { kind: 'failed', reason: 'expired' } }]);
    expect(nodes.reduce((s, n) => s + n.service.stats().itemsExpired, 0)).toBe(3);
    alice.chat.stop();
    stopAll(nodes);
  });
});
