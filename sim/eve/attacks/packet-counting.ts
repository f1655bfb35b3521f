/**
 * Packet counting: what the target sends in each window of `windowMs` should reappear as what its partner
 * receives (and the reverse). Per window, counts are compared on a log scale:
 *   distance(t, c) = mean over windows of (|log1p(out_t) - log1p(in_c)| + |log1p(in_t) - log1p(out_c)|) / 2
 * and the score is -distance (0 = identical volumes in every window).
 * Posterior: the shared mapping of posterior.ts.
 */
import { pairwise, type Attack } from '../attack.ts';
import { binCount, binMatrix } from '../population.ts';

export const packetCounting: Attack = {
  name: 'packet-counting',
  description: 'per-window datagram counts sent by the target vs received by a candidate (and the reverse)',
  correlation: false,
  run(ctx, targets, opts) {
    const W = binCount(ctx, opts.windowMs);
    const out = binMatrix(ctx, opts.windowMs, W, 'out');
    const inn = binMatrix(ctx, opts.windowMs, W, 'in');
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.log1p(out[i]);
      inn[i] = Math.log1p(inn[i]);
    }
    const values = pairwise(ctx, targets, (t, c) => {
      let d = 0;
      for (let w = 0, to = t * W, co = c * W; w < W; w++) {
        d += Math.abs(out[to + w] - inn[co + w]) + Math.abs(inn[to + w] - out[co + w]);
      }
      return -d / (2 * W);
    });
    return [{ values }];
  },
};
