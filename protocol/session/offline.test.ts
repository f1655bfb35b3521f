import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { CryptoError } from '../crypto/suite.ts';
import { mutate, mutationArb } from '../packet/testing/mutations.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { openOffline, sealOffline } from './offline.ts';

describe.each([nodeSuite, nobleSuite])('offline messages ($name)', (suite) => {
  const rng = new SeededRng(`offline/${suite.name}`);
  const account = suite.generateKeyPair(rng);
  const message = new TextEncoder().encode('see you tomorrow');

  it('round-trips and flags the message as not forward secret', () => {
    const sealed = sealOffline(suite, rng, account.publicKey, message);
    expect(openOffline(suite, account.privateKey, sealed)).toEqual({
      ok: true,
      value: { body: message, protection: { pfs: false, scheme: 'ecies-offline' } },
    });
  });

  it('rejects the wrong recipient, a short input and any mutation with typed errors, never a throw', () => {
    const sealed = sealOffline(suite, rng, account.publicKey, message);
    expect(openOffline(suite, suite.generateKeyPair(rng).privateKey, sealed)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(openOffline(suite, account.privateKey, sealed.subarray(0, 10))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    fc.assert(
      fc.property(mutationArb, (m) => {
        const bad = mutate(sealed, m);
        const result = openOffline(suite, account.privateKey, bad);
        if (bad.length !== sealed.length || bad.some((b, i) => b !== sealed[i])) expect(result.ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('throws CryptoError for an invalid recipient key when sealing (a programmer or contact error)', () => {
    expect(() => sealOffline(suite, rng, new Uint8Array(33), message)).toThrow(CryptoError);
  });
});
