import { describe, expect, it } from 'vitest';
import { SUITES } from '../crypto/test-support.ts';
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import { toHex } from '../packet/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { createInit, createResponse, openInit, openResponse, verifyConfirm } from './handshake.ts';
import { contains, World } from './testing/parties.ts';
import { encodeResponse, INIT_BYTES, RESPONSE_BYTES } from './wire.ts';

function run(suite: CryptoSuite, seed = 'hs') {
  const rng = new SeededRng(seed);
  const ctx = { suite, rng };
  const alice = suite.generateKeyPair(rng.fork('alice'));
  const bob = suite.generateKeyPair(rng.fork('bob'));
  const hs = createInit(ctx, { account: alice, peerAccountPub: bob.publicKey, nowMs: 1_000 });
  return { ctx, alice, bob, hs };
}

describe.each(SUITES.map((s) => [s.name, s] as const))('conversation handshake (%s)', (_name, suite) => {
  it('both sides derive the same per-direction keys and accept each other\'s tags', () => {
    const { ctx, alice, bob, hs } = run(suite);
    expect(hs.packet).toHaveLength(INIT_BYTES);
    const init = openInit(ctx, bob, hs.packet);
    if (!init.ok) throw new Error(init.reason);
    expect(toHex(init.value.initiatorStaticPub)).toBe(toHex(alice.publicKey));
    expect(init.value.timestampMs).toBe(1_000);
    const response = createResponse(ctx, { account: bob, init: init.value });
    if (!response.ok) throw new Error(response.reason);
    expect(response.value.packet).toHaveLength(RESPONSE_BYTES);
    const result = openResponse(ctx, hs, response.value.packet);
    if (!result.ok) throw new Error(result.reason);
    expect(toHex(result.value.keys.initiatorToResponder)).toBe(toHex(response.value.keys.initiatorToResponder));
    expect(toHex(result.value.keys.responderToInitiator)).toBe(toHex(response.value.keys.responderToInitiator));
    expect(toHex(result.value.keys.initiatorToResponder)).not.toBe(toHex(result.value.keys.responderToInitiator));
    expect(verifyConfirm(suite, response.value, result.value.confirmPacket)).toEqual({ ok: true, value: true });
  });

  it('msg1 hides who Alice is: neither her key nor its x-coordinate appears in it', () => {
    const { alice, hs } = run(suite);
    expect(contains(hs.packet, alice.publicKey.subarray(1))).toBe(false);
    expect(contains(hs.packet, hs.ephemeral.publicKey.subarray(1))).toBe(false);
  });

  it('only the addressed account opens msg1', () => {
    const { ctx, hs } = run(suite);
    const mallory = suite.generateKeyPair(new SeededRng('mallory'));
    expect(openInit(ctx, mallory, hs.packet)).toEqual({ ok: false, reason: 'auth-failed' });
    const bent = hs.packet.slice();
    bent[1] ^= 0xff; // ECIES ephemeral prefix: no longer a point encoding
    expect(openInit(ctx, mallory, bent).ok).toBe(false);
    expect(openInit(ctx, mallory, hs.packet.subarray(1))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a man in the middle who swaps the responder ephemeral fails key confirmation', () => {
    const { ctx, bob, hs } = run(suite);
    const init = openInit(ctx, bob, hs.packet);
    if (!init.ok) throw new Error(init.reason);
    const response = createResponse(ctx, { account: bob, init: init.value });
    if (!response.ok) throw new Error(response.reason);
    const mitm = suite.generateKeyPair(new SeededRng('mitm'));
    const swapped = encodeResponse({ responderEphemeralPub: mitm.publicKey, tag: response.value.packet.slice(34) });
    expect(openResponse(ctx, hs, swapped)).toEqual({ ok: false, reason: 'bad-confirmation' });
    const notAPoint = response.value.packet.slice();
    notAPoint[1] = 0x07;
    expect(openResponse(ctx, hs, notAPoint)).toEqual({ ok: false, reason: 'bad-handshake' });
    // The genuine response still works after the forgeries (nothing was erased by them).
    expect(openResponse(ctx, hs, response.value.packet).ok).toBe(true);
    // A reflected tag (Bob's own) is not a valid confirm.
    const reflected = new Uint8Array(33);
    reflected[0] = 0x03;
    reflected.set(response.value.packet.slice(34), 1);
    expect(verifyConfirm(suite, response.value, reflected)).toEqual({ ok: false, reason: 'bad-confirmation' });
  });
});

describe('forward secrecy', () => {
  it('both MQV ephemeral private keys are zeroed once the session is up', () => {
    const [suite] = SUITES;
    const generated: KeyPair[] = [];
    const spy: CryptoSuite = { ...suite, generateKeyPair: (rng) => (generated.push(suite.generateKeyPair(rng)), generated.at(-1)!) };
    const world = new World({ suite: spy });
    const alice = world.party('alice');
    const bob = world.party('bob');
    const accounts = new Set([toHex(alice.account.privateKey), toHex(bob.account.privateKey)]);
    generated.length = 0;
    alice.service.send(bob.account.publicKey, new Uint8Array([1, 2, 3]));
    world.clock.advance(1_000);
    expect(bob.inbox).toHaveLength(1);
    // In order: EA (createInit), msg1's ECIES ephemeral (ecies.ts drops it without zeroing; it can only
    // reopen msg1, which holds public keys), ER (createResponse).
    expect(generated.length).toBe(3);
    for (const kp of [generated[0], generated[2]]) {
      expect(accounts.has(toHex(kp.publicKey))).toBe(false);
      expect(kp.privateKey.every((b) => b === 0)).toBe(true);
    }
  });
});
