/**
 * What a DHT holder (and a client, again, after fetching) checks before accepting a descriptor, cheapest test
 * first; the signature (one ECDSA verify) comes last. The holder needs no secret: it sees A' and ciphertext.
 *
 *   size          value <= maxDescriptorBytes                           else 'oversize'
 *   shape         decodes (version, lengths, A' prefix)                  else 'malformed'
 *   key           DHT key == SHA-256("paratox/v1/desc" || A')            else 'wrong-key' (someone storing a
 *                 descriptor under another account's key)
 *   lifetime      0 < expires - issued <= 2 periods, issued <= now + skew, expires > now
 *   period        issued during period p-1 or p (services pre-publish the next period near the boundary),
 *                 expires by the end of period p+1                        else 'wrong-period'
 *   signature     ECDSA by a' under A'                                   else 'bad-signature'
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { bytesEqual, type DhtKey } from '../dht/keys.ts';
import type { RecordCheck, RecordRejection, RecordValidator } from '../dht/record-validator.ts';
import { descriptorKey, periodOf, periodStartMs } from './blinding.ts';
import { MAX_CLOCK_SKEW_MS, MAX_DESCRIPTOR_BYTES, PERIOD_MS, RECORD_TYPE_DESCRIPTOR } from './constants.ts';
import { decodeDescriptor, verifyDescriptorSignature, type Descriptor } from './descriptor.ts';

export const DESCRIPTOR_REJECTIONS = [
  'oversize',
  'malformed',
  'wrong-key',
  'bad-expiry',
  'expired',
  'not-yet-valid',
  'wrong-period',
  'bad-signature',
] as const;
export type DescriptorRejection = (typeof DESCRIPTOR_REJECTIONS)[number];

/** Our reasons as the DHT's STORE_ACK statuses (record-validator.ts has a closed list). */
const AS_RECORD_REJECTION: Readonly<Record<DescriptorRejection, RecordRejection>> = {
  oversize: 'malformed',
  malformed: 'malformed',
  'wrong-key': 'foreign-binding',
  'bad-expiry': 'bad-expiry',
  expired: 'expired',
  'not-yet-valid': 'not-yet-valid',
  'wrong-period': 'bad-expiry',
  'bad-signature': 'bad-signature',
};

export interface DescriptorPolicy {
  periodMs?: number;
  maxDescriptorBytes?: number;
  maxClockSkewMs?: number;
}

export type DescriptorCheck =
  | { ok: true; descriptor: Descriptor; expiresAtMs: number; version: number }
  | { ok: false; reason: DescriptorRejection };

export function checkDescriptor(
  suite: Pick<CryptoSuite, 'sha256' | 'verify'>,
  key: DhtKey,
  value: Uint8Array,
  nowMs: number,
  policy: DescriptorPolicy = {},
): DescriptorCheck {
  const periodMs = policy.periodMs ?? PERIOD_MS;
  if (value.length > (policy.maxDescriptorBytes ?? MAX_DESCRIPTOR_BYTES)) return { ok: false, reason: 'oversize' };
  const decoded = decodeDescriptor(value);
  if (!decoded.ok) return { ok: false, reason: 'malformed' };
  const d = decoded.descriptor;
  if (!bytesEqual(descriptorKey(suite, d.blindedPub), key)) return { ok: false, reason: 'wrong-key' };
  const ttl = d.expiresAtMs - d.issuedAtMs;
  if (ttl <= 0 || ttl > 2 * periodMs) return { ok: false, reason: 'bad-expiry' };
  if (d.expiresAtMs <= nowMs) return { ok: false, reason: 'expired' };
  if (d.issuedAtMs > nowMs + (policy.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS)) return { ok: false, reason: 'not-yet-valid' };
  const issuedPeriod = periodOf(d.issuedAtMs, periodMs);
  if (issuedPeriod < d.period - 1 || issuedPeriod > d.period || d.expiresAtMs > periodStartMs(d.period + 2, periodMs)) {
    return { ok: false, reason: 'wrong-period' };
  }
  if (!verifyDescriptorSignature(suite, d)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, descriptor: d, expiresAtMs: d.expiresAtMs, version: d.issuedAtMs };
}

/**
 * The DHT record validator for RECORD_TYPE_DESCRIPTOR: register it in every DhtNode (`validators` component),
 * with the same periodMs as the AccountService. `onReject` lets a caller count the fine-grained reason.
 */
export function descriptorValidator(
  suite: Pick<CryptoSuite, 'sha256' | 'verify'>,
  policy: DescriptorPolicy = {},
  onReject?: (reason: DescriptorRejection) => void,
): RecordValidator {
  return {
    recordType: RECORD_TYPE_DESCRIPTOR,
    name: 'account-descriptor',
    validate: (key, value, nowMs): RecordCheck => {
      const check = checkDescriptor(suite, key, value, nowMs, policy);
      if (check.ok) return { ok: true, expiresAtMs: check.expiresAtMs, version: check.version };
      onReject?.(check.reason);
      return { ok: false, reason: AS_RECORD_REJECTION[check.reason] };
    },
  };
}
