/**
 * Kademlia k-buckets (§2.2) with a replacement cache (§4.1). The table never touches the network: liveness
 * checks go through an injected `ping(contact, cb)`, as js-libp2p's kad-dht routing table does, and time comes
 * from the injected Clock.
 *
 * Each bucket keeps its contacts in least-recently-seen order (head = oldest). A newcomer for a full bucket
 * waits in the bucket's replacement cache while the head is pinged; the head is evicted only if the ping
 * fails, so long-lived nodes keep their places (the paper's defence against flooding with fresh ids).
 */
import type { Clock } from '../runtime/clock.ts';
import { K, KEY_BITS, LIVENESS_FRESH_MS, MAX_FAILURES, REPLACEMENT_CACHE_SIZE } from './constants.ts';
import { bucketIndex, compareDistance, keysEqual, type DhtKey } from './keys.ts';
import type { Contact } from './types.ts';

export interface RoutingTableComponents {
  clock: Clock;
  /** Liveness check of a full bucket's least-recently-seen contact; `alive` false evicts it. */
  ping(contact: Contact, cb: (alive: boolean) => void): void;
}

export interface RoutingTableInit {
  selfKey: DhtKey;
  /** Bucket size (default K = 20). */
  k?: number;
  /** Consecutive failed liveness checks (markFailed) before a contact is evicted (default MAX_FAILURES). */
  maxFailures?: number;
  replacementCacheSize?: number;
  /** A head contact seen this recently is not pinged again (default LIVENESS_FRESH_MS). */
  livenessFreshMs?: number;
}

/** What `update` did with a contact. */
export type UpdateResult = 'added' | 'updated' | 'pending' | 'self';

/** What `rekey` did with the contacts it held (entries and replacements). */
export interface RekeyResult {
  /** Entries that are entries of their new bucket. */
  kept: number;
  /** Entries moved to their new bucket's replacement cache because it was full. */
  parked: number;
  /** Contacts no longer held: the new self key itself, or overflow of a full bucket and replacement cache. */
  dropped: number;
}

interface Bucket {
  /**
   * Least recently seen first; objects the table made (update makes a fresh one each time), so they key `failing`.
   * Grown by one exact-size copy per added contact, reordered in place (a pushed-to array keeps 17 slots, ~70 B more
   * than a bucket of k = 8 needs; issue 14).
   */
  entries: Contact[];
  /** Candidates waiting for a slot, newest last. */
  replacements: Contact[];
  pinging: boolean;
  lastLookupMs: number;
}

export class RoutingTable {
  private self: DhtKey;
  readonly k: number;
  private readonly maxFailures: number;
  private readonly replacementCacheSize: number;
  private readonly livenessFreshMs: number;
  /**
   * Created on first write: a table of n nodes fills ~log2(n) of its 256 buckets, and 256 empty buckets were
   * ~30 KB per DHT node (issue 14). A missing bucket reads as empty, last looked up at `bucketsBornMs`.
   */
  private readonly buckets: (Bucket | undefined)[] = new Array<Bucket | undefined>(KEY_BITS).fill(undefined);
  private bucketsBornMs: number;
  private count = 0;
  /**
   * Failed liveness checks in a row, only of the entries that have any (made on first failure): most entries never
   * fail, and a { contact, failures } wrapper per entry was ~40 B each (issue 14).
   */
  private failing?: Map<Contact, number>;

  constructor(
    private readonly components: RoutingTableComponents,
    init: RoutingTableInit,
  ) {
    this.self = init.selfKey;
    this.k = init.k ?? K;
    this.maxFailures = init.maxFailures ?? MAX_FAILURES;
    this.replacementCacheSize = init.replacementCacheSize ?? REPLACEMENT_CACHE_SIZE;
    this.livenessFreshMs = init.livenessFreshMs ?? LIVENESS_FRESH_MS;
    this.bucketsBornMs = components.clock.now();
  }

  /** The bucket at `index`, created (empty, as every bucket starts) if missing. */
  private bucketAt(index: number): Bucket {
    let bucket = this.buckets[index];
    if (bucket === undefined) this.buckets[index] = bucket = { entries: [], replacements: [], pinging: false, lastLookupMs: this.bucketsBornMs };
    return bucket;
  }

  get size(): number {
    return this.count;
  }

  /** Our own key: the table's contacts are bucketed by their XOR distance to it. */
  get selfKey(): DhtKey {
    return this.self;
  }

