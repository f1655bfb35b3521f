/**
 * Known-answer tests: published vectors (RFC 5869, GCM spec, NIST CAVP, RFC 6979) and our own frozen
 * vectors, each run against both back ends. The fixtures in vectors/ say where every value comes from.
 */
import { p384 } from '@noble/curves/nist.js';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { fromHex, toHex, utf8 } from './bytes.ts';
import { eciesOpen, eciesSeal } from './ecies.ts';
import { confirmationTag, deriveSessionKeys, ecmqvSharedSecret, mqvPrimitive, transcriptFor, type MqvPointCons } from './ecmqv.ts';
import { P256_N } from './p256.ts';
import { SUITES, compress } from './test-support.ts';
import type { KeyPair } from './suite.ts';
import hkdfVectors from './vectors/hkdf-sha256.json' with { type: 'json' };
import gcmVectors from './vectors/aes-256-gcm.json' with { type: 'json' };
import aesVectors from './vectors/aes-256-sp800-38a.json' with { type: 'json' };
import ecdhVectors from './vectors/p256-ecdh-cavp.json' with { type: 'json' };
import ecdsaVectors from './vectors/p256-ecdsa-rfc6979.json' with { type: 'json' };
import mqvVectors from './vectors/mqv-cavs.json' with { type: 'json' };
import ecmqvFrozen from './vectors/ecmqv-frozen.json' with { type: 'json' };
import eciesFrozen from './vectors/ecies-frozen.json' with { type: 'json' };

const big = (hex: string) => BigInt('0x' + hex);

describe.each(SUITES.map((s) => [s.name, s] as const))('%s suite known answers', (_name, suite) => {
  it('hkdf matches RFC 5869 test cases 1-3', () => {
    for (const v of hkdfVectors.vectors) {
      expect(toHex(suite.hkdf(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length)), v.name).toBe(v.okm);
      // The PRK is HMAC(salt, IKM) (RFC 5869 §2.2): checks hmacSha256 with a known answer too.
      expect(toHex(suite.hmacSha256(fromHex(v.salt), fromHex(v.ikm))), v.name).toBe(v.prk);
    }
  });

  it('aeadSeal/aeadOpen match GCM spec test cases 13-16', () => {
    for (const v of gcmVectors.vectors) {
      const [key, iv, pt, aad] = [v.key, v.iv, v.plaintext, v.aad].map(fromHex);
      const sealed = suite.aeadSeal(key, iv, pt, aad.length ? aad : undefined);
      expect(toHex(sealed), v.name).toBe(v.ciphertext + v.tag);
      expect(toHex(suite.aeadOpen(key, iv, sealed, aad)!), v.name).toBe(v.plaintext);
    }
  });

  it('aesEcbEncryptBlock/aesEcbDecryptBlock match SP 800-38A F.1.5/F.1.6 (ECB-AES256)', () => {
    const key = fromHex(aesVectors.key);
    aesVectors.plaintext.forEach((pt, i) => {
      expect(toHex(suite.aesEcbEncryptBlock(key, fromHex(pt))), `block ${i + 1}`).toBe(aesVectors.ecb[i]);
      expect(toHex(suite.aesEcbDecryptBlock(key, fromHex(aesVectors.ecb[i]))), `block ${i + 1}`).toBe(pt);
    });
  });

  it('aesCtr matches SP 800-38A F.5.5 (CTR-AES256), whole message and per-block counters', () => {
    const key = fromHex(aesVectors.key);
    const iv = fromHex(aesVectors.ctrInitialCounter);
    const pt = fromHex(aesVectors.plaintext.join(''));
    expect(toHex(suite.aesCtr(key, iv, pt))).toBe(aesVectors.ctr.join(''));
    expect(toHex(suite.aesCtr(key, iv, fromHex(aesVectors.ctr.join(''))))).toBe(aesVectors.plaintext.join(''));
    // A message cut mid-block uses a prefix of the keystream.
    expect(toHex(suite.aesCtr(key, iv, pt.subarray(0, 21)))).toBe(aesVectors.ctr.join('').slice(0, 42));
  });

  it('ecdh and publicKeyOf match NIST CAVP KAS ECC CDH P-256', () => {
    for (const v of ecdhVectors.vectors) {
      const d = fromHex(v.dIUT);
      expect(toHex(suite.ecdh(d, compress(v.qcavsX, v.qcavsY))), `COUNT ${v.count}`).toBe(v.zIUT);
      if (v.qiutX && v.qiutY) expect(toHex(suite.publicKeyOf(d))).toBe(toHex(compress(v.qiutX, v.qiutY)));
    }
  });

  it('sign matches RFC 6979 A.2.5 (s normalised to low-s) and verify accepts it', () => {
    const priv = fromHex(ecdsaVectors.privateKey);
    const pub = compress(ecdsaVectors.publicKeyX, ecdsaVectors.publicKeyY);
    expect(toHex(suite.publicKeyOf(priv))).toBe(toHex(pub));
    for (const v of ecdsaVectors.vectors) {
      const s = big(v.s);
      const lowS = s > P256_N >> 1n ? P256_N - s : s;
      const sig = suite.sign(priv, utf8(v.message));
      expect(toHex(sig), v.message).toBe(v.r + lowS.toString(16).padStart(64, '0'));
      expect(suite.verify(pub, utf8(v.message), sig)).toBe(true);
      // The RFC's own encoding of "sample" has a high s: we reject malleable signatures.
      if (s !== lowS) expect(suite.verify(pub, utf8(v.message), fromHex(v.r + v.s))).toBe(false);
    }
  });

  it('ecmqv and session keys reproduce the frozen ECMQV vectors from both sides', () => {
    for (const c of ecmqvFrozen.cases) {
      const pair = (k: { privateKey: string; publicKey: string }): KeyPair => ({
        privateKey: fromHex(k.privateKey),
        publicKey: fromHex(k.publicKey),
      });
      const [us, ue, vs, ve] = [c.initiator.static, c.initiator.ephemeral, c.responder.static, c.responder.ephemeral].map(pair);
      const initiator = { ownStatic: us, ownEphemeral: ue, peerStaticPub: vs.publicKey, peerEphemeralPub: ve.publicKey };
      const responder = { ownStatic: vs, ownEphemeral: ve, peerStaticPub: us.publicKey, peerEphemeralPub: ue.publicKey };
      expect(toHex(suite.ecmqv(initiator))).toBe(c.z);
      expect(toHex(suite.ecmqv(responder))).toBe(c.z);
      const transcript = transcriptFor('responder', responder);
      const keys = deriveSessionKeys(suite, fromHex(c.z), transcript);
      expect(Object.fromEntries(Object.entries(keys).map(([k, b]) => [k, toHex(b as Uint8Array)]))).toEqual(c.keys);
      expect(toHex(confirmationTag(suite, 'initiator', keys, transcript))).toBe(c.tagInitiator);
      expect(toHex(confirmationTag(suite, 'responder', keys, transcript))).toBe(c.tagResponder);
    }
  });

  it('eciesSeal reproduces the frozen ECIES vectors and eciesOpen opens them', () => {
    for (const c of eciesFrozen.cases) {
      const aad = c.aad ? fromHex(c.aad) : undefined;
      const sealed = eciesSeal(suite, new SeededRng(c.seed), fromHex(c.recipient.publicKey), fromHex(c.plaintext), aad);
      expect(toHex(sealed), c.seed).toBe(c.sealed);
      expect(toHex(eciesOpen(suite, fromHex(c.recipient.privateKey), fromHex(c.sealed), aad))).toBe(c.plaintext);
    }
  });
});

