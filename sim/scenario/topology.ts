import type { Rng } from '../../protocol/runtime/rng.ts';

/** Draws a key from weighted fractions (weights need not sum to 1). Keys are taken in sorted order for determinism. */
export function pickWeighted<K extends string>(rng: Rng, weights: Partial<Record<K, number>>): K {
  const entries = (Object.entries(weights) as Array<[K, number]>).filter(([, w]) => w > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = rng.uniform() * total;
  for (const [key, w] of entries) {
    x -= w;
    if (x < 0) return key;
  }
  return entries[entries.length - 1][0];
}

/** Name of the i-th simulated node; also its address on the simulated network. */
export function nodeName(i: number): string {
  return `n${i}`;
}

/** `count` distinct indices in [0, n) other than `self`, drawn uniformly. */
export function samplePeers(rng: Rng, n: number, self: number, count: number): number[] {
  const want = Math.min(count, n - 1);
  const chosen = new Set<number>();
  while (chosen.size < want) {
    const j = rng.int(n);
    if (j !== self) chosen.add(j);
  }
  return [...chosen];
}
