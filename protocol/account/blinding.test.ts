import { describe, expect, it } from 'vitest';
import { bigIntToBytes, concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.ts';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { P256_N, Point, SCALAR_BYTES } from '../crypto/p256.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { blindKeyPair, blindPublicKey, blindingFactor, descriptorKey, periodOf } from './blinding.ts';
import vectors from './vectors/blinding.json' with { type: 'json' };

const account = { privateKey: fromHex(vectors.accountPriv), publicKey: fromHex(vectors.accountPub) };

describe('blinding (rend-spec-v3 §2.2.1 on P-256)', () => {
  it('periodOf(now) is floor(now / periodMs)', () => {
    expect(periodOf(0, 1000)).toBe(0);
    expect(periodOf(999, 1000)).toBe(0);
    expect(periodOf(1000, 1000)).toBe(1);
    expect(periodOf(86_400_000 * 20_000 + 5, 86_400_000)).toBe(20_000);
  });

  it('the account key of the vectors is SHA-256 of its label', () => {
    expect(toHex(nobleSuite.sha256(utf8('paratox/v1/test-vector/account')))).toBe(vectors.accountPriv);
    expect(toHex(nobleSuite.publicKeyOf(account.privateKey))).toBe(vectors.accountPub);
  });

  for (const c of vectors.cases) {
    it(`matches the frozen vector for period ${c.period}`, () => {
      expect(blindingFactor(nobleSuite, account.publicKey, c.period).toString(16).padStart(64, '0')).toBe(c.h);
      expect(toHex(blindPublicKey(nobleSuite, account.publicKey, c.period))).toBe(c.blindedPub);
      expect(toHex(blindPublicKey(nodeSuite, account.publicKey, c.period))).toBe(c.blindedPub);
      const kp = blindKeyPair(nobleSuite, account, c.period);
      expect(toHex(kp.privateKey)).toBe(c.blindedPriv);
      expect(toHex(kp.publicKey)).toBe(c.blindedPub);
      expect(toHex(descriptorKey(nobleSuite, fromHex(c.blindedPub)))).toBe(c.descriptorKey);
    });

    it(`period ${c.period}: h = SHA-256(label || A || period) mod n and x(h·A) agree with OpenSSL ECDH`, () => {
      const period = bigIntToBytes(BigInt(c.period), 8);
      const digest = nodeSuite.sha256(concatBytes(utf8('paratox/v1/blind'), account.publicKey, period));
      const h = BigInt('0x' + toHex(digest)) % P256_N;
      expect(h.toString(16).padStart(64, '0')).toBe(c.h);
      // ECDH(h, A) = x(h·A): an independent implementation of the same point multiply.
      expect(toHex(nodeSuite.ecdh(bigIntToBytes(h, SCALAR_BYTES), account.publicKey))).toBe(c.blindedPub.slice(2));
    });
  }

  it("a'·G == A' for random accounts and periods", () => {
    const rng = new SeededRng('blind-property');
    for (let i = 0; i < 10; i++) {
      const acct = nobleSuite.generateKeyPair(rng);
      const period = rng.int(1_000_000);
      const kp = blindKeyPair(nobleSuite, acct, period);
      expect(toHex(nobleSuite.publicKeyOf(kp.privateKey))).toBe(toHex(kp.publicKey));
      expect(toHex(Point.BASE.multiply(BigInt('0x' + toHex(kp.privateKey))).toBytes(true))).toBe(toHex(kp.publicKey));
      expect(toHex(blindPublicKey(nobleSuite, acct.publicKey, period))).toBe(toHex(kp.publicKey));
      // a signature by a' verifies under A' and not under A
      const sig = nobleSuite.sign(kp.privateKey, utf8('m'));
      expect(nobleSuite.verify(kp.publicKey, utf8('m'), sig)).toBe(true);
      expect(nobleSuite.verify(acct.publicKey, utf8('m'), sig)).toBe(false);
    }
  });

  it('storers see only A′: the key and A′ match neither A, nor the same account in another period, nor another account', () => {
    const rng = new SeededRng('unlinkable');
    const a = nobleSuite.generateKeyPair(rng).publicKey;
    const b = nobleSuite.generateKeyPair(rng).publicKey;
    const seen = new Set<string>();
    for (const pub of [a, b]) {
      for (const period of [100, 101, 102]) {
        const blinded = blindPublicKey(nobleSuite, pub, period);
        const key = descriptorKey(nobleSuite, blinded);
        // Neither the blinded key nor the DHT key contain A or equal its plain DHT key or A's x-coordinate.
        expect(toHex(blinded)).not.toContain(toHex(pub).slice(2));
        expect(toHex(key)).not.toBe(toHex(nobleSuite.sha256(pub)));
        expect(toHex(key)).not.toBe(toHex(descriptorKey(nobleSuite, pub)));
        seen.add(toHex(blinded));
        seen.add(toHex(key));
      }
    }
    expect(seen.size).toBe(12); // all distinct: periods and accounts give unrelated keys
  });

  it('A′ of one period is not A′ of another period scaled by a public factor (h needs A)', () => {
    // Linking periods would need h2/h1 = H(A, p2)/H(A, p1): without A, a storer cannot compute it. With a wrong
    // guess of A (another account) the predicted A′ misses.
    const rng = new SeededRng('guess');
    const real = nobleSuite.generateKeyPair(rng).publicKey;
    const guess = nobleSuite.generateKeyPair(rng).publicKey;
    const h1 = blindingFactor(nobleSuite, guess, 7);
    const h2 = blindingFactor(nobleSuite, guess, 8);
    const a1 = Point.fromBytes(blindPublicKey(nobleSuite, real, 7));
    const ratio = (h2 * modInverse(h1, P256_N)) % P256_N;
    expect(toHex(a1.multiply(ratio).toBytes(true))).not.toBe(toHex(blindPublicKey(nobleSuite, real, 8)));
  });

  it('refuses an invalid account key with a CryptoError', () => {
    const bad = new Uint8Array(33);
    bad[0] = 0x02;
    bad.fill(0xff, 1);
    expect(() => blindPublicKey(nobleSuite, bad, 1)).toThrow(/point/);
  });
});

function modInverse(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [a, n, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % n) + n) % n;
}
