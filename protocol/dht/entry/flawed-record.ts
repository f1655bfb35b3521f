/**
 * A signed "flawed entry" report: newcomer R found entry E flawed by the cross-check and says so in the DHT, so
 * later newcomers can treat E as flawed before trusting its votes (cross-checked-join.ts, `consultFlawed`).
 *
 * Stored under key = SHA-256(u8 len || "paratox/v1/flawed-entry" || entryPub), one record per entry; a newer
 * report (higher issuedAtMs) supersedes an older one, whoever wrote it.
 *   value = entryPub (33) || reporterPub (33) || issuedAtMs (u64) || expiresAtMs (u64) || signature (64)
 *   signed bytes = u8 len || "paratox/v1/flawed-entry" || the value's fields without the signature
 * The validator checks the storage key, the lifetime and the reporter's signature.
 *
 * What a report proves: that the holder of reporterPub accused E, nothing more. Any node can accuse any entry, so
 * a report only removes E from the set of entries whose votes count; it never makes anyone trust a contact, and
 * the worst a false report does is cost an honest entry its vote for the report's lifetime.
 */
import type { CryptoSuite } from '../../crypto/suite.ts';
import { MAX_CLOCK_SKEW_MS, NODE_PUB_BYTES, SIGNATURE_BYTES } from '../constants.ts';
import type { DhtKey } from '../keys.ts';
import { keysEqual } from '../keys.ts';
import type { RecordCheck, RecordValidator } from '../record-validator.ts';
import type { DhtRecord } from '../types.ts';
import { ByteReader, ByteWriter, utf8, WireError } from '../wire.ts';
import { FLAWED_REPORT_TTL_MS, MAX_FLAWED_REPORT_TTL_MS, RECORD_TYPE_FLAWED_ENTRY } from './constants.ts';

export const FLAWED_DOMAIN = 'paratox/v1/flawed-entry';
const DOMAIN_BYTES = utf8(FLAWED_DOMAIN);

export interface FlawedReportFields {
  readonly entryPub: Uint8Array;
  readonly reporterPub: Uint8Array;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

export interface FlawedReport extends FlawedReportFields {
  readonly signature: Uint8Array;
}

/** Where reports about `entryPub` are stored. */
export function flawedReportKey(suite: Pick<CryptoSuite, 'sha256'>, entryPub: Uint8Array): DhtKey {
  return suite.sha256(new ByteWriter(64).u8(DOMAIN_BYTES.length).bytes(DOMAIN_BYTES).bytes(entryPub).finish());
}

function writeFields(w: ByteWriter, f: FlawedReportFields): ByteWriter {
  if (f.entryPub.length !== NODE_PUB_BYTES || f.reporterPub.length !== NODE_PUB_BYTES) throw new RangeError('flawed report: keys must be 33 bytes');
  return w.bytes(f.entryPub).bytes(f.reporterPub).u64(f.issuedAtMs).u64(f.expiresAtMs);
}

export function flawedReportSigningBytes(f: FlawedReportFields): Uint8Array {
  return writeFields(new ByteWriter(128).u8(DOMAIN_BYTES.length).bytes(DOMAIN_BYTES), f).finish();
}

/** Signs a report that `entryPub` is flawed, valid from `nowMs` for `ttlMs`. */
export function createFlawedReport(
  sign: (message: Uint8Array) => Uint8Array,
  fields: { entryPub: Uint8Array; reporterPub: Uint8Array; nowMs: number; ttlMs?: number },
): FlawedReport {
  const issuedAtMs = Math.floor(fields.nowMs);
  const f = { entryPub: fields.entryPub, reporterPub: fields.reporterPub, issuedAtMs, expiresAtMs: issuedAtMs + (fields.ttlMs ?? FLAWED_REPORT_TTL_MS) };
  const signature = sign(flawedReportSigningBytes(f));
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError('flawed report: signature must be 64 bytes');
  return { ...f, signature };
}

export function flawedReportRecord(report: FlawedReport): DhtRecord {
  return { recordType: RECORD_TYPE_FLAWED_ENTRY, value: writeFields(new ByteWriter(192), report).bytes(report.signature).finish() };
}

export function decodeFlawedReport(value: Uint8Array): FlawedReport | undefined {
  try {
    const r = new ByteReader(value);
    const entryPub = r.nodePub('entryPub');
    const reporterPub = r.nodePub('reporterPub');
    const issuedAtMs = r.u64('issuedAtMs');
    const expiresAtMs = r.u64('expiresAtMs');
    const signature = r.bytes(SIGNATURE_BYTES, 'signature');
    r.end();
    return { entryPub, reporterPub, issuedAtMs, expiresAtMs, signature };
  } catch (err) {
    if (err instanceof WireError) return undefined;
    throw err;
  }
}

/** Full check of a report stored under `key`, cheapest test first. */
export function checkFlawedReport(
  suite: Pick<CryptoSuite, 'sha256' | 'verify'>,
  key: DhtKey,
  value: Uint8Array,
  nowMs: number,
): RecordCheck & { report?: FlawedReport } {
  const report = decodeFlawedReport(value);
  if (report === undefined) return { ok: false, reason: 'malformed' };
  // Stored under another entry's key: refuse, as a binding under a foreign key is refused.
  if (!keysEqual(flawedReportKey(suite, report.entryPub), key)) return { ok: false, reason: 'foreign-binding' };
  const ttl = report.expiresAtMs - report.issuedAtMs;
  if (ttl <= 0 || ttl > MAX_FLAWED_REPORT_TTL_MS) return { ok: false, reason: 'bad-expiry' };
  if (report.expiresAtMs <= nowMs) return { ok: false, reason: 'expired' };
  if (report.issuedAtMs > nowMs + MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'not-yet-valid' };
  let valid = false;
  try {
    valid = suite.verify(report.reporterPub, flawedReportSigningBytes(report), report.signature);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'bad-signature' };
  return { ok: true, expiresAtMs: report.expiresAtMs, version: report.issuedAtMs, report };
}

export function flawedReportValidator(suite: Pick<CryptoSuite, 'sha256' | 'verify'>): RecordValidator {
  return {
    recordType: RECORD_TYPE_FLAWED_ENTRY,
    name: 'flawed entry report',
    validate: (key, value, nowMs) => {
      const check = checkFlawedReport(suite, key, value, nowMs);
      return check.ok ? { ok: true, expiresAtMs: check.expiresAtMs, version: check.version } : check;
    },
  };
}
