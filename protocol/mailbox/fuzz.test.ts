/**
 * Fuzzing every mailbox decoder and receive path: whatever bytes arrive, nothing throws, a holder answers with at
 * most its bound of cells, and every unusable body is one counted drop (never 'internal').
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOfflinePayload } from '../conversation/offline-wire.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { FakeClock } from '../dht/testing/fake-clock.ts';
import { changed, mutate, mutationArb } from '../packet/testing/mutations.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { MailboxCmd } from './constants.ts';
import { MailboxService } from './mailbox-service.ts';
import { mailboxKey, ownMailbox, proofMessage } from './mailbox-key.ts';
import { offlineOpen, offlineSeal, OfflineSealError } from './offline-seal.ts';
import {
  decodeAppend,
  decodeListItem,
  decodeProof,
  decodeReplicate,
  decodeStatus,
  encodeAppend,
  encodeProof,
  encodeReplicate,
} from './wire.ts';

const suite = nodeSuite;
const rng = new SeededRng('mailbox-fuzz');
const alice = suite.generateKeyPair(rng);
const bob = suite.generateKeyPair(rng);
const key = mailboxKey(suite, bob.publicKey, 0);
const sealed = offlineSeal(suite, rng, alice, bob.publicKey, rng.bytes(16), new Uint8Array(40).fill(3));
const { blinded } = ownMailbox(suite, bob, 0);
const valid = {
  [MailboxCmd.APPEND]: encodeAppend({ reqId: 1, key, senderTag: new Uint8Array(16), item: sealed }),
  [MailboxCmd.REPLICATE]: encodeReplicate({ reqId: 2, key, senderTag: new Uint8Array(16), storedAtMs: 0, item: sealed }),
  [MailboxCmd.LIST]: encodeProof({ reqId: 3, key, blindedPub: blinded.publicKey, timestampMs: 0, itemIds: [], signature: suite.sign(blinded.privateKey, proofMessage('list', key, 0)) }, false),
  [MailboxCmd.DELETE]: encodeProof({ reqId: 4, key, blindedPub: blinded.publicKey, timestampMs: 0, itemIds: [new Uint8Array(16)], signature: suite.sign(blinded.privateKey, proofMessage('delete', key, 0, [new Uint8Array(16)])) }, true),
};
const commands = Object.keys(valid).map(Number) as (keyof typeof valid)[];

describe('mailbox decoders (fuzz)', () => {
  it('never throw on arbitrary bytes', () => {
    const decoders = [
      decodeAppend,
      decodeReplicate,
      decodeListItem,
      decodeOfflinePayload,
      (b: Uint8Array) => decodeStatus(b, true),
      (b: Uint8Array) => decodeStatus(b, false),
      (b: Uint8Array) => decodeProof(b, true),
      (b: Uint8Array) => decodeProof(b, false),
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1_300 }), (b) => {
        for (const d of decoders) expect(() => d(b)).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });

  it('offlineOpen throws only OfflineSealError on mutated items, and never opens a changed one', () => {
    fc.assert(
      fc.property(mutationArb, (m) => {
        const bad = mutate(sealed, m);
        fc.pre(changed(sealed, bad));
        try {
          offlineOpen(suite, bob, bad);
          return false;
        } catch (e) {
          return e instanceof OfflineSealError;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('holder receive path (fuzz)', () => {
  it('mutated and random bodies for every command: no throw, bounded replies, drops counted, no internal errors', () => {
    const clock = new FakeClock(0);
    const handlers = new Map<number, unknown>();
    const service = new MailboxService({
      onion: { buildCircuit: () => {}, onRelayCommand: (cmd, h) => (handlers.set(cmd, h), () => handlers.delete(cmd)) },
      dht: { findNode: () => {} },
      clock,
      rng: new SeededRng('holder'),
      suite,
      pickRelays: () => [],
      self: () => ({ address: 'self', nodePub: alice.publicKey }),
    }, { maxItemsPerMailbox: 16, maxItemsPerSender: 16 });
    expect([...handlers.keys()].sort()).toEqual([...commands].sort());
    let maxReplies = 0;
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.oneof(mutationArb.map((m) => ({ m })), fc.uint8Array({ maxLength: 1_200 }).map((r) => ({ r }))), (cmd, how) => {
        const body = 'm' in how ? mutate(valid[cmd], how.m) : how.r;
        let replies = 0;
        service.local(cmd, body, () => replies++);
        maxReplies = Math.max(maxReplies, replies);
        expect(replies).toBeLessThanOrEqual(16 + 1);
      }),
      { numRuns: 1_500 },
    );
    const stats = service.stats();
    expect(stats.dropped.internal ?? 0).toBe(0);
    expect((stats.dropped.malformed ?? 0) + (stats.dropped['bad-proof'] ?? 0)).toBeGreaterThan(0);
    service.stop();
    expect(service.timerCount).toBe(0);
  });
});
