import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fastestSuite } from '../../crypto/select-suite.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import { FLAWED_REPORT_TTL_MS } from './constants.ts';
import { checkFlawedReport, createFlawedReport, decodeFlawedReport, flawedReportKey, flawedReportRecord, flawedReportValidator } from './flawed-record.ts';

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
