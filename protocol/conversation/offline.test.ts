/**
 * The offline path of ConversationService against an in-memory OfflineMailbox: when messages go to the mailbox,
 * exactly-once outcomes and deliveries, and what a receiver does with bad, duplicated and misdirected letters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../crypto/bytes.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { FakeClock } from '../dht/testing/fake-clock.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { ConversationService } from './conversation-service.ts';
import type { ConversationEvent, OutcomeEvent } from './events.ts';
import type { DepositResult, OfflineLetter, OfflineMailbox } from './offline.ts';
import { encodeOfflineAck, encodeOfflineMessage } from './offline-wire.ts';

const suite = nodeSuite;

/** Mailboxes by account hex; deposits answer after 10 ms; `refuse` makes deposits fail. */
class MemoryMailboxes {
  readonly boxes = new Map<string, OfflineLetter[]>();
  refuse: DepositResult | undefined;
  constructor(readonly clock: FakeClock) {}
  for(): OfflineMailbox {
    return {
      maxPayloadBytes: 900,
      deposit: (from, to, messageId, payload, cb) =>
        void this.clock.setTimer(10, () => {
          if (this.refuse) return cb(this.refuse);
          const box = this.boxes.get(toHex(to)) ?? [];
          box.push({ fromAccountPub: from.publicKey, messageId, payload });
          this.boxes.set(toHex(to), box);
          cb({ ok: true, replicas: 3 });
        }),
      collect: (account, cb) =>
        void this.clock.setTimer(10, () => {
          const box = this.boxes.get(toHex(account.publicKey)) ?? [];
          this.boxes.delete(toHex(account.publicKey));
          cb(box);
        }),
    };
  }
}

function setup(openReason: string | null = 'no-descriptor') {
  const clock = new FakeClock(0);
  const mail = new MemoryMailboxes(clock);
  const rng = new SeededRng('conv-offline');
  const make = (name: string, account: KeyPair) => {
    const chat = new ConversationService(
      { clock, rng: rng.fork(name), suite, account, openChannel: (_p, cb) => void (openReason !== null && clock.setTimer(5, () => cb({ ok: false, reason: openReason }))), offline: mail.for() },
      { offlinePollMs: 1_000, channelRetryMs: 10, maxChannelAttempts: 3, messageTimeoutMs: 3_000 },
    );
    const events: ConversationEvent[] = [];
    for (const k of ['message', 'outcome', 'stored'] as const) chat.events.on(k, (e) => events.push(e));
    return { chat, events, account };
  };
  const alice = make('alice', suite.generateKeyPair(rng.fork('a')));
  const bob = make('bob', suite.generateKeyPair(rng.fork('b')));
  return { clock, mail, alice, bob };
}

const outcomes = (events: ConversationEvent[]) => events.filter((e): e is OutcomeEvent => e.kind === 'outcome');

describe('ConversationService offline path', () => {
  it('after maxChannelAttempts (a reason not known as "offline") untransmitted messages go to the mailbox, then resolve once', () => {
    const { clock, alice, bob } = setup('intro-failed');
    const id = alice.chat.send(bob.account.publicKey, new Uint8Array([1, 2, 3]));
    clock.advance(500);
    expect(alice.events.map((e) => e.kind)).toEqual(['stored']);
    clock.advance(5_000);
    expect(bob.events.filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(outcomes(alice.events)).toEqual([{ kind: 'outcome', messageId: id, toAccountPub: bob.account.publicKey, outcome: { kind: 'delivered', latencyMs: expect.any(Number), offline: true } }]);
    alice.chat.stop();
    bob.chat.stop();
    expect(clock.pending).toBe(0);
  });

  it('a message still waiting for a channel when messageTimeoutMs fires goes to the mailbox instead of timing out', () => {
    const { clock, alice, bob } = setup(null); // openChannel never answers
    alice.chat.send(bob.account.publicKey, new Uint8Array([4]));
    clock.advance(3_100);
    expect(alice.events.map((e) => e.kind)).toEqual(['stored']);
    clock.advance(3_000);
    expect(outcomes(alice.events).map((e) => e.outcome)).toMatchObject([{ kind: 'delivered', offline: true }]);
    expect(alice.chat.pending()).toBe(0);
    alice.chat.stop();
    bob.chat.stop();
  });

  it('a refused deposit is an outcome: quota -> "quota", anything else -> "offline-store-failed"; too large -> failed at once', () => {
    const { clock, mail, alice, bob } = setup();
    mail.refuse = { ok: false, reason: 'quota' };
    alice.chat.send(bob.account.publicKey, new Uint8Array(10));
    clock.advance(100);
    mail.refuse = { ok: false, reason: 'timeout' };
    alice.chat.send(bob.account.publicKey, new Uint8Array(10));
    alice.chat.send(bob.account.publicKey, new Uint8Array(2_000)); // over maxPayloadBytes
    clock.advance(100);
    expect(outcomes(alice.events).map((e) => e.outcome)).toEqual([
      { kind: 'failed', reason: 'quota' },
      { kind: 'failed', reason: 'offline-store-failed' },
      { kind: 'failed', reason: 'offline-store-failed' },
    ]);
    expect(alice.chat.pending()).toBe(0);
    alice.chat.stop();
    bob.chat.stop();
  });

  it('a duplicated letter is delivered once but acked again; an ack from another account resolves nothing', () => {
    const { clock, mail, alice, bob } = setup();
    const id = alice.chat.send(bob.account.publicKey, new Uint8Array([9]));
    clock.advance(100);
    const box = mail.boxes.get(toHex(bob.account.publicKey))!;
    box.push(box[0]); // a holder replays it
    // Carol (any account) forges an ack for Alice's message: it names Carol as sender, not Bob.
    const carol = suite.generateKeyPair(new SeededRng('carol'));
    const idBytes = Uint8Array.from(Buffer.from(id, 'hex'));
    mail.boxes.set(toHex(alice.account.publicKey), [{ fromAccountPub: carol.publicKey, messageId: new Uint8Array(16), payload: encodeOfflineAck(0, [idBytes]) }]);
    clock.advance(1_100);
    expect(alice.chat.stats().dropped['unexpected-offline-ack']).toBe(1);
    expect(outcomes(alice.events)).toHaveLength(0);
    expect(bob.events.filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(bob.chat.stats().dropped['duplicate-offline']).toBe(1);
    clock.advance(2_000);
    expect(outcomes(alice.events)).toHaveLength(1);
    alice.chat.stop();
    bob.chat.stop();
    expect(clock.pending).toBe(0);
  });

  it('random letter payloads never throw and are dropped as bad-offline-payload or delivered as messages', () => {
    const { clock, mail, alice, bob } = setup();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (payload) => {
        mail.boxes.set(toHex(bob.account.publicKey), [{ fromAccountPub: alice.account.publicKey, messageId: new SeededRng(toHex(payload)).bytes(16), payload }]);
        expect(() => bob.chat.fetchOffline()).not.toThrow();
        clock.advance(20);
      }),
      { numRuns: 300 },
    );
    const s = bob.chat.stats();
    expect((s.dropped['bad-offline-payload'] ?? 0) + s.offlineMessagesReceived + (s.dropped['duplicate-offline'] ?? 0)).toBeGreaterThan(250);
    expect(s.dropped.internal ?? 0).toBe(0);
    expect(encodeOfflineMessage(1.7, new Uint8Array()).length).toBe(9);
    alice.chat.stop();
    bob.chat.stop();
  });
});
