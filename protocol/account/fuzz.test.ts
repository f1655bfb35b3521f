/**
 * Fuzz: random and mutated bytes into every decoder and every receive path of protocol/account. No decoder
 * throws; every cell a relay, service or client receives that it does not act on is one counted drop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { PERIOD_MS, RelayCommand } from './constants.ts';
import { checkDescriptor } from './descriptor-check.ts';
import { createDescriptor, decodeDescriptor } from './descriptor.ts';
import { openIntroduce, INTRODUCE_SEALED_BYTES } from './introduce-seal.ts';
import { decodeIntroList, INTRO_LIST_BYTES } from './intro-list.ts';
import {
  decodeCookie,
  decodeEstablishIntro,
  decodeIntroduce,
  decodeRendezvous1,
  decodeRendezvous2,
  decodeStatus,
  STATUSES,
} from './messages.ts';
import type { AccountStats } from './stats.ts';
import type { Circuit } from './onion-api.ts';
import { Harness } from './testing/harness.ts';

const suite = nobleSuite;
const rng = new SeededRng('account-fuzz');
const account = suite.generateKeyPair(rng);
const NOW = 9 * PERIOD_MS + 1000;
const intros = [0, 1].map((i) => ({
  relay: { address: `n${i}`, nodePub: suite.generateKeyPair(rng).publicKey },
  authKey: suite.generateKeyPair(rng).publicKey,
  encKey: suite.generateKeyPair(rng).publicKey,
}));
const valid = createDescriptor(suite, rng, { account, period: 9, nowMs: NOW, ttlMs: 3_600_000, intros });

const bytes = (max = 1200) => fc.uint8Array({ minLength: 0, maxLength: max });
/** A valid value with some bytes overwritten, or truncated, or extended. */
function mutated(base: Uint8Array) {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
      const out = base.slice();
      for (const [i, v] of edits) out[i] = v;
      return out;
    }),
    fc.nat(base.length).map((n) => base.slice(0, n)),
    bytes(8).map((tail) => Uint8Array.from([...base, ...tail])),
  );
}

const dropTotal = (s: AccountStats) => Object.values(s.drops).reduce((a, b) => a + (b ?? 0), 0);

