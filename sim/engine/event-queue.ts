/**
 * Pending events of the simulator: a binary min-heap ordered by (timeMs, insertion sequence), so events due at
 * the same virtual time run in the order they were scheduled and every run of a seed pops the same sequence.
 *
 * Layout, chosen for the hot path (millions of events per second):
 * - every event lives in a *slot*; per-slot data sits in parallel typed arrays (time, sequence, owner,
 *   generation) plus one array of handlers, so a push or pop allocates nothing;
 * - the heap itself is an Int32Array of slot numbers; comparisons read the slot arrays, no comparator closure;
 * - an event id encodes its slot and the slot's generation (`gen * 2^23 + slot`), so `cancel(id)` is O(1) and a
 *   stale id (the event already ran, the slot was reused) is recognised and ignored;
 * - cancellation is lazy: the handler is cleared and the dead entry is skipped when it reaches the top. When
 *   dead entries outnumber live ones the heap is compacted, so cancelled far-future timers cannot pile up.
 */

export type EventHandler = () => void;

/** Slot numbers use the low 23 bits of an id: at most 8,388,608 events may be pending at once. */
const SLOT_BITS = 23;
const SLOT_SPACE = 2 ** SLOT_BITS;
const SLOT_MASK = SLOT_SPACE - 1;
/** Generations use the next 30 bits (id stays a safe integer). A slot's generation wraps after 2^30 reuses. */
const GEN_LIMIT = 2 ** 30;
/** Compaction threshold: never bother for fewer dead entries than this. */
const COMPACT_MIN_DEAD = 4096;

/** Thrown when more events are pending than the id encoding allows (a runaway schedule, not a normal load). */
export class EventQueueFullError extends Error {
  override name = 'EventQueueFullError';
}

