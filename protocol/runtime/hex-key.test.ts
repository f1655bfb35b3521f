import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { toHex } from '../crypto/bytes.ts';
import { SeededRng } from './seeded-rng.ts';
import { byteKey, hexKey } from './hex-key.ts';

function heapUsedAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('hexKey', () => {
  it('hexKey(bytes, prefix, suffix) equals prefix + toHex(bytes) + suffix for every length and byte', () => {
    const rng = new SeededRng(7);
    for (let len = 0; len < 70; len++) {
      const bytes = rng.bytes(len);
      expect(hexKey(bytes)).toBe(toHex(bytes));
      expect(hexKey(bytes, '10.0.0.1:9|', '/7')).toBe(`10.0.0.1:9|${toHex(bytes)}/7`);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(hexKey(all)).toBe(toHex(all));
  });

  it('hexKey of input longer than one fromCharCode call still equals toHex', () => {
    const bytes = new SeededRng(3).bytes(10_000);
    expect(hexKey(bytes, 'p', 's')).toBe(`p${toHex(bytes)}s`);
  });

  // Guards issue 14: a 33-byte key held in a table must cost ~88 bytes (a flat string), not the ~1.6 KB rope of
  // `toHex`'s `+=` (which failed this: keys were 38 % of a DHT node's heap). A heap measurement, not a timing.
  it('a kept 33-byte hexKey costs under 200 bytes of heap', () => {
    const rng = new SeededRng(11);
    const inputs = Array.from({ length: 20_000 }, () => rng.bytes(33));
    const before = heapUsedAfterGc();
    const kept = inputs.map((b) => hexKey(b));
    const perKey = (heapUsedAfterGc() - before) / kept.length;
    expect(kept.length).toBe(20_000);
    expect(perKey).toBeLessThan(200);
  });
});

// Guards byteKey as a map key: it must be exactly as discriminating as hexKey (no two inputs share a key).
describe('byteKey', () => {
  it('equal bytes give equal keys and different bytes (any byte, any length) different keys', () => {
    const rng = new SeededRng(11);
    const seen = new Map<string, string>();
    for (let i = 0; i < 2_000; i++) {
      const bytes = rng.bytes(i % 70);
      if (i % 3 === 0) bytes[0] = i & 0xff;
      const k = byteKey(bytes);
      expect(k.length).toBe(bytes.length);
      const hex = hexKey(bytes);
      if (seen.has(k)) expect(seen.get(k)).toBe(hex);
      seen.set(k, hex);
      expect(byteKey(bytes.slice())).toBe(k);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(new Set(Array.from(all, (b) => byteKey(Uint8Array.of(b)))).size).toBe(256);
    expect(byteKey(Uint8Array.of(0, 1))).not.toBe(byteKey(Uint8Array.of(1, 0)));
  });

  // Guards byteKey's prefix (the DHT first-contact gate's address#key ids): the same characters as concatenation.
  it('byteKey(bytes, prefix) is prefix followed by byteKey(bytes)', () => {
    const bytes = Uint8Array.of(0, 35, 255, 7);
    expect(byteKey(bytes, '10.0.0.1:7#')).toBe(`10.0.0.1:7#${byteKey(bytes)}`);
    expect(byteKey(bytes, 'n3#')).not.toBe(byteKey(bytes, 'n4#'));
    expect(byteKey(bytes, '')).toBe(byteKey(bytes));
  });
});
