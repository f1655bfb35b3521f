/**
 * A signed "flawed entry" report: newcomer R found entry E flawed by the cross-check and says so in the DHT, so
 * later newcomers can treat E as flawed before trusting its votes (cross-checked-join.ts, `consultFlawed`).
 *
 * Stored under key = SHA-256(u8 len || "paratox/v1/flawed-entry" || entryPub). The record is a bounded *set*
 * of reports, one slot per reporter (at most MAX_FLAWED_REPORTS): holders merge what they receive into what they
 * hold (RecordValidator.merge), a reporter's newer report replaces only its own older one, a full set refuses new
 * reporters, and a report by the accused about itself is refused (as 'foreign-binding': signed by the one key
 * that may not sign it). So the accused cannot wipe reports by writing a newer one, dated in the future or not
 * (the issue-10 attack on the earlier one-slot record, where the newest report replaced everyone's).
 *   value = report || report || ...   (1 .. MAX_FLAWED_REPORTS reports, distinct reporters, same entryPub)
 *   report = entryPub (33) || reporterPub (33) || issuedAtMs (u64) || expiresAtMs (u64) || signature (64)
 *   signed bytes = u8 len || "paratox/v1/flawed-entry" || the value's fields without the signature
 * The validator checks, per report, the storage key, the lifetime, the reporter's signature and that the reporter
 * is not the accused. Left open: the key is predictable, so Sybils ground next to it can hold and drop reports
 * (sim/adversary: reportKeySybils); only costly NodeIDs (S/Kademlia's crypto puzzles) raise that price.
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
import { hexKey } from '../../runtime/hex-key.ts';
import { ByteReader, ByteWriter, utf8, WireError } from '../wire.ts';
import { FLAWED_REPORT_TTL_MS, MAX_FLAWED_REPORTS, MAX_FLAWED_REPORT_TTL_MS, RECORD_TYPE_FLAWED_ENTRY } from './constants.ts';

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

/** Bytes of one encoded report. */
export const FLAWED_REPORT_BYTES = 2 * NODE_PUB_BYTES + 16 + SIGNATURE_BYTES;

/** A set of reports as one record value (reports in the order given). */
export function flawedReportsRecord(reports: readonly FlawedReport[]): DhtRecord {
  const parts = reports.map((r) => flawedReportRecord(r).value);
  const value = new Uint8Array(parts.length * FLAWED_REPORT_BYTES);
  parts.forEach((p, i) => value.set(p, i * FLAWED_REPORT_BYTES));
  return { recordType: RECORD_TYPE_FLAWED_ENTRY, value };
}

/** Splits a record value into its reports; undefined when it is not a whole number of well-formed reports. */
export function decodeFlawedReports(value: Uint8Array): FlawedReport[] | undefined {
  if (value.length === 0 || value.length % FLAWED_REPORT_BYTES !== 0) return undefined;
  const out: FlawedReport[] = [];
  for (let off = 0; off < value.length; off += FLAWED_REPORT_BYTES) {
    const r = decodeFlawedReport(value.subarray(off, off + FLAWED_REPORT_BYTES));
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

type Suite = Pick<CryptoSuite, 'sha256' | 'verify'>;

/** Full check of one report about the entry whose report key is `key`, cheapest test first. */
export function checkOneReport(suite: Suite, key: DhtKey, report: FlawedReport, nowMs: number): RecordCheck {
  // Stored under another entry's key: refuse, as a binding under a foreign key is refused.
  if (!keysEqual(flawedReportKey(suite, report.entryPub), key)) return { ok: false, reason: 'foreign-binding' };
  // The accused reporting itself: the wiping attack. Nothing an honest node would ever sign.
  if (keysEqual(report.reporterPub, report.entryPub)) return { ok: false, reason: 'foreign-binding' };
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
  return { ok: true, expiresAtMs: report.expiresAtMs, version: report.issuedAtMs };
}

/**
 * Full check of a report set stored under `key`: every report valid, distinct reporters, at most
 * MAX_FLAWED_REPORTS. Expiry: the latest report's; version: the sum of issuedAtMs (informational: holders merge).
 */
export function checkFlawedReport(suite: Suite, key: DhtKey, value: Uint8Array, nowMs: number): RecordCheck & { reports?: FlawedReport[] } {
  const reports = decodeFlawedReports(value);
  if (reports === undefined || reports.length > MAX_FLAWED_REPORTS) return { ok: false, reason: 'malformed' };
  const reporters = new Set(reports.map((r) => hexKey(r.reporterPub)));
  if (reporters.size !== reports.length) return { ok: false, reason: 'malformed' };
  let expiresAtMs = 0;
  let version = 0;
  for (const r of reports) {
    const check = checkOneReport(suite, key, r, nowMs);
    if (!check.ok) return check;
    expiresAtMs = Math.max(expiresAtMs, check.expiresAtMs);
    version += check.version;
  }
  return { ok: true, expiresAtMs, version, reports };
}

/**
 * Merges an incoming (already validated) set into the held one: held reporters keep their slots (a newer report
 * of the same reporter replaces its own), expired reports leave, new reporters fill free slots in arrival order.
 */
export function mergeFlawedReports(held: readonly FlawedReport[], incoming: readonly FlawedReport[], nowMs: number, max = MAX_FLAWED_REPORTS): FlawedReport[] {
  const out = held.filter((r) => r.expiresAtMs > nowMs).map((r) => r);
  for (const r of incoming) {
    const i = out.findIndex((h) => keysEqual(h.reporterPub, r.reporterPub));
    if (i >= 0) {
      if (r.issuedAtMs > out[i].issuedAtMs) out[i] = r;
    } else if (out.length < max) out.push(r);
  }
  return out;
}

export function flawedReportValidator(suite: Suite): RecordValidator {
  return {
    recordType: RECORD_TYPE_FLAWED_ENTRY,
    name: 'flawed entry reports',
    validate: (key, value, nowMs) => {
      const check = checkFlawedReport(suite, key, value, nowMs);
      return check.ok ? { ok: true, expiresAtMs: check.expiresAtMs, version: check.version } : check;
    },
    merge: (_key, held, incoming, nowMs) => flawedReportsRecord(mergeFlawedReports(decodeFlawedReports(held) ?? [], decodeFlawedReports(incoming) ?? [], nowMs)).value,
  };
}
