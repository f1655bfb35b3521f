import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { toHex, utf8 } from './bytes.ts';
import { ECIES_OVERHEAD_BYTES, eciesOpen, eciesSeal } from './ecies.ts';
import { CryptoError } from './suite.ts';
import { SUITES, cryptoOutcome, invalidPublicKeys } from './test-support.ts';

describe.each(SUITES.map((s) => [s.name, s] as const))('ECIES with the %s suite', (_n, suite) => {
  const rng = new SeededRng('ecies-test');
  const recipient = suite.generateKeyPair(rng);
  const message = utf8('meet me at the usual place');
  const aad = utf8('header');

  it('eciesOpen(eciesSeal(m)) returns m, and the sealed size is m + ECIES_OVERHEAD_BYTES', () => {
    const sealed = eciesSeal(suite, rng, recipient.publicKey, message, aad);
    expect(sealed.length).toBe(message.length + ECIES_OVERHEAD_BYTES);
    expect(ECIES_OVERHEAD_BYTES).toBe(49);
    expect(toHex(eciesOpen(suite, recipient.privateKey, sealed, aad))).toBe(toHex(message));
    expect(eciesOpen(suite, recipient.privateKey, eciesSeal(suite, rng, recipient.publicKey, new Uint8Array(0)))).toHaveLength(0);
  });

  it('two seals of the same message differ (fresh ephemeral key each time)', () => {
    const a = eciesSeal(suite, rng, recipient.publicKey, message);
    const b = eciesSeal(suite, rng, recipient.publicKey, message);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it('every flipped bit makes eciesOpen throw a CryptoError', () => {
    const sealed = eciesSeal(suite, rng, recipient.publicKey, utf8('short'), aad);
    for (let bit = 0; bit < sealed.length * 8; bit += 7) {
      const bad = Uint8Array.from(sealed);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(['bad-point', 'auth-failed'], `bit ${bit}`).toContain(cryptoOutcome(() => eciesOpen(suite, recipient.privateKey, bad, aad)));
    }
  });

  it('the wrong recipient key, wrong aad or a truncated message fail with typed errors', () => {
    const sealed = eciesSeal(suite, rng, recipient.publicKey, message, aad);
    const other = suite.generateKeyPair(rng);
    expect(cryptoOutcome(() => eciesOpen(suite, other.privateKey, sealed, aad))).toBe('auth-failed');
    expect(cryptoOutcome(() => eciesOpen(suite, recipient.privateKey, sealed))).toBe('auth-failed');
    expect(cryptoOutcome(() => eciesOpen(suite, recipient.privateKey, sealed.subarray(0, 48), aad))).toBe('bad-length');
    expect(cryptoOutcome(() => eciesOpen(suite, recipient.privateKey, sealed.subarray(0, sealed.length - 1), aad))).toBe('auth-failed');
  });

  it('sealing to an invalid recipient key throws CryptoError("bad-point")', () => {
    for (const [why, bad] of Object.entries(invalidPublicKeys(recipient.publicKey))) {
      expect(cryptoOutcome(() => eciesSeal(suite, rng, bad, message)), why).toBe('bad-point');
    }
    expect(() => eciesSeal(suite, rng, new Uint8Array(33), message)).toThrow(CryptoError);
  });

  it('a message sealed with one back end opens with the other', () => {
    for (const other of SUITES) {
      const sealed = eciesSeal(suite, rng, recipient.publicKey, message, aad);
      expect(toHex(eciesOpen(other, recipient.privateKey, sealed, aad))).toBe(toHex(message));
    }
  });
});
