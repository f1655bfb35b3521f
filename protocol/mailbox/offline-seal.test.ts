import { describe, expect, it } from 'vitest';
import { SUITES } from '../crypto/test-support.ts';
import { fromHex, toHex } from '../packet/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { mailboxKey, senderTag } from './mailbox-key.ts';
import { offlineOpen, offlineSeal, offlineSealWith, OfflineSealError, SEAL_OVERHEAD_BYTES, SeenSet } from './offline-seal.ts';
import fixture from './vectors/offline-seal.json' with { type: 'json' };
import { offlineVector } from './vectors/generate.ts';

function keys(suite: (typeof SUITES)[number]) {
  const pair = (hex: string) => ({ privateKey: fromHex(hex), publicKey: suite.publicKeyOf(fromHex(hex)) });
  return { alice: pair(fixture.senderPriv), eph: pair(fixture.ephemeralPriv), bob: pair(fixture.recipientPriv) };
}

function errorCode(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof OfflineSealError ? e.code : `other:${(e as Error).name}`;
  }
}

describe.each(SUITES.map((s) => [s.name, s] as const))('offline seal (%s)', (_name, suite) => {
  it('fixed keys give the frozen sealed bytes, mailbox key and sender tag', () => {
    expect(offlineVector(suite)).toEqual(fixture);
    const { alice, eph, bob } = keys(suite);
    const sealed = offlineSealWith(suite, alice, eph, bob.publicKey, fromHex(fixture.messageId), fromHex(fixture.plaintext));
    expect(toHex(sealed)).toBe(fixture.sealed);
    expect(toHex(mailboxKey(suite, bob.publicKey, fixture.period))).toBe(fixture.mailboxKey);
    expect(toHex(senderTag(suite, alice, bob.publicKey, fromHex(fixture.mailboxKey)))).toBe(fixture.senderTag);
  });

  it('the recipient opens the frozen bytes and learns the authenticated sender', () => {
    const { alice, bob } = keys(suite);
    const opened = offlineOpen(suite, bob, fromHex(fixture.sealed));
    expect(toHex(opened.senderPub)).toBe(toHex(alice.publicKey));
    expect(toHex(opened.messageId)).toBe(fixture.messageId);
    expect(toHex(opened.plaintext)).toBe(fixture.plaintext);
  });

  it('the sender tag is the same from both ends (ECDH(a, B) = ECDH(b, A)), so Bob can check it', () => {
    const { alice, bob } = keys(suite);
    const key = fromHex(fixture.mailboxKey);
    expect(toHex(senderTag(suite, bob, alice.publicKey, key))).toBe(fixture.senderTag);
  });

  it('flipping any byte is rejected with a typed error', () => {
    const { bob } = keys(suite);
    const sealed = fromHex(fixture.sealed);
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i] ^= 0x01;
      expect(['auth-failed', 'bad-point', 'malformed']).toContain(errorCode(() => offlineOpen(suite, bad.length ? bob : bob, bad)));
    }
    expect(errorCode(() => offlineOpen(suite, bob, sealed.subarray(0, SEAL_OVERHEAD_BYTES - 1)))).toBe('malformed');
    expect(errorCode(() => offlineOpen(suite, bob, sealed.subarray(0, sealed.length - 1)))).toBe('auth-failed');
  });

  it('a wrong recipient cannot open it, and a forged sender is rejected', () => {
    const rng = new SeededRng('seal-wrong');
    const { alice, bob } = keys(suite);
    const carol = suite.generateKeyPair(rng);
    const sealed = fromHex(fixture.sealed);
    expect(errorCode(() => offlineOpen(suite, carol, sealed))).toBe('auth-failed');
    // Mallory (who knows B only) seals under her own key but swaps Alice's key into the hidden layer: MQV Z
    // then differs (it needs a), so the message does not authenticate.
    const mallory = suite.generateKeyPair(rng);
    const eph = suite.generateKeyPair(rng);
    const forged = offlineSealWith(suite, { privateKey: mallory.privateKey, publicKey: alice.publicKey }, eph, bob.publicKey, fromHex(fixture.messageId), Uint8Array.of(1));
    expect(errorCode(() => offlineOpen(suite, bob, forged))).toBe('auth-failed');
  });

  it('seals with fresh ephemerals: two seals of one message differ and both open', () => {
    const rng = new SeededRng('seal-fresh');
    const { alice, bob } = keys(suite);
    const id = rng.bytes(16);
    const a = offlineSeal(suite, rng, alice, bob.publicKey, id, Uint8Array.of(7));
    const b = offlineSeal(suite, rng, alice, bob.publicKey, id, Uint8Array.of(7));
    expect(toHex(a)).not.toBe(toHex(b));
    expect(offlineOpen(suite, bob, a).plaintext).toEqual(Uint8Array.of(7));
    expect(offlineOpen(suite, bob, b).plaintext).toEqual(Uint8Array.of(7));
    expect(a.length).toBe(1 + SEAL_OVERHEAD_BYTES);
  });
});

describe('SeenSet', () => {
  it('admits (sender, id) once, forgets after retainMs, and never holds more than maxEntries', () => {
    const s = new SeenSet(3, 1_000);
    const a = Uint8Array.of(1);
    const id = (n: number) => Uint8Array.of(n);
    expect(s.admit(a, id(1), 0)).toBe(true);
    expect(s.admit(a, id(1), 10)).toBe(false);
    expect(s.admit(Uint8Array.of(2), id(1), 10)).toBe(true);
    expect(s.admit(a, id(2), 20)).toBe(true);
    expect(s.admit(a, id(3), 30)).toBe(true);
    expect(s.size).toBe(3);
    expect(s.has(a, id(1))).toBe(false); // oldest forgotten at the bound
    expect(s.admit(a, id(3), 1_031)).toBe(true); // retained 1 s only
  });
});
