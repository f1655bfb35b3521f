/**
 * Records this node holds for others (Kademlia §2.5), keyed by (DHT key, record type). Each record is validated
 * by its type's validator on every STORE, carries its own expiry, and a newer version supersedes an older one.
 *
 * Replication: every `replicateIntervalMs` the store drops expired records and hands each record that nobody
 * re-STOREd during the last interval to the injected `replicate` callback (the node STOREs it at the k closest
 * nodes it finds). Skipping records that arrived recently is the paper's optimisation: if another holder just
 * replicated a record, the k closest already have it.
 *
 * Bounded (an attacker can mint NodeIDs and self-signed records for free):
 *  - per source: a new (key, type) from a remote storer counts against its NodeID's and its host's quota
 *    (source-quota.ts), refused with 'peer-quota' / 'host-quota' beyond it;
 *  - in all: at `maxRecords` a new (key, type) evicts the held record farthest from our own key if the new key
 *    is closer to us than it (we are the better holder of the closer one: lookups for it end near us), and is
 *    refused with 'full' otherwise. Updates of held records always go through.
 * Whether we should hold a key at all (the store radius) is the STORE handler's check: it needs the routing
 * table. The store never touches the network.
 */
import type { Clock, TimerId } from '../runtime/clock.ts';
import { hexKey } from '../runtime/hex-key.ts';
import { MAX_RECORDS, REPLICATE_INTERVAL_MS } from './constants.ts';
import { bytesEqual, compareDistance, type DhtKey } from './keys.ts';
import type { RecordRejection, ValidatorRegistry } from './record-validator.ts';
import { SourceQuota, type QuotaRefusal, type RecordSource, type SourceQuotaInit } from './source-quota.ts';
import type { DhtRecord } from './types.ts';

export interface StoredRecord extends DhtRecord {
  readonly key: DhtKey;
  readonly expiresAtMs: number;
  readonly version: number;
  /** Last time a STORE for this record arrived (or we replicated it ourselves). */
  readonly refreshedAtMs: number;
}

export type StoreRejection = RecordRejection | QuotaRefusal | 'stale' | 'full' | 'unknown-record-type' | 'oversize' | 'too-far';
export type PutResult = { ok: true; outcome: 'stored' | 'replaced' | 'unchanged' } | { ok: false; reason: StoreRejection };

export interface RecordStoreComponents {
  clock: Clock;
  validators: ValidatorRegistry;
  /** Called for each record due for re-replication (see above). */
  replicate?: (record: StoredRecord) => void;
  /** Our own DHT key (read at each use: it changes on rekey). Without it a full store only refuses. */
  selfKey?: () => DhtKey;
  /** Told of every record evicted to make room (the node counts them). */
  onEvict?: (record: StoredRecord) => void;
}

export interface RecordStoreInit extends SourceQuotaInit {
  maxRecords?: number;
  replicateIntervalMs?: number;
  /** Largest value accepted (the STORE body budget allows at most this much). */
  maxValueBytes?: number;
}

function slot(key: DhtKey, recordType: number): string {
  return hexKey(key, '', `/${recordType}`);
}

export class RecordStore {
  private readonly records = new Map<string, StoredRecord>();
  private readonly maxRecords: number;
  private readonly replicateIntervalMs: number;
  private readonly maxValueBytes: number;
  private readonly quota: SourceQuota;
  private timer: TimerId | undefined;

  constructor(
    private readonly components: RecordStoreComponents,
    init: RecordStoreInit = {},
  ) {
    this.maxRecords = init.maxRecords ?? MAX_RECORDS;
    this.replicateIntervalMs = init.replicateIntervalMs ?? REPLICATE_INTERVAL_MS;
    this.maxValueBytes = init.maxValueBytes ?? 0xffff;
    this.quota = new SourceQuota(init);
  }

  get size(): number {
    return this.records.size;
  }

  /**
   * Validates and stores `record` under `key`. `source` is the remote storer (undefined for our own puts: they
   * count against no quota).
   */
  put(key: DhtKey, record: DhtRecord, source?: RecordSource): PutResult {
    if (record.value.length > this.maxValueBytes) return { ok: false, reason: 'oversize' };
    const now = this.components.clock.now();
    const id = slot(key, record.recordType);
    const held = this.records.get(id);
    if (held !== undefined && held.expiresAtMs <= now) this.remove(id);
    const current = this.records.get(id);
    // Over quota is refused before validation: a flooding source does not get our signature checks either.
    const overQuota = current === undefined && source !== undefined ? this.quota.refusal(source) : undefined;
    if (overQuota !== undefined) return { ok: false, reason: overQuota };
    const check = this.components.validators.validate(key, record, now);
    if (!check.ok) return check;
    const full = current === undefined ? this.makeRoom(key) : undefined;
    if (full !== undefined) return { ok: false, reason: full };
    const merger = current === undefined ? undefined : this.components.validators.get(record.recordType)?.merge;
    if (current !== undefined && merger !== undefined) return this.putMerged(id, current, merger(key, current.value, record.value, now), now);
    const stored: StoredRecord = {
      key: key.slice(),
      recordType: record.recordType,
      value: record.value.slice(),
      expiresAtMs: check.expiresAtMs,
      version: check.version,
      refreshedAtMs: now,
    };
    if (current === undefined) {
      this.records.set(id, stored);
      if (source !== undefined) this.quota.charge(id, source);
      return { ok: true, outcome: 'stored' };
    }
    if (check.version > current.version) {
      this.records.set(id, stored);
      return { ok: true, outcome: 'replaced' };
    }
    if (check.version === current.version && bytesEqual(current.value, record.value)) {
      // A re-STORE of what we hold: it counts as a refresh for the replication optimisation.
      this.records.set(id, { ...current, refreshedAtMs: now });
      return { ok: true, outcome: 'unchanged' };
    }
    return { ok: false, reason: 'stale' };
  }

