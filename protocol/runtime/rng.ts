/**
 * Randomness injected into protocol nodes. Key generation, padding, jitter and peer choice all draw from it,
 * so a seeded run is byte-for-byte reproducible. On a real node it is a CSPRNG (crypto-rng.ts).
 */
export interface Rng {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /**
   * Fills `out` with random bytes and returns it: the same bytes `bytes(out.length)` would have returned (and
   * the same stream position after), written in place so a codec can pad inside its datagram without a copy.
   */
  fillBytes(out: Uint8Array): Uint8Array;
  /** Uniform float in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, maxExclusive); maxExclusive must be a positive safe integer. */
  int(maxExclusive: number): number;
  /** Exponentially distributed float with the given mean (> 0). */
  exponential(mean: number): number;
  /**
   * An independent stream named `name`. A seeded generator derives the child seed from its own seed and
   * the name only, never from how much the parent has consumed, so adding a stream reshuffles nobody else.
   */
  fork(name: string): Rng;
}
