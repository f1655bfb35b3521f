import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { toHex } from '../crypto/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { LAYERED_BYTES, RELAY_BODY_MAX } from './constants.ts';
import { addBackward, originateBackward, peelForward, unwrapBackward, wrapForward } from './layers.ts';
import type { HopKeys } from './ntor.ts';
import { openRelayPlaintext } from './relay-payload.ts';

function hops(seed: string, n: number): HopKeys[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => ({ kf: rng.bytes(32), kb: rng.bytes(32), nf: rng.bytes(32), nb: rng.bytes(32), mf: rng.bytes(32), mb: rng.bytes(32) }));
}

describe('onion layers', () => {
  it('a forward cell for hop t is recognised exactly at hop t, each hop seeing a different nonce', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 5 }), fc.nat(), fc.uint8Array({ maxLength: RELAY_BODY_MAX }), (seed, n, t0, body) => {
        const keys = hops(seed, n);
        const target = t0 % n;
        const rng = new SeededRng(seed + '/cells');
        let cell = wrapForward(nodeSuite, rng, keys, target, 0x42, body);
        const nonces = new Set<string>();
        for (let i = 0; i <= target; i++) {
          nonces.add(toHex(cell.nonce));
          const r = peelForward(nodeSuite, keys[i], cell);
          expect(r.recognized).toBe(i === target);
          if (r.recognized) expect(openRelayPlaintext(r.plaintext)).toEqual({ command: 0x42, body });
          cell = r.next;
        }
        expect(nonces.size).toBe(target + 1);
      }),
      { numRuns: 40 },
    );
  });

  it('a backward cell from hop k is opened by the origin at depth k, with both suites alike', () => {
    const keys = hops('bwd', 3);
    for (let k = 0; k < 3; k++) {
      const body = Uint8Array.of(k, 1, 2, 3);
      let cell = originateBackward(nobleSuite, new SeededRng(`b${k}`), keys[k], 0x21, body);
      for (let j = k - 1; j >= 0; j--) cell = addBackward(nobleSuite, keys[j], cell);
      const viaNode = unwrapBackward(nodeSuite, keys, cell)!;
      expect(viaNode.hop).toBe(k);
      expect(openRelayPlaintext(viaNode.plaintext)).toEqual({ command: 0x21, body });
      expect(viaNode.plaintext).toHaveLength(LAYERED_BYTES);
      const flipped = { nonce: cell.nonce, layered: Uint8Array.from(cell.layered) };
      flipped.layered[200] ^= 4;
      expect(unwrapBackward(nodeSuite, keys, flipped)).toBeNull();
    }
  });
});
