import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { toHex } from './bytes.ts';
import {
  agreeSessionKeys,
  confirmationTag,
  ecmqvSharedSecret,
  mqvAssociateValue,
  transcriptFor,
  verifyConfirmationTag,
  type SessionKeys,
} from './ecmqv.ts';
import { nobleSuite } from './noble-suite.ts';
import { nodeSuite } from './node-suite.ts';
import { P256_N, associateValue } from './p256.ts';
import { type CryptoSuite, type EcmqvInput, type KeyPair } from './suite.ts';
import { SUITES, cryptoOutcome, invalidPublicKeys } from './test-support.ts';

interface Party {
  s: KeyPair;
  e: KeyPair;
}
function parties(seed: string, suite: CryptoSuite = nodeSuite): { u: Party; v: Party } {
  const rng = new SeededRng(seed);
  const party = () => ({ s: suite.generateKeyPair(rng), e: suite.generateKeyPair(rng) });
  return { u: party(), v: party() };
}
function inputOf(own: Party, peer: Party): EcmqvInput {
  return { ownStatic: own.s, ownEphemeral: own.e, peerStaticPub: peer.s.publicKey, peerEphemeralPub: peer.e.publicKey };
}
const hexKeys = (k: SessionKeys) => Object.values(k).map((b: Uint8Array) => toHex(b));

describe.each(SUITES.map((s) => [s.name, s] as const))('ECMQV session keys with the %s suite', (_n, suite) => {
  const { u, v } = parties('mqv-basic');

  it('agreeSessionKeys gives both sides identical keys, and the two directions differ', () => {
    const ki = agreeSessionKeys(suite, 'initiator', inputOf(u, v));
    const kr = agreeSessionKeys(suite, 'responder', inputOf(v, u));
    expect(hexKeys(ki)).toEqual(hexKeys(kr));
    expect(ki.sessionId).toHaveLength(8);
    expect(toHex(ki.initiatorToResponder)).not.toBe(toHex(ki.responderToInitiator));
    expect(toHex(ki.confirmInitiator)).not.toBe(toHex(ki.confirmResponder));
  });

  it('a wrong static key on either side gives different keys (implicit authentication)', () => {
    const mallory = parties('mqv-mallory').u;
    const honest = hexKeys(agreeSessionKeys(suite, 'initiator', inputOf(u, v)));
    // The responder believes it talks to u, but the initiator is mallory using u's name and her own key.
    const asMallory = agreeSessionKeys(suite, 'initiator', inputOf({ s: mallory.s, e: u.e }, v));
    const responderView = agreeSessionKeys(suite, 'responder', inputOf(v, u));
    expect(hexKeys(asMallory)).not.toEqual(hexKeys(responderView));
    // Same on the other side: a responder without v's static private key.
    const fakeV = agreeSessionKeys(suite, 'responder', inputOf({ s: mallory.s, e: v.e }, u));
    expect(hexKeys(fakeV)).not.toEqual(honest);
  });

  it('a swapped or replaced ephemeral key gives different keys', () => {
    const honest = hexKeys(agreeSessionKeys(suite, 'initiator', inputOf(u, v)));
    const swapped = agreeSessionKeys(suite, 'initiator', {
      ...inputOf(u, v),
      peerStaticPub: v.e.publicKey,
      peerEphemeralPub: v.s.publicKey,
    });
    expect(hexKeys(swapped)).not.toEqual(honest);
    const replay = parties('mqv-replay').v.e;
    expect(hexKeys(agreeSessionKeys(suite, 'initiator', { ...inputOf(u, v), peerEphemeralPub: replay.publicKey }))).not.toEqual(honest);
  });

  it('rejects an invalid peer point with CryptoError("bad-point")', () => {
    for (const [why, bad] of Object.entries(invalidPublicKeys(v.s.publicKey))) {
      expect(cryptoOutcome(() => suite.ecmqv({ ...inputOf(u, v), peerStaticPub: bad })), why).toBe('bad-point');
      expect(cryptoOutcome(() => suite.ecmqv({ ...inputOf(u, v), peerEphemeralPub: bad })), why).toBe('bad-point');
      expect(cryptoOutcome(() => ecmqvSharedSecret({ ...inputOf(u, v), peerEphemeralPub: bad })), why).toBe('bad-point');
    }
  });

  it('rejects an invalid own private key with CryptoError("bad-scalar")', () => {
    const zero = { ...u.s, privateKey: new Uint8Array(32) };
    expect(cryptoOutcome(() => suite.ecmqv({ ...inputOf(u, v), ownStatic: zero }))).toBe('bad-scalar');
  });

  it('confirmation tags verify for the right role and fail for the wrong role, key or transcript', () => {
    const input = inputOf(u, v);
    const t = transcriptFor('initiator', input);
    const keys = agreeSessionKeys(suite, 'initiator', input);
    const tagI = confirmationTag(suite, 'initiator', keys, t);
    const tagR = confirmationTag(suite, 'responder', keys, t);
    expect(verifyConfirmationTag(suite, 'initiator', keys, t, tagI)).toBe(true);
    expect(verifyConfirmationTag(suite, 'responder', keys, t, tagR)).toBe(true);
    expect(verifyConfirmationTag(suite, 'responder', keys, t, tagI)).toBe(false); // reflection
    const other = agreeSessionKeys(suite, 'initiator', inputOf(u, parties('mqv-other').v));
    expect(verifyConfirmationTag(suite, 'initiator', other, t, tagI)).toBe(false);
    const t2 = { ...t, responderEphemeralPub: t.initiatorEphemeralPub };
    expect(verifyConfirmationTag(suite, 'initiator', keys, t2, tagI)).toBe(false);
    expect(verifyConfirmationTag(suite, 'initiator', keys, t, tagI.subarray(0, 31))).toBe(false);
  });
});

describe('ECMQV reference and back ends agree', () => {
  it('mqvAssociateValue(n) equals the P-256 associateValue (128-bit half)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (x) => {
        expect(mqvAssociateValue(P256_N, x)).toBe(associateValue(x));
        expect(associateValue(x) >> 128n).toBe(1n);
      }),
    );
  });

  it('reference, nobleSuite and nodeSuite return the same Z for random keys', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const { u, v } = parties(seed, nobleSuite);
        const z = toHex(ecmqvSharedSecret(inputOf(u, v)));
        expect(toHex(nobleSuite.ecmqv(inputOf(u, v)))).toBe(z);
        expect(toHex(nodeSuite.ecmqv(inputOf(u, v)))).toBe(z);
        expect(toHex(nodeSuite.ecmqv(inputOf(v, u)))).toBe(z);
      }),
      { numRuns: 25 },
    );
  });

  it('one-pass style input (peer ephemeral = peer static) works in all three', () => {
    const { u, v } = parties('one-pass');
    const input = { ...inputOf(u, v), peerEphemeralPub: v.s.publicKey };
    const z = toHex(ecmqvSharedSecret(input));
    expect(toHex(nobleSuite.ecmqv(input))).toBe(z);
    expect(toHex(nodeSuite.ecmqv(input))).toBe(z);
  });
});
