import seedrandom from 'seedrandom';
import { RngBase } from './rng-base.ts';

/** Alea's state: three lagged values (multiples of 2^-32 in [0, 1)) and a carry. */
interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;

/**
 * Deterministic Rng (seedrandom's Alea). Pure: it reads no ambient state, so it lives beside the interface and
 * serves the simulator, tests and `paratox node --seed` alike. Not a CSPRNG: simulated keys are only as secret
 * as the scenario seed, which is the point of a reproducible testbed.
 *
 * seedrandom seeds the state (its Mash hash); the steps are Alea's own arithmetic, inlined here with the state
 * in locals: the same floating-point operations in the same order, so the same numbers as seedrandom's
 * `int32()` / `double()` (seeded-rng.test.ts checks them against it), without a closure call and four
 * property writes per 4 bytes of padding (issue 14). What is left is Alea's serial carry chain itself.
 */
export class SeededRng extends RngBase {
  readonly seed: string;
  private readonly state: AleaState;

  constructor(seed: string | number) {
    super();
    this.seed = String(seed);
    this.state = (seedrandom.alea(this.seed, { state: true }) as unknown as { state(): AleaState }).state();
  }

  bytes(n: number): Uint8Array {
    return this.fillBytes(new Uint8Array(n));
  }

  /** Each 4 bytes are one int32 of Alea, little-endian; a tail of 1-3 bytes takes the low bytes of one more. */
  override fillBytes(out: Uint8Array): Uint8Array {
    const st = this.state;
    let { c, s0, s1, s2 } = st;
    const n = out.length;
    let i = 0;
    let v = 0;
    for (; i < n; i += 4) {
      // Alea step (Baagøe 2010): t = 2091639·s0 + c·2^-32; the carry is t's integer part, s2 its fraction.
      const t = 2091639 * s0 + c * TWO_POW_MINUS_32;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      v = (s2 * 0x100000000) | 0; // seedrandom's int32()
      if (i + 4 > n) break;
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    for (let shift = 0; i < n; i++, shift += 8) out[i] = v >>> shift;
    st.c = c;
    st.s0 = s0;
    st.s1 = s1;
    st.s2 = s2;
    return out;
  }

  uniform(): number {
    // seedrandom's double(): 32 bits from one step, 21 more from the next.
    const high = this.next();
    return high + ((this.next() * 0x200000) | 0) * TWO_POW_MINUS_53;
  }

  fork(name: string): SeededRng {
    // "/" separates path segments: fork("a").fork("b") === fork("a/b") by construction.
    return new SeededRng(`${this.seed}/${name}`);
  }

  /** One Alea step: a double in [0, 1) with 32 random bits (seedrandom's `prng()`). */
  private next(): number {
    const st = this.state;
    const t = 2091639 * st.s0 + st.c * TWO_POW_MINUS_32;
    st.s0 = st.s1;
    st.s1 = st.s2;
    st.c = t | 0;
    st.s2 = t - st.c;
    return st.s2;
  }
}
