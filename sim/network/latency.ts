import { portableCosTurns, portableLn } from '../../protocol/runtime/portable-math.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';
import type { LatencySpec } from './types.ts';

/** Throws RangeError unless the spec is usable (finite, non-negative, known distribution). */
export function validateLatencySpec(spec: LatencySpec, where: string): void {
  const ok = (v: number): boolean => v >= 0 && v < Infinity;
  if (!ok(spec.meanMs)) throw new RangeError(`${where}: meanMs must be finite and >= 0, got ${spec.meanMs}`);
  if (!ok(spec.jitterMs)) throw new RangeError(`${where}: jitterMs must be finite and >= 0, got ${spec.jitterMs}`);
  if (!Object.hasOwn(SAMPLERS, spec.distribution)) {
    throw new RangeError(`${where}: unknown distribution ${String(spec.distribution)}`);
  }
}

type Sampler = (meanMs: number, jitterMs: number, rng: Rng) => number;

/**
 * One sampler per distribution; see LatencySpec for the definitions. Only exactly rounded arithmetic (+ - * /
 * sqrt) and portable-math.ts's ln / cos are used, never Math.log / Math.cos, whose last bits ECMAScript leaves to
 * the engine: a latency decides event order, so a seeded run's traceHash is the same on every engine.
 */
const SAMPLERS: Record<LatencySpec['distribution'], Sampler> = {
  constant: (mean) => mean,
  uniform: (mean, jitter, rng) => mean + (2 * rng.uniform() - 1) * jitter,
  // Box-Muller; the second normal of the pair is discarded to keep each draw independent of the last.
  normal: (mean, jitter, rng) => mean + jitter * Math.sqrt(-2 * portableLn(1 - rng.uniform())) * portableCosTurns(rng.uniform()),
  exponential: (mean, jitter, rng) => mean - jitter + rng.exponential(jitter),
};

/** One-way latency of one datagram, clamped at 0. Draws nothing when jitter is 0 (the value is fixed). */
export function sampleLatencyMs(spec: LatencySpec, rng: Rng): number {
  if (spec.jitterMs === 0) return spec.meanMs;
  const v = SAMPLERS[spec.distribution](spec.meanMs, spec.jitterMs, rng);
  return v > 0 ? v : 0;
}
