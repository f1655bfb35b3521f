import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesToHex } from '@noble/hashes/utils.js';
import { fastestSuite } from '../../crypto/select-suite.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import { MAX_CLOCK_SKEW_MS } from '../constants.ts';
import { RecordStore } from '../record-store.ts';
import { ValidatorRegistry } from '../record-validator.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { FLAWED_REPORT_TTL_MS, MAX_FLAWED_REPORTS, RECORD_TYPE_FLAWED_ENTRY } from './constants.ts';
import {
  checkFlawedReport,
  createFlawedReport,
  decodeFlawedReport,
  decodeFlawedReports,
  flawedReportKey,
  flawedReportRecord,
  flawedReportsRecord,
  flawedReportValidator,
  mergeFlawedReports,
} from './flawed-record.ts';

const suite = fastestSuite();
const rng = new SeededRng(5);
const reporter = suite.generateKeyPair(rng.fork('reporter'));
const entry = suite.generateKeyPair(rng.fork('entry'));
const other = suite.generateKeyPair(rng.fork('other'));
const sign = (m: Uint8Array) => suite.sign(reporter.privateKey, m);
const report = createFlawedReport(sign, { entryPub: entry.publicKey, reporterPub: reporter.publicKey, nowMs: 1_000 });
const { value } = flawedReportRecord(report);
const key = flawedReportKey(suite, entry.publicKey);

describe('flawed-entry report', () => {
  it('round-trips and validates under the accused entry key', () => {
    expect(decodeFlawedReport(value)).toEqual(report);
    expect(flawedReportValidator(suite).validate(key, value, 2_000)).toEqual({ ok: true, expiresAtMs: 1_000 + FLAWED_REPORT_TTL_MS, version: 1_000 });
  });

  it('is refused under another entry key, expired, forged, or truncated', () => {
    expect(checkFlawedReport(suite, flawedReportKey(suite, other.publicKey), value, 2_000)).toMatchObject({ ok: false, reason: 'foreign-binding' });
    expect(checkFlawedReport(suite, key, value, 1_000 + FLAWED_REPORT_TTL_MS)).toMatchObject({ ok: false, reason: 'expired' });
    const forged = createFlawedReport((m) => suite.sign(other.privateKey, m), { entryPub: entry.publicKey, reporterPub: reporter.publicKey, nowMs: 1_000 });
    expect(checkFlawedReport(suite, key, flawedReportRecord(forged).value, 2_000)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(checkFlawedReport(suite, key, value.slice(0, -1), 2_000)).toMatchObject({ ok: false, reason: 'malformed' });
    const long = createFlawedReport(sign, { entryPub: entry.publicKey, reporterPub: reporter.publicKey, nowMs: 1_000, ttlMs: 48 * 3_600_000 });
    expect(checkFlawedReport(suite, key, flawedReportRecord(long).value, 2_000)).toMatchObject({ ok: false, reason: 'bad-expiry' });
  });

  it('a flipped byte never validates and never throws (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: value.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const bad = value.slice();
        bad[at] ^= x;
        expect(checkFlawedReport(suite, key, bad, 2_000).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('flawed-entry reports: a bounded set keyed by reporter (issue 10)', () => {
  const reporterB = suite.generateKeyPair(rng.fork('reporter-b'));
  const by = (kp: typeof reporter, nowMs: number, about = entry.publicKey) =>
    createFlawedReport((m) => suite.sign(kp.privateKey, m), { entryPub: about, reporterPub: kp.publicKey, nowMs });
  const store = () => {
    const clock = new FakeClock(10_000);
    return new RecordStore({ clock, validators: new ValidatorRegistry([flawedReportValidator(suite)]) });
  };
  const reportersIn = (s: RecordStore) =>
    decodeFlawedReports(s.get(key, RECORD_TYPE_FLAWED_ENTRY)!.value)!.map((r) => bytesToHex(r.reporterPub));

  it('refuses a self-report: the accused cannot sign a report about itself', () => {
    const self = by(entry, 10_000);
    expect(checkFlawedReport(suite, key, flawedReportRecord(self).value, 10_000)).toMatchObject({ ok: false, reason: 'foreign-binding' });
    const s = store();
    expect(s.put(key, flawedReportRecord(self))).toEqual({ ok: false, reason: 'foreign-binding' });
  });

  it('a future-dated report by the accused or anyone else never replaces another reporter', () => {
    const s = store();
    expect(s.put(key, flawedReportRecord(by(reporter, 9_000)))).toEqual({ ok: true, outcome: 'stored' });
    // The wiping attack of the one-slot record: a newer report, dated as far ahead as the clock skew allows.
    const ahead = 10_000 + MAX_CLOCK_SKEW_MS - 1;
    expect(s.put(key, flawedReportRecord(by(entry, ahead))).ok).toBe(false);
    expect(s.put(key, flawedReportRecord(by(reporterB, ahead)))).toEqual({ ok: true, outcome: 'replaced' });
    expect(reportersIn(s)).toEqual([bytesToHex(reporter.publicKey), bytesToHex(reporterB.publicKey)]);
    // Beyond the skew it is refused outright.
    expect(checkFlawedReport(suite, key, flawedReportRecord(by(reporterB, 10_000 + MAX_CLOCK_SKEW_MS + 1)).value, 10_000)).toMatchObject({
      ok: false,
      reason: 'not-yet-valid',
    });
  });

  it("a reporter's newer report replaces only its own; a full set refuses new reporters", () => {
    const own = mergeFlawedReports([by(reporter, 1_000), by(reporterB, 1_000)], [by(reporter, 5_000)], 10_000);
    expect(own.map((r) => r.issuedAtMs)).toEqual([5_000, 1_000]);
    const many = Array.from({ length: MAX_FLAWED_REPORTS + 2 }, (_, i) => by(suite.generateKeyPair(rng.fork(`r${i}`)), 1_000));
    const full = mergeFlawedReports(many.slice(0, MAX_FLAWED_REPORTS), many.slice(MAX_FLAWED_REPORTS), 10_000);
    expect(full).toHaveLength(MAX_FLAWED_REPORTS);
    expect(full.map((r) => r.reporterPub)).toEqual(many.slice(0, MAX_FLAWED_REPORTS).map((r) => r.reporterPub));
    // Expired reports leave and free their slot.
    expect(mergeFlawedReports([by(reporter, 1_000)], [], 1_000 + FLAWED_REPORT_TTL_MS)).toEqual([]);
    // A set with a duplicate reporter or more than the bound is malformed.
    expect(checkFlawedReport(suite, key, flawedReportsRecord([by(reporter, 1_000), by(reporter, 2_000)]).value, 3_000)).toMatchObject({ ok: false, reason: 'malformed' });
    const over = Array.from({ length: MAX_FLAWED_REPORTS + 1 }, (_, i) => by(suite.generateKeyPair(rng.fork(`o${i}`)), 1_000));
    expect(checkFlawedReport(suite, key, flawedReportsRecord(over).value, 3_000)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
