/**
 * Keys remembered for a fixed time, at most `capacity` of them. Entries are added with the same lifetime, so
 * insertion order is expiry order and pruning only looks at the oldest ones: O(1) amortised per call.
 * An entry whose expiry equals now is expired (every check in this folder treats that millisecond alike).
 * When full, add() either refuses (a replay set must not forget early) or evicts the oldest entry.
 */
export type WhenFull = 'refuse' | 'evict-oldest';

export class ExpiringSet {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly capacity: number,
    private readonly whenFull: WhenFull,
  ) {}

  has(key: string, nowMs: number): boolean {
    this.prune(nowMs);
    return this.expiries.has(key);
  }

  /** Whether add() would find room now (always true in 'evict-oldest' mode). */
  hasRoom(nowMs: number): boolean {
    this.prune(nowMs);
    return this.whenFull === 'evict-oldest' || this.expiries.size < this.capacity;
  }

  /** Remembers `key` until now + lifetime; false (and nothing stored) when full in 'refuse' mode. */
  add(key: string, nowMs: number): boolean {
    if (!this.hasRoom(nowMs)) return false;
    this.expiries.delete(key); // re-adding moves it to the back, keeping insertion order = expiry order
    if (this.expiries.size >= this.capacity) this.expiries.delete(this.expiries.keys().next().value!);
    this.expiries.set(key, nowMs + this.lifetimeMs);
    return true;
  }

  delete(key: string): void {
    this.expiries.delete(key);
  }

  size(): number {
    return this.expiries.size;
  }

  private prune(nowMs: number): void {
    for (const [key, expiresAtMs] of this.expiries) {
      if (expiresAtMs > nowMs) break;
      this.expiries.delete(key);
    }
  }
}
