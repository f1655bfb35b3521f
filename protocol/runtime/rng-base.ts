import { portableLn } from './portable-math.ts';
import type { Rng } from './rng.ts';

/** Derived draws shared by every Rng implementation, built on `uniform()` and `bytes()`. */
export abstract class RngBase implements Rng {
  abstract bytes(n: number): Uint8Array;
  abstract uniform(): number;
  abstract fork(name: string): Rng;

  /** Default: draw, then copy. Implementations that can write in place override it. */
  fillBytes(out: Uint8Array): Uint8Array {
    out.set(this.bytes(out.length));
    return out;
  }

  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0) {
      throw new RangeError(`Rng.int: maxExclusive must be a positive safe integer, got ${maxExclusive}`);
    }
    return Math.floor(this.uniform() * maxExclusive);
  }

  exponential(mean: number): number {
    if (!(mean > 0)) throw new RangeError(`Rng.exponential: mean must be > 0, got ${mean}`);
    // Inverse CDF; 1 - u lies in (0, 1], so the log is finite. portableLn, not Math.log: the same bits on every
    // engine (portable-math.ts), so a seeded run's timings do not depend on the JS engine's libm.
    return -portableLn(1 - this.uniform()) * mean;
  }
}
