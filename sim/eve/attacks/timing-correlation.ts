/**
 * Timing correlation. Each user's link activity (datagrams sent plus received, to anyone) is counted in bins of
 * `binMs` (widened so a run has at most 4,000 bins); the score of (target, candidate) is the best correlation of
 * the two count series over lags of -L..L bins. Four variants: cosine and Pearson, at `binMs` and at 10 x binMs
 * (coarse bins average periodic keepalives and cover into a constant that Pearson removes, leaving the on/off
 * pattern of conversations); runEve keeps the one with the highest top-1.
 * Posterior: the shared mapping of posterior.ts (per-target z-scores, softmax, fitted temperature).
 */
import type { Attack } from '../attack.ts';
import { laggedCorrelation } from '../correlate.ts';
import { binCount, binMatrix } from '../population.ts';

export const MAX_BINS = 4000;

export const timingCorrelation: Attack = {
  name: 'timing-correlation',
  description: 'best lagged cosine / Pearson correlation of binned datagram counts (sent + received)',
  correlation: true,
  run(ctx, targets, opts) {
    const span = ctx.endMs - ctx.startMs;
    return [1, 10].flatMap((scale) => {
      const binMs = Math.max(opts.binMs * scale, Math.ceil(span / MAX_BINS));
      const bins = binCount(ctx, binMs);
      const series = binMatrix(ctx, binMs, bins, 'both');
      const { cosine, pearson } = laggedCorrelation(ctx, series, bins, targets, opts.maxLagBins);
      return [
        { values: pearson, variant: `pearson-${binMs}ms` },
        { values: cosine, variant: `cosine-${binMs}ms` },
      ];
    });
  },
};
