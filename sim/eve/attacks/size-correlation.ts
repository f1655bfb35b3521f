/**
 * Size correlation: meaningful only when packets are not padded to one size (`packet.paddingMode: variable`).
 * - `multiset`: the distribution of sizes the target sends (32-byte buckets) against what the candidate receives,
 *   and the target's received sizes against the candidate's sent ones; score = mean Bhattacharyya coefficient
 *   sum_k sqrt(p_k q_k) of the two pairs (1 = same multiset of sizes, 0 = disjoint).
 * - `sequence`: each datagram weighs (size - the tap's most common size), summed per time bin; score = best lagged
 *   Pearson correlation of the target's and candidate's series (fixed-size traffic gives all-zero series and
 *   score 0 for everyone).
 * Posterior: the shared mapping of posterior.ts. runEve keeps the variant with the higher top-1.
 */
import { pairwise, type Attack } from '../attack.ts';
import { laggedCorrelation } from '../correlate.ts';
import { binCount, binMatrix, type EveContext } from '../population.ts';
import { MAX_BINS } from './timing-correlation.ts';

const BUCKET_BYTES = 32;
const MAX_BUCKETS = 512;

/** Per-user probability-root histograms of sizes (users x K), for sent and received datagrams. */
function sizeHistograms(ctx: EveContext): { out: Float32Array; inn: Float32Array; K: number } {
  const { bytes } = ctx.tap;
  const { outStart, outRows, inStart, inRows } = ctx.rows;
  const dense = new Map<number, number>();
  let width = BUCKET_BYTES;
  const collect = (rows: Uint32Array): void => {
    for (let k = 0; k < rows.length; k++) {
      const b = Math.floor(bytes[rows[k]] / width);
      if (!dense.has(b)) dense.set(b, dense.size);
    }
  };
  collect(outRows);
  collect(inRows);
  while (dense.size > MAX_BUCKETS) {
    // Too many distinct sizes: widen the buckets until they fit.
    width *= 2;
    dense.clear();
    collect(outRows);
    collect(inRows);
  }
  const K = Math.max(1, dense.size);
  const fill = (start: Uint32Array, rows: Uint32Array): Float32Array => {
    const h = new Float32Array(ctx.users * K);
    for (let u = 0; u < ctx.users; u++) {
      const n = start[u + 1] - start[u];
      if (n === 0) continue;
      for (let k = start[u]; k < start[u + 1]; k++) h[u * K + dense.get(Math.floor(bytes[rows[k]] / width))!] += 1;
      for (let k = 0; k < K; k++) h[u * K + k] = Math.sqrt(h[u * K + k] / n);
    }
    return h;
  };
  return { out: fill(outStart, outRows), inn: fill(inStart, inRows), K };
}

function modalSize(ctx: EveContext): number {
  const counts = new Map<number, number>();
  const { bytes } = ctx.tap;
  for (const rows of [ctx.rows.outRows, ctx.rows.inRows]) {
    for (let k = 0; k < rows.length; k++) counts.set(bytes[rows[k]], (counts.get(bytes[rows[k]]) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [size, n] of counts) if (n > bestCount || (n === bestCount && size < best)) [best, bestCount] = [size, n];
  return best;
}

export const sizeCorrelation: Attack = {
  name: 'size-correlation',
  description: 'sizes the target sends vs sizes a candidate receives (multiset), or size deviations over time (sequence)',
  correlation: true,
  run(ctx, targets, opts) {
    const { out, inn, K } = sizeHistograms(ctx);
    const bc = (a: Float32Array, ao: number, b: Float32Array, bo: number): number => {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ao + k] * b[bo + k];
      return s;
    };
    const multiset = pairwise(ctx, targets, (t, c) => (bc(out, t * K, inn, c * K) + bc(inn, t * K, out, c * K)) / 2);

    const span = ctx.endMs - ctx.startMs;
    const binMs = Math.max(opts.binMs, Math.ceil(span / MAX_BINS));
    const bins = binCount(ctx, binMs);
    const modal = modalSize(ctx);
    const bytes = ctx.tap.bytes;
    const series = binMatrix(ctx, binMs, bins, 'both', (r) => bytes[r] - modal);
    const { pearson } = laggedCorrelation(ctx, series, bins, targets, opts.maxLagBins);
    return [
      { values: multiset, variant: 'multiset' },
      { values: pearson, variant: 'sequence' },
    ];
  },
};