  /**
   * Re-buckets every entry and replacement against `newSelfKey` (a NodeID rotation), in place: handlers and
   * lookups hold this object. An entry keeps its failure count; each bucket is filled with the entries with
   * fewest failures, then most recently seen, and stays in least-recently-seen order; entries that do not fit
   * go to the replacement cache with the old replacements (newest kept). Bucket refresh times restart from now;
   * a liveness ping in flight no longer touches the table.
   */
  rekey(newSelfKey: DhtKey): RekeyResult {
    const entries = this.buckets.flatMap((b) => b?.entries ?? []);
    const replacements = this.buckets.flatMap((b) => b?.replacements ?? []);
    const held = entries.length + replacements.length;
    this.self = newSelfKey;
    const now = this.components.clock.now();
    const byBucket = new Map<number, { entries: Contact[]; replacements: Contact[] }>();
    const slot = (key: DhtKey) => {
      const index = bucketIndex(newSelfKey, key);
      if (index < 0) return undefined;
      let s = byBucket.get(index);
      if (s === undefined) byBucket.set(index, (s = { entries: [], replacements: [] }));
      return s;
    };
    for (const e of entries) slot(e.key)?.entries.push(e);
    for (const c of replacements) slot(c.key)?.replacements.push(c);
    this.buckets.fill(undefined);
    this.bucketsBornMs = now;
    const result: RekeyResult = { kept: 0, parked: 0, dropped: 0 };
    for (const [index, s] of byBucket) {
      const bucket = this.bucketAt(index);
      // Stable sorts: ties keep the old table's order, so a rekey is deterministic.
      const ranked = [...s.entries].sort((a, b) => this.failuresOf(a) - this.failuresOf(b) || b.lastSeenMs - a.lastSeenMs);
      bucket.entries = ranked.slice(0, this.k).sort((a, b) => a.lastSeenMs - b.lastSeenMs);
      const overflow = ranked.slice(this.k);
      const waiting = [...s.replacements, ...overflow].sort((a, b) => a.lastSeenMs - b.lastSeenMs);
      bucket.replacements = waiting.slice(Math.max(0, waiting.length - this.replacementCacheSize));
      result.kept += bucket.entries.length;
      result.parked += overflow.filter((c) => bucket.replacements.includes(c)).length;
    }
    this.count = result.kept;
    // Entries keep their failure counts; contacts parked or dropped lose theirs, as a replacement has none.
    const before = this.failing;
    this.failing = undefined;
    if (before !== undefined) for (const c of this.contacts()) if (before.has(c)) (this.failing ??= new Map()).set(c, before.get(c)!);
    result.dropped = held - this.count - this.buckets.reduce((n, b) => n + (b?.replacements.length ?? 0), 0);
    return result;
  }

  /**
   * Records that we heard from `contact` just now (§2.2): moves it to the bucket's tail, inserts it if there is
   * room, or parks it in the replacement cache and pings the bucket's least-recently-seen contact.
   */
  update(contact: Omit<Contact, 'lastSeenMs'>): UpdateResult {
    const index = bucketIndex(this.selfKey, contact.key);
    if (index < 0) return 'self';
    const bucket = this.bucketAt(index);
    const fresh: Contact = { key: contact.key, nodePub: contact.nodePub, address: contact.address, lastSeenMs: this.components.clock.now() };
    const at = findEntry(bucket.entries, contact.key);
    if (at >= 0) {
      this.failing?.delete(bucket.entries[at]);
      moveToTail(bucket.entries, at, fresh);
      return 'updated';
    }
    if (bucket.entries.length < this.k) {
      bucket.entries = bucket.entries.concat([fresh]); // an exact-size copy (see Bucket.entries)
      this.count++;
      removeContact(bucket.replacements, contact.key);
      return 'added';
    }
    this.addReplacement(bucket, fresh);
    this.checkHead(index);
    return 'pending';
  }

  /** Counts a failed liveness check (e.g. an RPC timeout); evicts the contact after `maxFailures` in a row. */
  markFailed(key: DhtKey): boolean {
    const index = bucketIndex(this.selfKey, key);
    if (index < 0) return false;
    const bucket = this.buckets[index];
    if (bucket === undefined) return false;
    const at = findEntry(bucket.entries, key);
    if (at < 0) {
      removeContact(bucket.replacements, key);
      return false;
    }
    const failures = this.failuresOf(bucket.entries[at]) + 1;
    if (failures < this.maxFailures) {
      (this.failing ??= new Map()).set(bucket.entries[at], failures);
      return false;
    }
    this.evict(bucket, at);
    return true;
  }

  /** Removes a contact outright (and promotes a replacement). Returns whether it was present. */
  remove(key: DhtKey): boolean {
    const index = bucketIndex(this.selfKey, key);
    if (index < 0) return false;
    const bucket = this.buckets[index];
    if (bucket === undefined) return false;
    const at = findEntry(bucket.entries, key);
    if (at < 0) return removeContact(bucket.replacements, key);
    this.evict(bucket, at);
    return true;
  }

