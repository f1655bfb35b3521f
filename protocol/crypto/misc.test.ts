import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import type { Rng } from '../runtime/rng.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bigIntToBytes, bytesToBigInt, fromHex, toHex } from './bytes.ts';
import { OFFLINE_PROTECTION, SESSION_PROTECTION, describeProtection } from './message-security.ts';
import { nobleSuite } from './noble-suite.ts';
import { nodeSuite } from './node-suite.ts';
import { P256_H, P256_N, P256_P, drawPrivateKey } from './p256.ts';
import { fastestSuite, suiteByName } from './select-suite.ts';

/** An Rng whose bytes() returns queued buffers first, then falls back to a seeded stream. */
function scriptedRng(queue: Uint8Array[]): Rng {
  const base = new SeededRng('scripted');
  return {
    bytes: (n) => queue.shift() ?? base.bytes(n),
    fillBytes: (out) => (out.set(queue.shift() ?? base.bytes(out.length)), out),
    uniform: () => base.uniform(),
    int: (m) => base.int(m),
    exponential: (m) => base.exponential(m),
    fork: (name) => base.fork(name),
  };
}

describe('P-256 parameters and key drawing', () => {
  it('constants match @noble/curves', () => {
    const c = p256.Point.CURVE();
    expect([P256_P, P256_N, P256_H]).toEqual([c.p, c.n, c.h]);
  });

  it('drawPrivateKey rejects 0 and values >= n, then accepts the next draw', () => {
    const good = bigIntToBytes(P256_N - 1n, 32);
    const rng = scriptedRng([new Uint8Array(32), bigIntToBytes(P256_N, 32), new Uint8Array(32).fill(0xff), good]);
    expect(toHex(drawPrivateKey(rng))).toBe(toHex(good));
  });

  it('both suites derive the same key pair after rejections', () => {
    const q = () => [bigIntToBytes(P256_N, 32), bigIntToBytes(5n, 32)];
    const a = nobleSuite.generateKeyPair(scriptedRng(q()));
    const b = nodeSuite.generateKeyPair(scriptedRng(q()));
    expect(toHex(a.privateKey)).toBe(toHex(bigIntToBytes(5n, 32)));
    expect(toHex(b.publicKey)).toBe(toHex(a.publicKey));
  });
});

describe('message protection flag', () => {
  it('session messages are forward secret, offline ones are not, and each has a one-line description', () => {
    expect(SESSION_PROTECTION).toEqual({ pfs: true, scheme: 'ecmqv-session' });
    expect(OFFLINE_PROTECTION).toEqual({ pfs: false, scheme: 'ecies-offline' });
    for (const p of [SESSION_PROTECTION, OFFLINE_PROTECTION]) {
      expect(describeProtection(p)).not.toContain('\n');
    }
    expect(describeProtection(OFFLINE_PROTECTION)).toMatch(/^Not forward secret/);
    expect(describeProtection(SESSION_PROTECTION)).toMatch(/^Forward secret/);
  });
});

describe('suite selection', () => {
  it('fastestSuite() picks node where node:crypto exists; suiteByName finds both', () => {
    expect(fastestSuite()).toBe(nodeSuite);
    expect(suiteByName('noble')).toBe(nobleSuite);
    expect(suiteByName('node')).toBe(nodeSuite);
    expect(() => suiteByName('openssl' as 'node')).toThrow(/unknown crypto suite/);
  });
});

// Guards the table-driven hex helpers in bytes.ts: same strings, bigints and errors as the per-byte
// toString/parseInt versions they replaced (every bigint conversion in the handshake goes through them).
describe('hex and bigint conversions', () => {
  const toHexByString = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

  it('toHex, fromHex, bytesToBigInt and bigIntToBytes agree with the string-based definitions on random bytes', () => {
    const rng = new SeededRng('bytes/hex');
    for (let i = 0; i < 300; i++) {
      const bytes = rng.bytes(rng.int(70));
      const hex = toHexByString(bytes);
      expect(toHex(bytes)).toBe(hex);
      expect(fromHex(hex)).toEqual(bytes);
      expect(fromHex(hex.toUpperCase())).toEqual(bytes);
      const value = bytes.length === 0 ? 0n : BigInt('0x' + hex);
      expect(bytesToBigInt(bytes)).toBe(value);
      if (bytes.length > 0) expect(bigIntToBytes(value, bytes.length)).toEqual(bytes);
    }
  });

  it('fromHex throws RangeError on odd lengths and on any non-hex character, also beyond ASCII', () => {
    for (const bad of ['a', 'abc', '0g', 'g0', '0x', ' 0', '\u00e90', '0\u0100', '-1']) {
      expect(() => fromHex(bad), bad).toThrow(RangeError);
    }
  });
});
