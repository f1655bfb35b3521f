/**
 * Inter-packet-delay matching: the delays between a user's consecutive sent datagrams (and, separately, received
 * ones) form a distribution, histogrammed on a log scale (0.1 ms .. 100 s, 8 buckets per decade, delay 0 in the
 * first bucket). A conversation imprints the same rhythm on both ends, so the target's sending delays should look
 * like its partner's receiving delays. Score = -(KS(out_t, in_c) + KS(in_t, out_c)) / 2, KS being the
 * Kolmogorov-Smirnov distance max_k |F(k) - G(k)| between the bucketed CDFs (a user with fewer than two datagrams
 * in a direction has an all-zero CDF). Posterior: the shared mapping of posterior.ts.
 */
import { pairwise, type Attack } from '../attack.ts';
import type { EveContext } from '../population.ts';

const MIN_LOG10_MS = -1;
const PER_DECADE = 8;
const BUCKETS = 6 * PER_DECADE + 1;

function bucketOf(delayMs: number): number {
  if (delayMs <= 0) return 0;
  const k = Math.floor((Math.log10(delayMs) - MIN_LOG10_MS) * PER_DECADE) + 1;
  return Math.max(0, Math.min(BUCKETS - 1, k));
}

/** users x BUCKETS cumulative distributions of inter-packet delays. */
function delayCdfs(ctx: EveContext, start: Uint32Array, rows: Uint32Array): Float32Array {
  const cdf = new Float32Array(ctx.users * BUCKETS);
  const { timeMs } = ctx.tap;
  for (let u = 0; u < ctx.users; u++) {
    const n = start[u + 1] - start[u];
    if (n < 2) continue;
    const o = u * BUCKETS;
    for (let k = start[u] + 1; k < start[u + 1]; k++) cdf[o + bucketOf(timeMs[rows[k]] - timeMs[rows[k - 1]])] += 1;
    let acc = 0;
    for (let k = 0; k < BUCKETS; k++) {
      acc += cdf[o + k];
      cdf[o + k] = acc / (n - 1);
    }
  }
  return cdf;
}

function ks(a: Float32Array, ao: number, b: Float32Array, bo: number): number {
  let d = 0;
  for (let k = 0; k < BUCKETS; k++) d = Math.max(d, Math.abs(a[ao + k] - b[bo + k]));
  return d;
}

export const ipdMatching: Attack = {
  name: 'ipd-matching',
  description: 'Kolmogorov-Smirnov distance between inter-packet-delay distributions (target sent vs candidate received, and the reverse)',
  correlation: false,
  run(ctx, targets) {
    const out = delayCdfs(ctx, ctx.rows.outStart, ctx.rows.outRows);
    const inn = delayCdfs(ctx, ctx.rows.inStart, ctx.rows.inRows);
    const values = pairwise(ctx, targets, (t, c) => -(ks(out, t * BUCKETS, inn, c * BUCKETS) + ks(inn, t * BUCKETS, out, c * BUCKETS)) / 2);
    return [{ values }];
  },
};
