/**
 * Swarm test (VOPR style): a seed draws loss, jitter (reordering), duplication, channel MTU, circuit deaths
 * and a message mix; the invariants must hold for every draw. Every send() ends in exactly one outcome and
 * nothing stays pending; each message reaches Bob at most once, in send order, intact; 'delivered' means Bob
 * has it. `SWARM_RUNS=500 npx vitest run protocol/conversation/swarm.test.ts` draws fresh seeds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { toHex } from '../packet/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bytesOf, World } from './testing/parties.ts';

describe('conversation swarm', () => {
  it('invariants hold for random loss, MTUs, circuit deaths and message mixes', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          lossRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
          maxPayloadBytes: fc.integer({ min: 200, max: 1_400 }),
          jitterMs: fc.integer({ min: 0, max: 200 }),
          duplicateRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
          killEveryMs: fc.option(fc.integer({ min: 300, max: 5_000 })),
          sizes: fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 12 }),
          replies: fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 4 }),
        }),
        (d) => {
          const world = new World({ suite: nodeSuite, seed: `swarm${d.seed}`, channel: { lossRate: d.lossRate, maxPayloadBytes: d.maxPayloadBytes, jitterMs: d.jitterMs, duplicateRate: d.duplicateRate } });
          const alice = world.party('alice');
          const bob = world.party('bob');
          const kill = new SeededRng(`kill${d.seed}`);
          if (d.killEveryMs !== null) {
            const tick = () => {
              const open = world.pairs.filter((p) => p.isOpen);
              if (open.length > 0 && kill.uniform() < 0.5) open[kill.int(open.length)].close('circuit died');
              world.clock.setTimer(d.killEveryMs!, tick);
            };
            world.clock.setTimer(d.killEveryMs, tick);
          }
          const sent = new Map<string, Uint8Array>();
          const order: string[] = [];
          d.sizes.forEach((n, i) => {
            const body = bytesOf(n, i + 1);
            const id = alice.service.send(bob.account.publicKey, body);
            sent.set(id, body);
            order.push(id);
          });
          d.replies.forEach((n, i) => bob.service.send(alice.account.publicKey, bytesOf(n, 100 + i)));
          world.clock.advance(alice.service.config.messageTimeoutMs + 5_000);

          // Exactly one outcome per message, none left pending.
          expect(alice.outcomes.map((o) => o.messageId).sort()).toEqual([...order].sort());
          expect(bob.outcomes).toHaveLength(d.replies.length);
          expect(alice.service.pending() + bob.service.pending()).toBe(0);
          // At most once, in send order, intact; 'delivered' means Bob has it.
          const got = bob.inbox.map((m) => m.messageId);
          expect(new Set(got).size).toBe(got.length);
          expect(got).toEqual(order.filter((id) => got.includes(id)));
          for (const m of bob.inbox) expect(toHex(m.body)).toBe(toHex(sent.get(m.messageId)!));
          for (const o of alice.outcomes) if (o.outcome.kind === 'delivered') expect(got).toContain(o.messageId);
          if (d.killEveryMs === null && d.lossRate < 0.35) expect(alice.outcomes.every((o) => o.outcome.kind === 'delivered')).toBe(true);
          for (const p of [alice, bob]) expect(p.service.stats().dropped.internal ?? 0).toBe(0);

          alice.service.stop();
          bob.service.stop();
        },
      ),
      { numRuns: Number(process.env.SWARM_RUNS ?? 25), seed: process.env.SWARM_RUNS ? undefined : 20261129 },
    );
  });
});
