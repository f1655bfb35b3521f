/**
 * Nonces seen on one circuit in one direction, for replay detection: the last `capacity` nonces, oldest
 * forgotten first (FIFO). A replay older than the window is not caught here; it still cannot be linked to
 * its original by colluding relays (nonces are re-permuted at every hop) and carries no new information.
 */
export class ReplaySet {
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ReplaySet capacity must be >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Records `nonce`; false if it is already in the window (a replay). */
  add(nonce: Uint8Array): boolean {
    const key = String.fromCharCode(...nonce);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.order.length < this.capacity) {
      this.order.push(key);
    } else {
      // Ring buffer: overwrite the oldest slot.
      this.seen.delete(this.order[this.head]);
      this.order[this.head] = key;
      this.head = (this.head + 1) % this.capacity;
    }
    return true;
  }
}
