/**
 * Statistical disclosure (Danezis 2003) / intersection over rounds of on/off activity.
 *
 * Rounds: the tap is cut into rounds of `roundMs` from its first datagram. A user is *active* in a round when it
 * sends plus receives more datagrams there than its own median per round (so steady cover or keepalive traffic
 * does not count; a user whose counts never vary is never active), and *absent* in a round with no datagram at
 * all. An *absence* is a run of >= 2 absent rounds that ends in a return (messages then wait in a mailbox and are
 * fetched on return).
 *
 * Observations for target t: each round where t is active, in which a candidate counts as seen when active in
 * that round or the next (replies and relay delays spill over); and each absence of t, in which a candidate
 * counts by the fraction of the absence's rounds it was active (who kept writing while t was away).
 *   score(t, c) = mean over t's observations of c's seen-value - the same mean for a random round (baseline)
 * i.e. how much more c is active when t is than it is anyway: the SDA estimate of t's contact vector.
 * Posterior: the shared mapping of posterior.ts.
 */
import type { Attack } from '../attack.ts';
import { binCount, binMatrix } from '../population.ts';

const MIN_ABSENCE_ROUNDS = 2;

export const disclosure: Attack = {
  name: 'disclosure',
  description: 'statistical disclosure over rounds: candidates active when the target is (or while it is away) beyond their baseline',
  correlation: false,
  run(ctx, targets, opts) {
    const U = ctx.users;
    const R = binCount(ctx, opts.roundMs);
    const counts = binMatrix(ctx, opts.roundMs, R, 'both'); // users x rounds
    // Round-major activity, so a target's round adds one contiguous row to its score row.
    const act = new Uint8Array(R * U);
    const seen = new Uint8Array(R * U);
    const scratch = new Float32Array(R);
    for (let u = 0; u < U; u++) {
      scratch.set(counts.subarray(u * R, (u + 1) * R));
      scratch.sort();
      const median = scratch[(R - 1) >> 1];
      for (let r = 0; r < R; r++) act[r * U + u] = counts[u * R + r] > median ? 1 : 0;
    }
    const meanAct = new Float64Array(U);
    const meanSeen = new Float64Array(U);
    for (let r = 0; r < R; r++) {
      for (let u = 0; u < U; u++) {
        const s = act[r * U + u] | (r + 1 < R ? act[(r + 1) * U + u] : 0);
        seen[r * U + u] = s;
        meanSeen[u] += s / R;
        meanAct[u] += act[r * U + u] / R;
      }
    }
    const T = targets.length;
    const values = new Float32Array(T * U);
    const row = new Float64Array(U);
    for (let i = 0; i < T; i++) {
      const t = targets[i];
      row.fill(0);
      let rounds = 0;
      let absences = 0;
      let absentSince = -1;
      for (let r = 0; r < R; r++) {
        if (act[r * U + t]) {
          rounds++;
          for (let c = 0, o = r * U; c < U; c++) row[c] += seen[o + c];
        }
        const absent = counts[t * R + r] === 0;
        if (absent && absentSince < 0) absentSince = r;
        if (!absent && absentSince >= 0) {
          const len = r - absentSince;
          if (len >= MIN_ABSENCE_ROUNDS) {
            absences++;
            for (let a = absentSince; a < r; a++) for (let c = 0, o = a * U; c < U; c++) row[c] += act[o + c] / len;
          }
          absentSince = -1;
        }
      }
      const n = rounds + absences;
      for (let c = 0; c < U; c++) {
        const baseline = n ? (rounds * meanSeen[c] + absences * meanAct[c]) / n : 0;
        values[i * U + c] = c === t ? -Infinity : n ? row[c] / n - baseline : 0;
      }
    }
    return [{ values }];
  },
};
