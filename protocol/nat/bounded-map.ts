/**
 * Small bounded tables for the NAT service: every table a peer can make us grow has a cap (oldest entry
 * evicted first) and entries may expire. Plain Maps keep insertion order, which is the eviction order.
 */
export class BoundedMap<K, V> {
  /**
   * Made on the first set: a NAT service holds a dozen such tables and most stay empty (an empty Map with its
   * hash table is ~180 B of heap; 10 of a DHT node's 12 were empty, issue 14).
   */
  private map?: Map<K, { value: V; expiresMs: number }>;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`BoundedMap capacity must be >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.map?.size ?? 0;
  }

  /** The live value under `key`, or undefined (an expired entry is removed on the way). */
  get(key: K, nowMs: number): V | undefined {
    const e = this.map?.get(key);
    if (e === undefined) return undefined;
    if (e.expiresMs <= nowMs) {
      this.map!.delete(key);
      return undefined;
    }
    return e.value;
  }

  has(key: K, nowMs: number): boolean {
    return this.get(key, nowMs) !== undefined;
  }

  /** Inserts or refreshes `key` (it becomes the newest), evicting the oldest entries beyond capacity. */
  set(key: K, value: V, expiresMs = Infinity): void {
    const map = (this.map ??= new Map());
    map.delete(key);
    map.set(key, { value, expiresMs });
    while (map.size > this.capacity) map.delete(map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map?.delete(key) ?? false;
  }

  /** Live values, oldest first. */
  values(nowMs: number): V[] {
    const out: V[] = [];
    const map = this.map;
    if (map === undefined) return out;
    for (const [key, e] of [...map]) {
      if (e.expiresMs <= nowMs) map.delete(key);
      else out.push(e.value);
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