describe('reference MQV primitive against NIST CAVP MQV vectors', () => {
  // FIPS 186-4 D.1.2.1 (curve P-192); noble ships no P-192, so build it. Checked by QsIUT = dsIUT·G below.
  const P192 = weierstrass({
    p: 0xfffffffffffffffffffffffffffffffeffffffffffffffffn,
    n: 0xffffffffffffffffffffffff99def836146bc9b1b4d22831n,
    h: 1n,
    a: 0xfffffffffffffffffffffffffffffffefffffffffffffffcn,
    b: 0x64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1n,
    Gx: 0x188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012n,
    Gy: 0x07192b95ffc8da78631011ed6b24cdd573f977a11e794811n,
  });
  const point = (Point: MqvPointCons, x: string, y: string) => {
    const P = Point.fromAffine({ x: big(x), y: big(y) });
    P.assertValidity();
    return P;
  };

  it('ECC Full MQV on P-192: Z from the IUT side (init and resp files)', () => {
    for (const v of mqvVectors.p192FullMqv) {
      expect(point(P192, v.QsIUTx, v.QsIUTy).equals(P192.BASE.multiply(big(v.dsIUT)))).toBe(true);
      const z = mqvPrimitive(P192, {
        ds: big(v.dsIUT),
        de: big(v.deIUT),
        ownEphemeralX: big(v.QeIUTx),
        peerStatic: point(P192, v.QsCAVSx, v.QsCAVSy),
        peerEphemeral: point(P192, v.QeCAVSx, v.QeCAVSy),
      });
      expect(z.toString(16).padStart(48, '0'), `${v.file} COUNT ${v.count}`).toBe(v.Z);
      // And from the CAVS side, with its private keys: both parties agree.
      const zPeer = mqvPrimitive(P192, {
        ds: big(v.dsCAVS),
        de: big(v.deCAVS),
        ownEphemeralX: big(v.QeCAVSx),
        peerStatic: point(P192, v.QsIUTx, v.QsIUTy),
        peerEphemeral: point(P192, v.QeIUTx, v.QeIUTy),
      });
      expect(zPeer).toBe(z);
    }
  });

  it('One-Pass MQV on P-384 (peer static key used as its ephemeral key)', () => {
    for (const v of mqvVectors.p384OnePassMqvInitiator) {
      const Qs = point(p384.Point, v.QsCAVSx, v.QsCAVSy);
      const z = mqvPrimitive(p384.Point, {
        ds: big(v.dsIUT),
        de: big(v.deIUT),
        ownEphemeralX: big(v.QeIUTx),
        peerStatic: Qs,
        peerEphemeral: Qs,
      });
      expect(z.toString(16).padStart(96, '0'), `COUNT ${v.count}`).toBe(v.Z);
    }
  });

  it('the P-256 reference (ecmqvSharedSecret) agrees with the frozen vectors', () => {
    for (const c of ecmqvFrozen.cases) {
      const pair = (k: { privateKey: string; publicKey: string }) => ({ privateKey: fromHex(k.privateKey), publicKey: fromHex(k.publicKey) });
      const z = ecmqvSharedSecret({
        ownStatic: pair(c.initiator.static),
        ownEphemeral: pair(c.initiator.ephemeral),
        peerStaticPub: fromHex(c.responder.static.publicKey),
        peerEphemeralPub: fromHex(c.responder.ephemeral.publicKey),
      });
      expect(toHex(z)).toBe(c.z);
    }
  });
});
