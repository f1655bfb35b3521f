/** Nearest-rank quantile of an unsorted sample; NaN-free: an empty sample gives null. */
export function quantile(sorted: Float64Array | number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** A growable float sample (typed array doubling), so 10^6 latencies do not cost 10^6 boxed numbers. */
export class Sample {
  private data = new Float64Array(1024);
  private size = 0;

  add(value: number): void {
    if (this.size === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  /** p50/p95/p99 rounded to 0.001 ms, or nulls for an empty sample. */
  percentiles(): { p50: number | null; p95: number | null; p99: number | null } {
    const sorted = this.data.slice(0, this.size).sort();
    const r = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
    return { p50: r(quantile(sorted, 0.5)), p95: r(quantile(sorted, 0.95)), p99: r(quantile(sorted, 0.99)) };
  }

  /**
   * The distribution as `points` quantiles at fractions 0, 1/(points-1), ..., 1 (nearest rank, like percentiles(),
   * so the 0.5 point is p50), rounded the same way; null for an empty sample. ms is ascending.
   */
  cdf(points = 101): { ms: number[]; fraction: number[] } | null {
    if (this.size === 0) return null;
    const sorted = this.data.slice(0, this.size).sort();
    const fraction = Array.from({ length: points }, (_, i) => i / (points - 1));
    return { ms: fraction.map((q) => Math.round(quantile(sorted, q)! * 1000) / 1000), fraction };
  }
}