  get(key: DhtKey): Contact | undefined {
    const index = bucketIndex(this.selfKey, key);
    if (index < 0) return undefined;
    const entries = this.buckets[index]?.entries;
    if (entries === undefined) return undefined;
    const at = findEntry(entries, key);
    return at < 0 ? undefined : entries[at];
  }

  has(key: DhtKey): boolean {
    return this.get(key) !== undefined;
  }

  /** The `n` contacts closest to `key` by XOR distance, closest first. */
  closest(key: DhtKey, n: number): Contact[] {
    const all = this.contacts();
    all.sort((a, b) => compareDistance(key, a.key, b.key));
    return all.length > n ? all.slice(0, n) : all;
  }

  /** Every contact, bucket by bucket (farthest bucket first). */
  contacts(): Contact[] {
    const out: Contact[] = [];
    for (const bucket of this.buckets) if (bucket !== undefined) for (const e of bucket.entries) out.push(e);
    return out;
  }

  /** Contacts of one bucket, least recently seen first. */
  bucketContacts(index: number): Contact[] {
    return [...(this.buckets[index]?.entries ?? [])];
  }

  replacementsOf(index: number): Contact[] {
    return [...(this.buckets[index]?.replacements ?? [])];
  }

  /** Highest non-empty bucket index, or -1 for an empty table. */
  deepestBucket(): number {
    for (let i = KEY_BITS - 1; i >= 0; i--) if ((this.buckets[i]?.entries.length ?? 0) > 0) return i;
    return -1;
  }

  /** Bucket refresh bookkeeping (§2.3): a lookup for `key` counts as a refresh of the bucket `key` falls in. */
  markLookup(key: DhtKey): void {
    const index = bucketIndex(this.selfKey, key);
    if (index >= 0) this.bucketAt(index).lastLookupMs = this.components.clock.now();
  }

  /**
   * Buckets up to one past the deepest non-empty one with no lookup in their range for `intervalMs`. Deeper
   * buckets are empty for any realistic network size, and refreshing them would only repeat the self lookup.
   */
  bucketsNeedingRefresh(intervalMs: number): number[] {
    const now = this.components.clock.now();
    const last = Math.min(KEY_BITS - 1, this.deepestBucket() + 1);
    const out: number[] = [];
    for (let i = 0; i <= last; i++) if (now - (this.buckets[i]?.lastLookupMs ?? this.bucketsBornMs) >= intervalMs) out.push(i);
    return out;
  }

  private addReplacement(bucket: Bucket, contact: Contact): void {
    removeContact(bucket.replacements, contact.key);
    bucket.replacements.push(contact);
    if (bucket.replacements.length > this.replacementCacheSize) bucket.replacements.shift();
  }

  /** Pings the head of a full bucket unless a ping is already out or the head was heard from recently. */
  private checkHead(index: number): void {
    const bucket = this.bucketAt(index);
    const head = bucket.entries[0];
    if (bucket.pinging || head === undefined) return;
    if (this.components.clock.now() - head.lastSeenMs < this.livenessFreshMs) return;
    bucket.pinging = true;
    this.components.ping(head, (alive) => {
      bucket.pinging = false;
      const at = findEntry(bucket.entries, head.key);
      if (at < 0) return;
      if (alive) {
        // The ping's reply usually refreshed it already; make sure it moves to the tail either way.
        const entry = bucket.entries[at];
        this.failing?.delete(entry);
        moveToTail(bucket.entries, at, { ...entry, lastSeenMs: this.components.clock.now() });
      } else {
        this.evict(bucket, at);
      }
    });
  }

  private evict(bucket: Bucket, at: number): void {
    this.failing?.delete(bucket.entries[at]);
    this.count--;
    const promoted = bucket.replacements.pop();
    if (promoted === undefined) return void bucket.entries.splice(at, 1);
    moveToTail(bucket.entries, at, promoted);
    this.count++;
  }

  private failuresOf(contact: Contact): number {
    return this.failing?.get(contact) ?? 0;
  }
}

function findEntry(entries: Contact[], key: DhtKey): number {
  for (let i = 0; i < entries.length; i++) if (keysEqual(entries[i].key, key)) return i;
  return -1;
}

/** `list.splice(at, 1); list.push(value)` without changing the length, so the array keeps its exact size. */
function moveToTail<T>(list: T[], at: number, value: T): void {
  for (let i = at; i < list.length - 1; i++) list[i] = list[i + 1];
  list[list.length - 1] = value;
}

function removeContact(list: Contact[], key: DhtKey): boolean {
  for (let i = 0; i < list.length; i++) {
    if (keysEqual(list[i].key, key)) {
      list.splice(i, 1);
      return true;
    }
  }
  return false;
}