  /** Records held for a source now: by its NodeID and by its host. */
  heldFor(source: Partial<RecordSource>): { peer: number; host: number } {
    return this.quota.held(source);
  }

  /**
   * Room for a new record under `key`: free below maxRecords; when full, expired records go first, then the
   * record farthest from our key if `key` is closer to us than it. 'full' when there is no room.
   */
  private makeRoom(key: DhtKey): 'full' | undefined {
    if (this.records.size < this.maxRecords) return undefined;
    this.pruneExpired();
    if (this.records.size < this.maxRecords) return undefined;
    const self = this.components.selfKey?.();
    if (self === undefined) return 'full';
    const farthest = this.farthestFrom(self);
    if (farthest === undefined || compareDistance(self, key, farthest[1].key) >= 0) return 'full';
    this.remove(farthest[0]);
    this.components.onEvict?.(farthest[1]);
    return undefined;
  }

  /** The held record farthest from `self`, by XOR distance (a scan: only a full store asks). */
  private farthestFrom(self: DhtKey): [string, StoredRecord] | undefined {
    let best: [string, StoredRecord] | undefined;
    for (const entry of this.records) {
      if (best === undefined || compareDistance(self, entry[1].key, best[1].key) > 0) best = entry;
    }
    return best;
  }

  /** Every removal goes through here, so the record's quota charge is freed with it. */
  private remove(id: string): boolean {
    this.quota.release(id);
    return this.records.delete(id);
  }

  /** Stores the merge of a held set-valued record with an incoming one (RecordValidator.merge). */
  private putMerged(id: string, current: StoredRecord, merged: Uint8Array, now: number): PutResult {
    if (bytesEqual(merged, current.value)) {
      this.records.set(id, { ...current, refreshedAtMs: now });
      return { ok: true, outcome: 'unchanged' };
    }
    const check = this.components.validators.validate(current.key, { recordType: current.recordType, value: merged }, now);
    if (!check.ok) return check;
    this.records.set(id, { ...current, value: merged, expiresAtMs: check.expiresAtMs, version: check.version, refreshedAtMs: now });
    return { ok: true, outcome: 'replaced' };
  }

  /** The unexpired record under (key, recordType), if held. */
  get(key: DhtKey, recordType: number): StoredRecord | undefined {
    const id = slot(key, recordType);
    const r = this.records.get(id);
    if (r === undefined) return undefined;
    if (r.expiresAtMs <= this.components.clock.now()) {
      this.remove(id);
      return undefined;
    }
    return r;
  }

  delete(key: DhtKey, recordType: number): boolean {
    return this.remove(slot(key, recordType));
  }

  /** Every held record (expired ones included until the next prune). */
  all(): StoredRecord[] {
    return [...this.records.values()];
  }

  /** Drops expired records; returns how many. */
  pruneExpired(): number {
    const now = this.components.clock.now();
    let n = 0;
    for (const [id, r] of this.records) {
      if (r.expiresAtMs <= now) {
        this.remove(id);
        n++;
      }
    }
    return n;
  }

  /** Records nobody re-STOREd within the last interval; marks them refreshed (we are about to replicate them). */
  takeDueForReplication(): StoredRecord[] {
    const now = this.components.clock.now();
    const due: StoredRecord[] = [];
    for (const [id, r] of this.records) {
      if (now - r.refreshedAtMs < this.replicateIntervalMs) continue;
      const refreshed = { ...r, refreshedAtMs: now };
      this.records.set(id, refreshed);
      due.push(refreshed);
    }
    return due;
  }

  /** Starts the periodic prune + replicate timer. */
  start(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.pruneExpired();
      const replicate = this.components.replicate;
      if (replicate !== undefined) for (const r of this.takeDueForReplication()) replicate(r);
      this.timer = this.components.clock.setTimer(this.replicateIntervalMs, tick);
    };
    this.timer = this.components.clock.setTimer(this.replicateIntervalMs, tick);
  }

  stop(): void {
    if (this.timer !== undefined) this.components.clock.cancelTimer(this.timer);
    this.timer = undefined;
  }
}