describe('decoders never throw', () => {
  it('descriptor: decode and full check, random and mutated', () => {
    fc.assert(
      fc.property(fc.oneof(bytes(), mutated(valid.value)), (value) => {
        decodeDescriptor(value);
        const check = checkDescriptor(suite, valid.key, value, NOW);
        if (check.ok) expect(value).toEqual(valid.value); // only the original passes
      }),
      { numRuns: 300 },
    );
  });

  it('intro list, ESTABLISH_INTRO, INTRODUCE, cookie, RENDEZVOUS1/2, status', () => {
    fc.assert(
      fc.property(fc.oneof(bytes(300), fc.uint8Array({ minLength: INTRO_LIST_BYTES, maxLength: INTRO_LIST_BYTES })), (b) => {
        decodeIntroList(b);
        decodeEstablishIntro(b);
        decodeIntroduce(b);
        decodeCookie(b);
        decodeRendezvous1(b);
        decodeRendezvous2(b);
        const s = decodeStatus(b);
        if (s !== null) expect(STATUSES).toContain(s);
      }),
      { numRuns: 500 },
    );
  });

  it('openIntroduce: random seals never open and never throw', () => {
    const enc = suite.generateKeyPair(rng);
    fc.assert(
      fc.property(fc.oneof(bytes(300), fc.uint8Array({ minLength: INTRODUCE_SEALED_BYTES, maxLength: INTRODUCE_SEALED_BYTES })), (b) => {
        expect(openIntroduce(suite, enc.privateKey, intros[0].authKey, b)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });
});

describe('receive paths: every unusable cell is one counted drop', () => {
  const h = new Harness(6, { startMs: NOW });
  const bob = h.account('bob');
  h.nodes[0].accounts.host(bob, () => {});
  h.clock.advance(10_000);
  const attackerCircuits = new Map<number, Circuit>();
  const circuitTo = (to: number): Circuit => {
    const open = attackerCircuits.get(to);
    if (open?.isOpen) return open;
    let c: Circuit | undefined;
    h.nodes[5].onion.buildCircuit([h.nodes[to].peer], (r) => r.ok && (c = r.circuit));
    h.clock.advance(100);
    attackerCircuits.set(to, c!);
    return c!;
  };
  const commands = Object.values(RelayCommand);

  it('random cells to a relay: a counted drop, or an "ok" answer', () => {
    fc.assert(
      fc.property(fc.constantFrom(...commands), bytes(400), fc.integer({ min: 1, max: 4 }), (command, body, to) => {
        const circuit = circuitTo(to);
        const answers: number[] = [];
        const unsubscribe = circuit.onCell((_c, b) => answers.push(decodeStatus(b) === 'ok' ? 1 : 0));
        const before = dropTotal(h.nodes[to].accounts.stats());
        expect(() => {
          circuit.send(command, body);
          h.clock.advance(100);
        }).not.toThrow();
        unsubscribe();
        const dropped = dropTotal(h.nodes[to].accounts.stats()) - before;
        const handled = [RelayCommand.ESTABLISH_INTRO, RelayCommand.INTRODUCE1, RelayCommand.ESTABLISH_RENDEZVOUS, RelayCommand.RENDEZVOUS1, RelayCommand.DATA] as number[];
        if (!handled.includes(command)) return; // not a relay-side command: the onion layer has no handler for it
        const ok = answers.includes(1);
        expect(dropped + (ok ? 1 : 0)).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  it('random INTRODUCE2 down the service’s intro circuits: each one counted drop, nothing thrown', () => {
    const introCircuits = h.onion.circuits().filter((c) => c.origin === h.nodes[0].onion && c.isOpen);
    expect(introCircuits.length).toBe(3);
    fc.assert(
      fc.property(fc.nat(introCircuits.length - 1), fc.constantFrom(...commands), bytes(400), (i, command, body) => {
        const before = dropTotal(h.nodes[0].accounts.stats());
        expect(() => {
          introCircuits[i].endpoint.reply(command, body);
          h.clock.advance(200);
        }).not.toThrow();
        expect(dropTotal(h.nodes[0].accounts.stats()) - before).toBe(1);
      }),
      { numRuns: 300 },
    );
    expect(h.nodes[0].accounts.stats().service.introductionsReceived).toBe(0);
  });
});

describe('client receive path', () => {
  it('random cells on Alice’s rendezvous circuit while she waits: each one counted drop, the connect still succeeds', () => {
    const h = new Harness(8, { startMs: NOW, allow: (p, j) => p !== 5 || j !== 0 });
    const bob = h.account('bob');
    h.nodes[0].accounts.host(bob, () => {});
    h.clock.advance(10_000);
    let result: { ok: boolean } | undefined;
    h.nodes[5].accounts.connect(bob.publicKey, (r) => (result = r));
    // Step until Alice's cookie waits at R.
    let rendCircuit;
    for (let t = 0; t < 200 && rendCircuit === undefined; t++) {
      h.clock.advance(5);
      const waiting = h.nodes.find((n) => n.accounts.stats().relay.cookiesPending > 0);
      if (waiting) rendCircuit = h.onion.circuits().find((c) => c.origin === h.nodes[5].onion && c.exit === waiting.onion);
    }
    expect(rendCircuit).toBeDefined();
    h.clock.advance(200); // RENDEZVOUS_ESTABLISHED arrives
    const cells = fc.sample(fc.tuple(fc.constantFrom(...Object.values(RelayCommand)), bytes(64)), { numRuns: 50, seed: 7 });
    const before = dropTotal(h.nodes[5].accounts.stats());
    for (const [command, body] of cells) rendCircuit!.endpoint.reply(command, body);
    h.clock.advance(200);
    expect(dropTotal(h.nodes[5].accounts.stats()) - before).toBe(cells.length);
    h.clock.advance(30_000);
    expect(result?.ok).toBe(true);
  });
});
