import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../crypto/bytes.ts';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { STORE_OVERHEAD_BYTES } from '../dht/messages.ts';
import { MAX_BODY_BYTES } from '../dht/constants.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { blindPublicKey, descriptorKey } from './blinding.ts';
import { MAX_DESCRIPTOR_BYTES, PERIOD_MS, RECORD_TYPE_DESCRIPTOR } from './constants.ts';
import { checkDescriptor, descriptorValidator } from './descriptor-check.ts';
import { createDescriptor, decodeDescriptor, encodeDescriptor, openDescriptor } from './descriptor.ts';
import type { IntroPointInfo } from './intro-list.ts';

const suite = nobleSuite;
const rng = new SeededRng('descriptor');
const account = suite.generateKeyPair(rng);
const period = 20_000;
const now = period * PERIOD_MS + 3_600_000;
const longAddress = 'relay-with-a-rather-long-host-name.example.org:65535'.padEnd(64, 'x');
const intros: IntroPointInfo[] = [0, 1, 2].map((i) => ({
  relay: { address: i === 0 ? longAddress : `10.0.0.${i}:7000`, nodePub: suite.generateKeyPair(rng).publicKey },
  authKey: suite.generateKeyPair(rng).publicKey,
  encKey: suite.generateKeyPair(rng).publicKey,
}));
const made = createDescriptor(suite, rng, { account, period, nowMs: now, ttlMs: 3 * 3_600_000, intros });

function mutate(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index] ^= 0x01;
  return out;
}

describe('account descriptor', () => {
  it('is stored under SHA-256("paratox/v1/desc" || A′) and checks out for a holder', () => {
    expect(toHex(made.key)).toBe(toHex(descriptorKey(suite, blindPublicKey(suite, account.publicKey, period))));
    const check = checkDescriptor(suite, made.key, made.value, now);
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.version).toBe(now);
  });

  it('decrypts with A to the intro points, and round-trips through its encoding', () => {
    const d = decodeDescriptor(made.value);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(toHex(encodeDescriptor(d.descriptor))).toBe(toHex(made.value));
    const opened = openDescriptor(suite, account.publicKey, d.descriptor);
    expect(opened?.map((i) => i.relay.address)).toEqual(intros.map((i) => i.relay.address));
    expect(opened?.map((i) => toHex(i.encKey))).toEqual(intros.map((i) => toHex(i.encKey)));
  });

  it('cannot be decrypted without A (another account key)', () => {
    const d = decodeDescriptor(made.value);
    if (!d.ok) throw new Error('decode');
    expect(openDescriptor(suite, suite.generateKeyPair(rng).publicKey, d.descriptor)).toBeNull();
  });

  it('fits a DHT STORE with room to spare, and has the same size for 1 or 3 intro points', () => {
    expect(made.value.length).toBeLessThanOrEqual(MAX_DESCRIPTOR_BYTES);
    expect(made.value.length + STORE_OVERHEAD_BYTES).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const one = createDescriptor(suite, rng, { account, period, nowMs: now, ttlMs: 1000, intros: intros.slice(1, 2) });
    expect(one.value.length).toBe(made.value.length);
  });

  it('storer test: the stored bytes contain neither A nor any intro address, node key or intro key in clear', () => {
    const hex = toHex(made.value);
    const needles = [account.publicKey, ...intros.flatMap((i) => [i.relay.nodePub, i.authKey, i.encKey, utf8(i.relay.address)])];
    for (const n of needles) {
      // any 8-byte window of the secret-ish value
      for (let off = 0; off + 8 <= n.length; off += 8) expect(hex).not.toContain(toHex(n.subarray(off, off + 8)));
    }
  });

  it('rejects every single-bit flip (signature or decoding fails)', () => {
    for (let i = 0; i < made.value.length; i += 7) {
      const check = checkDescriptor(suite, made.key, mutate(made.value, i), now);
      expect(check.ok, `byte ${i}`).toBe(false);
    }
  });

  it('rejects a descriptor served under another key (wrong-key)', () => {
    const other = createDescriptor(suite, rng, { account: suite.generateKeyPair(rng), period, nowMs: now, ttlMs: 1000, intros });
    expect(checkDescriptor(suite, other.key, made.value, now)).toEqual({ ok: false, reason: 'wrong-key' });
  });

  it('rejects expired, future and over-long descriptors', () => {
    expect(checkDescriptor(suite, made.key, made.value, now + 3 * 3_600_000)).toEqual({ ok: false, reason: 'expired' });
    expect(checkDescriptor(suite, made.key, made.value, now - 10 * 60_000)).toEqual({ ok: false, reason: 'not-yet-valid' });
    const long = createDescriptor(suite, rng, { account, period, nowMs: now, ttlMs: 2 * PERIOD_MS + 1, intros });
    expect(checkDescriptor(suite, long.key, long.value, now)).toEqual({ ok: false, reason: 'bad-expiry' });
  });

  it('rejects a descriptor whose period does not match its issue time (wrong-period)', () => {
    // Signed for period+2 while issued in period: a replayable far-future descriptor.
    const ahead = createDescriptor(suite, rng, { account, period: period + 2, nowMs: now, ttlMs: 1000, intros });
    expect(checkDescriptor(suite, ahead.key, ahead.value, now)).toEqual({ ok: false, reason: 'wrong-period' });
    // Signed for an old period but issued now.
    const behind = createDescriptor(suite, rng, { account, period: period - 1, nowMs: now, ttlMs: 1000, intros });
    expect(checkDescriptor(suite, behind.key, behind.value, now)).toEqual({ ok: false, reason: 'wrong-period' });
    // The next period's descriptor, published near the boundary, is fine.
    const next = createDescriptor(suite, rng, { account, period: period + 1, nowMs: now, ttlMs: 1000, intros });
    expect(checkDescriptor(suite, next.key, next.value, now).ok).toBe(true);
  });

  it('rejects a signature by the unblinded key a', () => {
    const d = decodeDescriptor(made.value);
    if (!d.ok) throw new Error('decode');
    const forged = encodeDescriptor({ ...d.descriptor, signature: suite.sign(account.privateKey, utf8('x')) });
    expect(checkDescriptor(suite, made.key, forged, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects oversize values before decoding', () => {
    expect(checkDescriptor(suite, made.key, new Uint8Array(MAX_DESCRIPTOR_BYTES + 1), now)).toEqual({ ok: false, reason: 'oversize' });
  });

  it('as a DHT validator: maps reasons to STORE_ACK statuses, newer issuedAt is a higher version', () => {
    const reasons: string[] = [];
    const v = descriptorValidator(suite, {}, (r) => reasons.push(r));
    expect(v.recordType).toBe(RECORD_TYPE_DESCRIPTOR);
    const later = createDescriptor(suite, rng, { account, period, nowMs: now + 1000, ttlMs: 3_600_000, intros });
    const a = v.validate(made.key, made.value, now + 1000);
    const b = v.validate(later.key, later.value, now + 1000);
    expect(a.ok && b.ok && b.version > a.version).toBe(true);
    expect(v.validate(made.key, mutate(made.value, 0), now)).toEqual({ ok: false, reason: 'malformed' });
    expect(v.validate(new Uint8Array(32), made.value, now)).toEqual({ ok: false, reason: 'foreign-binding' });
    expect(reasons).toEqual(['malformed', 'wrong-key']);
  });
});
