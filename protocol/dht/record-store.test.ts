import { describe, expect, it } from 'vitest';
import { Publisher } from './publisher.ts';
import { RecordStore, type StoredRecord } from './record-store.ts';
import { ValidatorRegistry } from './record-validator.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { RECORD_TYPE_VERSIONED, versionedRecord, versionedValidator } from './testing/versioned-record.ts';

const KEY = new Uint8Array(32).fill(1);
const OTHER = new Uint8Array(32).fill(2);
const HOUR = 3_600_000;

function store(init: { maxRecords?: number; maxValueBytes?: number } = {}) {
  const clock = new FakeClock(0);
  const replicated: StoredRecord[] = [];
  const s = new RecordStore(
    { clock, validators: new ValidatorRegistry([versionedValidator]), replicate: (r) => void replicated.push(r) },
    { replicateIntervalMs: HOUR, ...init },
  );
  return { clock, replicated, s };
}

describe('RecordStore', () => {
  it('stores a valid record and returns it until it expires', () => {
    const { clock, s } = store();
    expect(s.put(KEY, versionedRecord(1, 10_000))).toEqual({ ok: true, outcome: 'stored' });
    expect(s.get(KEY, RECORD_TYPE_VERSIONED)?.version).toBe(1);
    expect(s.get(KEY, 99)).toBeUndefined();
    clock.advance(10_000);
    expect(s.get(KEY, RECORD_TYPE_VERSIONED)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('a newer version supersedes, an older one is refused as stale, the same one is a no-op refresh', () => {
    const { s } = store();
    s.put(KEY, versionedRecord(5, 10_000));
    expect(s.put(KEY, versionedRecord(4, 20_000))).toEqual({ ok: false, reason: 'stale' });
    expect(s.put(KEY, versionedRecord(5, 10_000))).toEqual({ ok: true, outcome: 'unchanged' });
    expect(s.put(KEY, versionedRecord(5, 20_000))).toEqual({ ok: false, reason: 'stale' });
    expect(s.put(KEY, versionedRecord(6, 20_000))).toEqual({ ok: true, outcome: 'replaced' });
    expect(s.get(KEY, RECORD_TYPE_VERSIONED)?.expiresAtMs).toBe(20_000);
  });

  it('refuses unknown record types, invalid values, oversize values, and new keys when full', () => {
    const { s } = store({ maxRecords: 1, maxValueBytes: 50 });
    expect(s.put(KEY, { recordType: 3, value: new Uint8Array(1) })).toEqual({ ok: false, reason: 'unknown-record-type' });
    expect(s.put(KEY, { recordType: RECORD_TYPE_VERSIONED, value: new Uint8Array(3) })).toEqual({ ok: false, reason: 'malformed' });
    expect(s.put(KEY, versionedRecord(1, 0))).toEqual({ ok: false, reason: 'expired' });
    expect(s.put(KEY, versionedRecord(1, 10, new Uint8Array(60)))).toEqual({ ok: false, reason: 'oversize' });
    expect(s.put(KEY, versionedRecord(1, 10_000)).ok).toBe(true);
    expect(s.put(OTHER, versionedRecord(1, 10_000))).toEqual({ ok: false, reason: 'full' });
    expect(s.put(KEY, versionedRecord(2, 10_000)).ok).toBe(true); // updates still go through
  });

  it('a full store makes room by pruning expired records first', () => {
    const { clock, s } = store({ maxRecords: 1 });
    s.put(KEY, versionedRecord(1, 100));
    clock.advance(100);
    expect(s.put(OTHER, versionedRecord(1, 10_000)).ok).toBe(true);
  });

  it('hands records to replicate() hourly, skipping those re-STOREd within the hour (§2.5)', () => {
    const { clock, replicated, s } = store();
    s.start();
    s.put(KEY, versionedRecord(1, 10 * HOUR));
    clock.advance(HOUR / 2);
    s.put(OTHER, versionedRecord(1, 10 * HOUR));
    clock.advance(HOUR / 2); // t = 1 h: KEY is an hour old, OTHER half an hour
    expect(replicated.map((r) => r.key[0])).toEqual([1]);
    clock.advance(HOUR / 2);
    s.put(KEY, versionedRecord(1, 10 * HOUR)); // someone else replicated KEY to us
    clock.advance(HOUR / 2); // t = 2 h
    expect(replicated.map((r) => r.key[0])).toEqual([1, 2]);
    s.stop();
    clock.advance(5 * HOUR);
    expect(replicated).toHaveLength(2);
  });
});

describe('Publisher', () => {
  it('republishes each publication every interval with a freshly produced record, until removed', () => {
    const clock = new FakeClock(0);
    const published: number[] = [];
    const p = new Publisher({ clock, publish: (pub) => void published.push(pub.record.value[3]) }, { republishIntervalMs: 1000 });
    let version = 0;
    p.add('a', () => ({ key: KEY, record: versionedRecord(++version, 1e9) }));
    clock.advance(3500);
    expect(published).toEqual([1, 2, 3]);
    p.add('b', () => ({ key: OTHER, record: versionedRecord(100, 1e9) }), 200);
    clock.advance(500);
    expect(published).toEqual([1, 2, 3, 100, 100, 4]);
    expect(p.remove('a')).toBe(true);
    p.stop();
    clock.advance(5000);
    expect(published).toHaveLength(6);
  });
});
