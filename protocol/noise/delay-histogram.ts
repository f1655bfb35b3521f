/**
 * Bounded summary of delays (queueing delay in the link shaper): count, sum, max and a fixed histogram whose
 * bucket bounds grow 1-2-5 from 1 ms to 10 s, so p50/p95 are read as the bound of the bucket they fall in
 * capped at the max (an upper estimate, exact to the bucket). Constant memory whatever the run length.
 */

/** Upper bounds (ms, inclusive) of the buckets; one more bucket holds everything above the last. */
export const DELAY_BUCKETS_MS: readonly number[] = Object.freeze([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]);

export interface DelaySummary {
  readonly count: number;
  readonly sumMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** The bound of the bucket the quantile falls in, capped at maxMs (0 with no sample). */
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** counts[i]: samples <= DELAY_BUCKETS_MS[i] (and above the previous bound); the last entry: above all bounds. */
  readonly counts: readonly number[];
}

export class DelayHistogram {
  private readonly counts = new Array<number>(DELAY_BUCKETS_MS.length + 1).fill(0);
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;

  /** One histogram holding every sample of `summaries` (a run's nodes, for the report). */
  static merge(summaries: readonly DelaySummary[]): DelayHistogram {
    const h = new DelayHistogram();
    for (const s of summaries) {
      s.counts.forEach((n, i) => (h.counts[i] += n));
      h.count += s.count;
      h.sumMs += s.sumMs;
      h.maxMs = Math.max(h.maxMs, s.maxMs);
    }
    return h;
  }

  add(ms: number): void {
    let i = 0;
    while (i < DELAY_BUCKETS_MS.length && ms > DELAY_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  summary(): DelaySummary {
    return {
      count: this.count,
      sumMs: this.sumMs,
      maxMs: this.maxMs,
      meanMs: this.count === 0 ? 0 : this.sumMs / this.count,
      p50Ms: this.quantile(0.5),
      p95Ms: this.quantile(0.95),
      counts: [...this.counts],
    };
  }

  private quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i < DELAY_BUCKETS_MS.length ? Math.min(DELAY_BUCKETS_MS[i], this.maxMs) : this.maxMs;
    }
    return this.maxMs;
  }
}
