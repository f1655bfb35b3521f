/**
 * Fuzz: cell decoders never throw, and every random body delivered to a node's receive path ends in exactly
 * one counted outcome (a drop, in practice) without throwing, at the origin, a middle relay and a last hop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayloadType } from '../packet/payload-type.ts';
import { decodeCell } from './cell.ts';
import { CELL_BYTES, CellCmd, LAYERED_BYTES } from './constants.ts';
import { decodeExtend, decodeExtended, openRelayPlaintext } from './relay-payload.ts';
import { totalDrops } from './stats.ts';
import { OnionNet, type TestNode } from './testing/onion-net.ts';
import type { Circuit } from './types.ts';

describe('onion decoders under random input', () => {
  it('decodeCell, openRelayPlaintext, decodeExtend, decodeExtended never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1300 }), (b) => {
        const cell = decodeCell(b);
        if (cell) expect(b.length).toBe(CELL_BYTES);
        openRelayPlaintext(b);
        decodeExtend(b);
        decodeExtended(b);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: LAYERED_BYTES, maxLength: LAYERED_BYTES }), (b) => {
        const r = openRelayPlaintext(b);
        if (r) expect(r.body.length).toBeLessThanOrEqual(LAYERED_BYTES - 19);
      }),
      { numRuns: 100 },
    );
  });
});

// No timer-driven cells (keepalives, expiry) during the run: each step must see only what the fuzz sent.
const HOUR = 3_600_000;
const QUIET = { createRatePerS: 1e6, createBurst: 1e6, keepaliveMs: HOUR, relayIdleMs: HOUR, relayLifetimeMs: HOUR, circuitLifetimeMs: HOUR };

describe('onion receive path under random input', () => {
  const net = new OnionNet('fuzz');
  const [o, a, b, c] = ['origin', 'r1', 'r2', 'r3'].map((n) => net.add(n, QUIET));
  let circuit: Circuit | undefined;
  o.onion.buildCircuit([a.peer, b.peer, c.peer], (r) => (circuit = r.ok ? r.circuit : undefined));
  net.clock.advance(1000);
  /** The link circuit ids on each link, read off the wire: (sender, receiver) -> id. */
  const ids = new Map<string, number>();
  for (const m of net.log) ids.set(`${m.from.address}>${m.to.address}`, new DataView(m.body.buffer).getUint32(0));
  const idOn = (from: TestNode, to: TestNode) => ids.get(`${from.peer.address}>${to.peer.address}`)!;

  // Everything a node may do with an inbound cell, summed: a random body must move exactly one of these by one.
  const outcomes = (n: TestNode) => {
    const s = n.onion.stats();
    return totalDrops(s) + s.cellsRelayed + s.cellsDelivered + s.noise + Object.values(s.refused).reduce((x, y) => x + (y ?? 0), 0) + s.circuitsRelayed;
  };

  const targets: [string, TestNode, TestNode][] = [
    ['origin, from hop 1', a, o],
    ['middle relay, from hop 1', a, b],
    ['last hop, from hop 2', b, c],
  ];

  it.each(targets)('%s: random bodies never throw and each ends in one counted outcome', (_name, from, to) => {
    expect(circuit?.isOpen).toBe(true);
    const known = idOn(from, to);
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 1300 }),
      fc.uint8Array({ minLength: CELL_BYTES, maxLength: CELL_BYTES }),
      // A cell on the live circuit: RELAY (random layers), CREATE, CREATED; not DESTROY, which is obeyed.
      fc.tuple(fc.constantFrom(CellCmd.RELAY, CellCmd.CREATE, CellCmd.CREATED, 0x00, 0x7f), fc.uint8Array({ minLength: CELL_BYTES - 5, maxLength: CELL_BYTES - 5 })).map(([cmd, rest]) => {
        const cell = new Uint8Array(CELL_BYTES);
        new DataView(cell.buffer).setUint32(0, known);
        cell[4] = cmd;
        cell.set(rest, 5);
        return cell;
      }),
    );
    fc.assert(
      fc.property(body, (bytes) => {
        net.clock.advance(50); // let everything earlier settle (a cell forwarded by a middle relay lands later)
        const before = outcomes(to);
        net.inject(from.peer, to.peer, PayloadType.ONION, bytes);
        expect(() => net.clock.advance(50)).not.toThrow();
        // Forwarded cells may cause outcomes further along, but at `to` exactly one thing happened.
        expect(outcomes(to) - before).toBe(1);
      }),
      { numRuns: 200 },
    );
    expect(circuit!.isOpen).toBe(true);
  });
});
