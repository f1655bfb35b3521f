/**
 * Small bounded tables for the NAT service: every table a peer can make us grow has a cap (oldest entry
 * evicted first) and entries may expire. Plain Maps keep insertion order, which is the eviction order.
 */
export class BoundedMap<K, V> {
  /**
   * Values by key, in insertion order (the eviction order). Made on the first set: a NAT service holds a dozen
   * such tables and most stay empty (an empty Map with its hash table is ~180 B of heap; 10 of a DHT node's 12
   * were empty, issue 14).
   */
  private byKey?: Map<K, V>;
  /**
   * The expiry of each entry that has one (made on the first such set): the table that grows with a DHT node's
   * contacts (NAT introducers) never expires, and a { value, expiresMs } wrapper per entry was ~56 B each.
   */
  private expiries?: Map<K, number>;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`BoundedMap capacity must be >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.byKey?.size ?? 0;
  }

  /** The live value under `key`, or undefined (an expired entry is removed on the way). */
  get(key: K, nowMs: number): V | undefined {
    const value = this.byKey?.get(key);
    if (value === undefined) return undefined;
    if ((this.expiries?.get(key) ?? Infinity) <= nowMs) {
      this.delete(key);
      return undefined;
    }
    return value;
  }

  has(key: K, nowMs: number): boolean {
    return this.get(key, nowMs) !== undefined;
  }

  /** Inserts or refreshes `key` (it becomes the newest), evicting the oldest entries beyond capacity. */
  set(key: K, value: V, expiresMs = Infinity): void {
    const values = (this.byKey ??= new Map());
    this.delete(key);
    values.set(key, value);
    if (expiresMs !== Infinity) (this.expiries ??= new Map()).set(key, expiresMs);
    while (values.size > this.capacity) this.delete(values.keys().next().value as K);
  }

  delete(key: K): boolean {
    this.expiries?.delete(key);
    return this.byKey?.delete(key) ?? false;
  }

  /** Live values, oldest first. */
  values(nowMs: number): V[] {
    const out: V[] = [];
    if (this.byKey === undefined) return out;
    for (const [key, value] of [...this.byKey]) {
      if ((this.expiries?.get(key) ?? Infinity) <= nowMs) this.delete(key);
      else out.push(value);
    }
    return out;
  }
}

/** Fixed-window counter per key: at most `limit` events per `windowMs` for each key; keys are bounded too. */
export class RateLimiter {
  private readonly windows: BoundedMap<string, { startMs: number; count: number }>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    capacity: number,
  ) {
    this.windows = new BoundedMap(capacity);
  }

  /** Counts one event for `key`; false when the key already used its budget in the current window. */
  allow(key: string, nowMs: number): boolean {
    const w = this.windows.get(key, nowMs);
    if (w === undefined || nowMs - w.startMs >= this.windowMs) {
      this.windows.set(key, { startMs: nowMs, count: 1 }, nowMs + this.windowMs);
      return this.limit >= 1;
    }
    if (w.count >= this.limit) return false;
    w.count++;
    return true;
  }
}
