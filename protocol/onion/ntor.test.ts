import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.ts';
import { SUITES } from '../crypto/test-support.ts';
import { CryptoError, type KeyPair } from '../crypto/suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { ntorFinish, ntorRespond } from './ntor.ts';
import frozen from './vectors/ntor-p256-frozen.json' with { type: 'json' };

const pair = (k: { privateKey: string; publicKey: string }): KeyPair => ({ privateKey: fromHex(k.privateKey), publicKey: fromHex(k.publicKey) });
const hexKeys = (keys: object) => Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, toHex(v as Uint8Array)]));

describe.each(SUITES.map((s) => [s.name, s] as const))('ntor on %s', (_name, suite) => {
  it('reproduces the frozen vectors from both sides', () => {
    for (const c of frozen.cases) {
      const [b, x, y] = [c.relayIdentity, c.clientEphemeral, c.relayEphemeral].map(pair);
      const relay = ntorRespond(suite, b, y, x.publicKey);
      expect(toHex(relay.auth), c.seed).toBe(c.auth);
      expect(hexKeys(relay.keys), c.seed).toEqual(c.keys);
      const client = ntorFinish(suite, x, b.publicKey, y.publicKey, fromHex(c.auth));
      expect(client && hexKeys(client), c.seed).toEqual(c.keys);
    }
  });

  it('the client rejects a wrong relay key, a flipped auth bit and a Y that is not a point', () => {
    const rng = new SeededRng('ntor-reject');
    const [b, x, y, other] = [0, 1, 2, 3].map(() => suite.generateKeyPair(rng));
    const { Y, auth } = ntorRespond(suite, b, y, x.publicKey);
    expect(ntorFinish(suite, x, b.publicKey, Y, auth)).not.toBeNull();
    expect(ntorFinish(suite, x, other.publicKey, Y, auth)).toBeNull();
    // The relay answered with its identity but a replaced Y: auth binds Y.
    expect(ntorFinish(suite, x, b.publicKey, other.publicKey, auth)).toBeNull();
    for (let bit = 0; bit < 256; bit += 37) {
      const bad = Uint8Array.from(auth);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(ntorFinish(suite, x, b.publicKey, Y, bad)).toBeNull();
    }
    const notPoint = new Uint8Array(33);
    notPoint[0] = 0x02;
    notPoint[32] = 1;
    expect(ntorFinish(suite, x, b.publicKey, notPoint, auth)).toBeNull();
    expect(ntorFinish(suite, x, b.publicKey, Y.subarray(1), auth)).toBeNull();
  });

  it('the relay throws CryptoError on an X that is not a point (the service counts it bad-handshake)', () => {
    const rng = new SeededRng('ntor-bad-x');
    const [b, y] = [0, 1].map(() => suite.generateKeyPair(rng));
    expect(() => ntorRespond(suite, b, y, new Uint8Array(33))).toThrow(CryptoError);
    expect(() => ntorRespond(suite, b, y, new Uint8Array(32))).toThrow(CryptoError);
  });
});

describe('ntor construction, spelled out from proposal 216 without CryptoSuite', () => {
  it('secret_input, HKDF key layout and auth match the frozen vectors', () => {
    const id = utf8(frozen.protoid);
    const t = (suffix: string) => utf8(`${frozen.protoid}:${suffix}`);
    const ecdh = (priv: Uint8Array, pub: Uint8Array) => p256.getSharedSecret(priv, pub, true).subarray(1); // x-coordinate
    for (const c of frozen.cases) {
      const [b, x, y] = [c.relayIdentity, c.clientEphemeral, c.relayEphemeral].map(pair);
      const [B, X, Y] = [b.publicKey, x.publicKey, y.publicKey];
      const secretInput = concatBytes(ecdh(x.privateKey, Y), ecdh(x.privateKey, B), B, X, Y, id);
      const okm = hkdf(sha256, secretInput, t('key_extract'), t('key_expand'), 192);
      const names = ['kf', 'kb', 'nf', 'nb', 'mf', 'mb'];
      expect(Object.fromEntries(names.map((n, i) => [n, toHex(okm.subarray(32 * i, 32 * i + 32))]))).toEqual(c.keys);
      const verify = hmac(sha256, t('verify'), secretInput);
      expect(toHex(hmac(sha256, t('mac'), concatBytes(verify, B, Y, X, id, utf8('Server'))))).toBe(c.auth);
    }
  });
});
