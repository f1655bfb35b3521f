import seedrandom from 'seedrandom';
import { RngBase } from './rng-base.ts';

/**
 * Deterministic Rng (seedrandom's Alea). Pure: it reads no ambient state, so it lives beside the interface and
 * serves the simulator, tests and `paratox node --seed` alike. Not a CSPRNG: simulated keys are only as secret
 * as the scenario seed, which is the point of a reproducible testbed.
 */
export class SeededRng extends RngBase {
  readonly seed: string;
  private readonly prng: seedrandom.PRNG;

  constructor(seed: string | number) {
    super();
    this.seed = String(seed);
    this.prng = seedrandom.alea(this.seed);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = this.prng.int32();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    if (i < n) {
      const v = this.prng.int32();
      for (let s = 0; i < n; i++, s += 8) out[i] = v >>> s;
    }
    return out;
  }

  uniform(): number {
    return this.prng.double();
  }

  fork(name: string): SeededRng {
    // "/" separates path segments: fork("a").fork("b") === fork("a/b") by construction.
    return new SeededRng(`${this.seed}/${name}`);
  }
}