export class EventQueue {
  private capacity = 0;
  private slotTime = new Float64Array(0);
  private slotSeq = new Float64Array(0);
  private slotGen = new Uint32Array(0);
  private slotOwner = new Int32Array(0);
  /** Handler per slot; null = free or cancelled. */
  private slotFn: (EventHandler | null)[] = [];
  /** Stack of free slot numbers. */
  private free = new Int32Array(0);
  private freeCount = 0;
  private heap = new Int32Array(0);
  private heapSize = 0;
  private live = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(16, initialCapacity));
  }

  /** Number of pending (not cancelled, not yet popped) events. */
  get size(): number {
    return this.live;
  }

  /** Schedules `fn` at `timeMs`; `owner` tags it for `cancelOwner` (0 = no owner). Returns the event id. */
  push(timeMs: number, fn: EventHandler, owner = 0): number {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const slot = this.free[--this.freeCount];
    this.slotTime[slot] = timeMs;
    this.slotSeq[slot] = this.nextSeq++;
    this.slotOwner[slot] = owner;
    this.slotFn[slot] = fn;
    this.live++;
    this.siftUp(this.heapSize++, slot);
    return this.slotGen[slot] * SLOT_SPACE + slot;
  }

  /** Cancels a pending event. Returns false when the id is unknown, already ran or was already cancelled. */
  cancel(id: number): boolean {
    // `id & SLOT_MASK` is exact for any safe integer: ToInt32 is reduction mod 2^32 and 2^23 divides 2^32.
    const slot = id & SLOT_MASK;
    if (slot >= this.capacity || this.slotFn[slot] === null) return false;
    if (this.slotGen[slot] !== Math.floor(id / SLOT_SPACE)) return false;
    this.slotFn[slot] = null;
    this.live--;
    this.maybeCompact();
    return true;
  }

  /** Cancels every pending event tagged with `owner`; returns how many. O(pending). */
  cancelOwner(owner: number): number {
    let n = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heap[i];
      if (this.slotOwner[slot] === owner && this.slotFn[slot] !== null) {
        this.slotFn[slot] = null;
        n++;
      }
    }
    this.live -= n;
    this.maybeCompact();
    return n;
  }

  /** Time of the earliest pending event, or Infinity when none. Discards cancelled entries on top. */
  peekTime(): number {
    while (this.heapSize > 0) {
      const top = this.heap[0];
      if (this.slotFn[top] !== null) return this.slotTime[top];
      this.removeTop();
      this.release(top);
    }
    return Infinity;
  }

  /**
   * Removes the earliest pending event and returns its handler. Call right after `peekTime()` returned a finite
   * time (the top is then live); returns null when the queue is empty.
   */
  shift(): EventHandler | null {
    if (this.peekTime() === Infinity) return null;
    const top = this.heap[0];
    const fn = this.slotFn[top];
    this.removeTop();
    this.release(top);
    this.live--;
    return fn;
  }

  private removeTop(): void {
    const last = this.heap[--this.heapSize];
    if (this.heapSize > 0) this.siftDown(0, last);
  }

  private release(slot: number): void {
    this.slotFn[slot] = null;
    const gen = this.slotGen[slot] + 1;
    this.slotGen[slot] = gen === GEN_LIMIT ? 1 : gen;
    this.free[this.freeCount++] = slot;
  }

  /** Moves the hole at `pos` up until `slot` fits, then stores it. */
  private siftUp(pos: number, slot: number): void {
    const heap = this.heap;
    const times = this.slotTime;
    const seqs = this.slotSeq;
    const t = times[slot];
    const s = seqs[slot];
    while (pos > 0) {
      const parentPos = (pos - 1) >> 1;
      const parent = heap[parentPos];
      const pt = times[parent];
      if (pt < t || (pt === t && seqs[parent] < s)) break;
      heap[pos] = parent;
      pos = parentPos;
    }
    heap[pos] = slot;
  }

  /** Moves the hole at `pos` down until `slot` fits, then stores it. */
  private siftDown(pos: number, slot: number): void {
    const heap = this.heap;
    const times = this.slotTime;
    const seqs = this.slotSeq;
    const n = this.heapSize;
    const t = times[slot];
    const s = seqs[slot];
    const half = n >> 1;
    while (pos < half) {
      let childPos = 2 * pos + 1;
      let child = heap[childPos];
      let ct = times[child];
      const rightPos = childPos + 1;
      if (rightPos < n) {
        const right = heap[rightPos];
        const rt = times[right];
        if (rt < ct || (rt === ct && seqs[right] < seqs[child])) {
          childPos = rightPos;
          child = right;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && s < seqs[child])) break;
      heap[pos] = child;
      pos = childPos;
    }
    heap[pos] = slot;
  }

  /** Rebuilds the heap from live entries when dead ones dominate. Pop order is unchanged: (time, seq) is total. */
  private maybeCompact(): void {
    const dead = this.heapSize - this.live;
    if (dead < COMPACT_MIN_DEAD || dead <= this.live) return;
    let n = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heap[i];
      if (this.slotFn[slot] === null) this.release(slot);
      else this.heap[n++] = slot;
    }
    this.heapSize = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, this.heap[i]);
  }

  private grow(newCapacity: number): void {
    const old = this.capacity;
    if (newCapacity > SLOT_SPACE) newCapacity = SLOT_SPACE;
    if (newCapacity <= old) {
      throw new EventQueueFullError(`EventQueue: more than ${SLOT_SPACE} events pending at once (limit)`);
    }
    this.slotTime = resize(this.slotTime, new Float64Array(newCapacity));
    this.slotSeq = resize(this.slotSeq, new Float64Array(newCapacity));
    this.slotOwner = resize(this.slotOwner, new Int32Array(newCapacity));
    const gen = resize(this.slotGen, new Uint32Array(newCapacity));
    // Generation starts at 1 so no id is 0 (callers may test timer ids for truthiness).
    gen.fill(1, old);
    this.slotGen = gen;
    this.heap = resize(this.heap, new Int32Array(newCapacity));
    const free = new Int32Array(newCapacity);
    free.set(this.free.subarray(0, this.freeCount));
    // Push new slots so the lowest number pops first (deterministic, and keeps hot slots dense).
    for (let slot = newCapacity - 1; slot >= old; slot--) free[this.freeCount++] = slot;
    this.free = free;
    for (let slot = old; slot < newCapacity; slot++) this.slotFn.push(null);
    this.capacity = newCapacity;
  }
}

function resize<T extends Float64Array | Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
