import { describe, expect, it } from 'vitest';
import { Publisher } from './publisher.ts';
import type { DhtKey } from './keys.ts';
import { RecordStore, type RecordStoreInit, type StoredRecord } from './record-store.ts';
import { ValidatorRegistry } from './record-validator.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { RECORD_TYPE_VERSIONED, versionedRecord, versionedValidator } from './testing/versioned-record.ts';

const KEY = new Uint8Array(32).fill(1);
const OTHER = new Uint8Array(32).fill(2);
const HOUR = 3_600_000;

function store(init: RecordStoreInit = {}, selfKey?: DhtKey) {
  const clock = new FakeClock(0);
  const replicated: StoredRecord[] = [];
  const evicted: StoredRecord[] = [];
  const s = new RecordStore(
    {
      clock,
      validators: new ValidatorRegistry([versionedValidator]),
      replicate: (r) => void replicated.push(r),
      selfKey: selfKey === undefined ? undefined : () => selfKey,
      onEvict: (r) => void evicted.push(r),
    },
    { replicateIntervalMs: HOUR, ...init },
  );
  return { clock, replicated, evicted, s };
}

/** Key number `i`: distinct keys, the first two bytes carry `i`. */
function keyN(i: number, fill = 0x55): DhtKey {
  const k = new Uint8Array(32).fill(fill);
  k[0] = i >>> 8;
  k[1] = i & 0xff;
  return k;
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

  // Guards issue 11 item 3: without per-source quotas one NodeID (or one host with fresh NodeIDs each time)
  // fills the whole store with records nobody else wanted.
  it('caps 10,000 records from one storer at its NodeID quota, and many NodeIDs of one host at the host quota', () => {
    const { s } = store({ maxRecords: 20_000, maxRecordsPerPeer: 500, maxRecordsPerHost: 1_000 });
    const attacker = { peer: 'attacker', host: '6.6.6.6' };
    const reasons = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const r = s.put(keyN(i), versionedRecord(1, HOUR), attacker);
      const why = r.ok ? r.outcome : r.reason;
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    expect(Object.fromEntries(reasons)).toEqual({ stored: 500, 'peer-quota': 9_500 });
    // Fresh NodeIDs from the same host: the host quota (1,000 records in all) binds.
    let stored = 0;
    for (let i = 0; i < 2_000; i++) if (s.put(keyN(i, 0x66), versionedRecord(1, HOUR), { peer: `sybil-${i}`, host: '6.6.6.6' }).ok) stored++;
    expect(stored).toBe(500);
    expect(s.put(keyN(1, 0x77), versionedRecord(1, HOUR), { peer: 'sybil-x', host: '6.6.6.6' })).toEqual({ ok: false, reason: 'host-quota' });
    expect(s.heldFor({ peer: 'attacker', host: '6.6.6.6' })).toEqual({ peer: 500, host: 1_000 });
    // Everyone else still stores, and the attacker may still update what it holds.
    expect(s.put(keyN(1, 0x77), versionedRecord(1, HOUR), { peer: 'honest', host: '1.2.3.4' })).toEqual({ ok: true, outcome: 'stored' });
    expect(s.put(keyN(0), versionedRecord(2, HOUR), attacker)).toEqual({ ok: true, outcome: 'replaced' });
    expect(s.size).toBe(1_001);
  });

  it('frees a quota charge when the record expires or is deleted; our own puts are charged to nobody', () => {
    const { clock, s } = store({ maxRecordsPerPeer: 2 });
    const peer = { peer: 'p', host: 'h' };
    s.put(keyN(1), versionedRecord(1, 100), peer);
    s.put(keyN(2), versionedRecord(1, 10_000), peer);
    expect(s.put(keyN(3), versionedRecord(1, 10_000), peer)).toEqual({ ok: false, reason: 'peer-quota' });
    expect(s.put(keyN(3), versionedRecord(1, 10_000)).ok).toBe(true);
    clock.advance(100);
    s.pruneExpired();
    expect(s.put(keyN(4), versionedRecord(1, 10_000), peer).ok).toBe(true);
    s.delete(keyN(2), RECORD_TYPE_VERSIONED);
    expect(s.put(keyN(5), versionedRecord(1, 10_000), peer).ok).toBe(true);
    expect(s.heldFor(peer)).toEqual({ peer: 2, host: 2 });
  });

  // Guards issue 11 item 3: a full store used to refuse every newcomer, so whoever filled it first kept it.
  it('when full, a record closer to our key evicts the one farthest from it; a farther one is refused', () => {
    const self = new Uint8Array(32); // our key: 00..00, so distance = the key itself
    const { s, evicted } = store({ maxRecords: 3 }, self);
    const at = (b: number): DhtKey => new Uint8Array(32).fill(b);
    for (const b of [0x10, 0xf0, 0x40]) expect(s.put(at(b), versionedRecord(1, HOUR), { peer: `p${b}`, host: `h${b}` }).ok).toBe(true);
    expect(s.put(at(0xf8), versionedRecord(1, HOUR))).toEqual({ ok: false, reason: 'full' });
    expect(s.put(at(0x20), versionedRecord(1, HOUR), { peer: 'q', host: 'hq' })).toEqual({ ok: true, outcome: 'stored' });
    expect(evicted.map((r) => r.key[0])).toEqual([0xf0]);
    expect(s.put(at(0x01), versionedRecord(1, HOUR))).toEqual({ ok: true, outcome: 'stored' });
    expect(evicted.map((r) => r.key[0])).toEqual([0xf0, 0x40]);
    expect(s.all().map((r) => r.key[0]).sort((a, b) => a - b)).toEqual([0x01, 0x10, 0x20]);
    // The evicted records' quota charges went with them.
    expect(s.heldFor({ peer: 'p240', host: 'h240' })).toEqual({ peer: 0, host: 0 });
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
