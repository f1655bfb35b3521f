import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import {
  BINDING_DOMAIN,
  bindingSigningBytes,
  bindingValidator,
  checkBinding,
  createBinding,
  decodeBinding,
  encodeBinding,
  verifyBinding,
  type Binding,
} from './binding.ts';
import { BINDING_TTL_MS, MAX_CLOCK_SKEW_MS, RECORD_TYPE_BINDING } from './constants.ts';
import { keyOfNodePub } from './keys.ts';

const suite = nobleSuite;
const rng = new SeededRng('binding-tests');
const alice = suite.generateKeyPair(rng);
const mallory = suite.generateKeyPair(rng);
const aliceKey = keyOfNodePub(suite, alice.publicKey);
const NOW = 1_700_000_000_000;

function aliceBinding(overrides: Partial<{ address: string; nowMs: number; ttlMs: number }> = {}): Binding {
  return createBinding(suite, alice.privateKey, { nodePub: alice.publicKey, address: '198.51.100.7:4433', nowMs: NOW, ...overrides });
}

describe('bindings', () => {
  it('signs over the domain label and the canonical fields; verifies; round-trips through its encoding', () => {
    const b = aliceBinding();
    const signed = bindingSigningBytes(b);
    expect(new TextDecoder().decode(signed.subarray(1, 1 + BINDING_DOMAIN.length))).toBe(BINDING_DOMAIN);
    expect(signed[0]).toBe(BINDING_DOMAIN.length);
    expect(verifyBinding(suite, b)).toBe(true);
    expect(b.expiresAtMs - b.issuedAtMs).toBe(BINDING_TTL_MS);
    expect(decodeBinding(encodeBinding(b))).toEqual({ ok: true, binding: b });
    expect(checkBinding(suite, aliceKey, encodeBinding(b), NOW)).toMatchObject({ ok: true, version: NOW, expiresAtMs: b.expiresAtMs });
  });

  it('a signature over the fields without the domain label does not verify', () => {
    const b = aliceBinding();
    const unlabelled = bindingSigningBytes(b).subarray(1 + BINDING_DOMAIN.length);
    expect(verifyBinding(suite, { ...b, signature: suite.sign(alice.privateKey, unlabelled) })).toBe(false);
  });

  it('changing any signed field breaks the signature', () => {
    const b = aliceBinding();
    const tampered: Binding[] = [
      { ...b, address: '203.0.113.9:4433' },
      { ...b, issuedAtMs: b.issuedAtMs + 1 },
      { ...b, expiresAtMs: b.expiresAtMs + 1 },
      { ...b, signature: b.signature.map((x, i) => (i === 10 ? x ^ 1 : x)) },
    ];
    for (const t of tampered) {
      expect(verifyBinding(suite, t)).toBe(false);
      expect(checkBinding(suite, aliceKey, encodeBinding(t), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    }
  });

  it("Mallory's binding is 'foreign-binding' under Alice's key, whoever signed it", () => {
    const own = createBinding(suite, mallory.privateKey, { nodePub: mallory.publicKey, address: '203.0.113.66:1', nowMs: NOW });
    expect(checkBinding(suite, aliceKey, encodeBinding(own), NOW)).toEqual({ ok: false, reason: 'foreign-binding' });
    // Alice's nodePub with Mallory's signature: right key, wrong signer.
    const forged = createBinding(suite, mallory.privateKey, { nodePub: alice.publicKey, address: '203.0.113.66:1', nowMs: NOW });
    expect(checkBinding(suite, aliceKey, encodeBinding(forged), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('lifetime checks: expired, issued too far in the future, implausible lifetime', () => {
    const b = encodeBinding(aliceBinding({ ttlMs: 1000 }));
    expect(checkBinding(suite, aliceKey, b, NOW + 999).ok).toBe(true);
    expect(checkBinding(suite, aliceKey, b, NOW + 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(checkBinding(suite, aliceKey, b, NOW - MAX_CLOCK_SKEW_MS - 1)).toEqual({ ok: false, reason: 'not-yet-valid' });
    const long = encodeBinding(aliceBinding({ ttlMs: 1000 * 3600 * 1000 }));
    expect(checkBinding(suite, aliceKey, long, NOW)).toEqual({ ok: false, reason: 'bad-expiry' });
    expect(checkBinding(suite, aliceKey, long, NOW, { maxTtlMs: 1000 * 3600 * 1000 }).ok).toBe(true);
  });

  it('the record validator maps to the binding record type and rejects malformed bytes', () => {
    const v = bindingValidator(suite);
    expect(v.recordType).toBe(RECORD_TYPE_BINDING);
    expect(v.validate(aliceKey, new Uint8Array(10), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(v.validate(aliceKey, encodeBinding(aliceBinding()), NOW)).toEqual({ ok: true, version: NOW, expiresAtMs: NOW + BINDING_TTL_MS });
  });

  it('createBinding refuses unencodable fields', () => {
    expect(() => aliceBinding({ address: '' })).toThrow(RangeError);
    expect(() => aliceBinding({ address: 'x'.repeat(65) })).toThrow(RangeError);
    expect(() => aliceBinding({ ttlMs: 0 })).toThrow(RangeError);
  });

  it('decodeBinding never throws on random or mutated bytes', () => {
    const valid = encodeBinding(aliceBinding());
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const r = decodeBinding(b);
        if (r.ok) expect(encodeBinding(r.binding)).toEqual(b);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(valid.length), (i, x, cut) => {
        const b = valid.slice(0, Math.max(cut, i + 1));
        b[i] ^= x;
        const r = decodeBinding(b);
        expect(r.ok ? 'ok' : r.error).toMatch(/^(ok|truncated|bad-length|bad-address|bad-pub|bad-field)$/);
      }),
      { numRuns: 500 },
    );
  });
});
