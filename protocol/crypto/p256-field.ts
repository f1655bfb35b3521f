/**
 * The P-256 base field operations that dominate Elligator Squared (elligator-sswu.ts): fixed-exponent powers
 * (square roots, RFC 9380 sqrt_ratio) and the Jacobi symbol, on plain bigint with `%` reduction.
 *
 * Why not @noble's Fp: its generic square-and-multiply pow costs ~130 µs here (one squaring, and one
 * multiplication per set bit, each through a method call), while a chain over p's runs of ones (runsPlan)
 * with inline `(a * b) % p` costs ~70 µs; and its square test is Euler's criterion, a full power, where the
 * Jacobi symbol below costs ~17 µs. Values are the same (same exponents), which p256-field.test.ts checks.
 * Under Node the powers go to OpenSSL instead (openssl-power.ts, ~35 µs), with this chain as the fallback
 * and the reference the tests hold it to.
 * Tried and dropped: a 16-bit-limb Float64Array field with Solinas reduction (0.3 µs per multiplication even
 * unrolled, no faster than V8 BigInt's `(a * b) % p` on this hardware).
 *
 * Timing: the powers run the same operation sequence for every input of a given exponent, but V8 BigInt
 * arithmetic is not constant-time and the Jacobi symbol's loop count depends on its input. Good enough for
 * a simulator, not a hardened implementation (see elligator-squared.ts).
 */
import { opensslFixedPower, type FixedPower } from './openssl-power.ts';
import { P256_P } from './p256.ts';

const P = P256_P;

/** a mod p in [0, p) for any bigint a (also negative). */
export function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

/**
 * An exponent as steps over the powers x_k = x^(2^k - 1), k = 1, 2, 4, 8, 16, 32 (31 squarings and 5
 * multiplications to build): each step squares the accumulator `squarings` times, then multiplies by x_k.
 * p's exponents are long runs of ones and zeros (p = 2^256 - 2^224 + 2^192 + 2^96 - 1), so a run of L ones
 * costs L squarings and about L/32 multiplications: ~253 squarings and 7-12 multiplications in all, against
 * ~290 operations for a 5-bit sliding window and ~380 for square-and-multiply.
 */
interface PowStep {
  squarings: number;
  /** log2 k of the factor x_k, or -1 for none (trailing zeros). */
  factor: number;
}

const RUN_FACTORS = 6; // x_1 .. x_32

function runsPlan(e: bigint): PowStep[] {
  const bits = e.toString(2);
  const steps: PowStep[] = [];
  let zeros = 0;
  for (let i = 0; i < bits.length; ) {
    if (bits[i] === '0') {
      zeros++;
      i++;
      continue;
    }
    let ones = 0;
    while (bits[i + ones] === '1') ones++;
    i += ones;
    // A run of ones: as many x_32 as fit, then the binary digits of the rest.
    const pieces: number[] = [];
    for (; ones >= 32; ones -= 32) pieces.push(RUN_FACTORS - 1);
    for (let f = RUN_FACTORS - 2; f >= 0; f--) if (ones & (1 << f)) pieces.push(f);
    for (const f of pieces) {
      steps.push({ squarings: zeros + (1 << f), factor: f });
      zeros = 0;
    }
  }
  if (zeros > 0) steps.push({ squarings: zeros, factor: -1 });
  return steps;
}

/** x^e mod p by a plan from runsPlan(e); x in [0, p). */
function powByPlan(x: bigint, plan: readonly PowStep[]): bigint {
  const factors: bigint[] = [x];
  for (let f = 1; f < RUN_FACTORS; f++) {
    // x_(2k) = x_k^(2^k) · x_k
    let t = factors[f - 1];
    for (let s = 0; s < 1 << (f - 1); s++) t = (t * t) % P;
    factors.push((t * factors[f - 1]) % P);
  }
  // The first step starts from its factor: squaring the initial 1 would be wasted work.
  let acc = factors[plan[0].factor];
  for (let k = 1; k < plan.length; k++) {
    const { squarings, factor } = plan[k];
    for (let s = 0; s < squarings; s++) acc = (acc * acc) % P;
    if (factor >= 0) acc = (acc * factors[factor]) % P;
  }
  return acc;
}

/** A fixed-exponent power: OpenSSL's when node:crypto is there (openssl-power.ts), else the BigInt chain. */
interface FixedExponent {
  readonly plan: readonly PowStep[];
  readonly openssl: FixedPower | undefined;
}

function fixedExponent(e: bigint): FixedExponent {
  const plan = runsPlan(e);
  return { plan, openssl: opensslFixedPower(e, (x) => powByPlan(x, plan)) };
}

/**
 * x^e mod p: the same value on either path (p256-field.test.ts holds them equal). An x outside [0, p) (a
 * caller's unreduced negative, e.g. w = -1 in sswuPreimageFrom) keeps the BigInt chain, whose output for it
 * is not always reduced either: byte-for-byte the old result.
 */
function power(x: bigint, e: FixedExponent): bigint {
  if (e.openssl === undefined || x < 0n || x >= P) return powByPlan(x, e.plan);
  return e.openssl(x) ?? powByPlan(x, e.plan);
}

const SQRT = fixedExponent((P + 1n) / 4n);
const SQRT_RATIO = fixedExponent((P - 3n) / 4n);

/** The BigInt-chain powers alone, and whether OpenSSL serves them: for the tests that hold both paths equal. */
export const fieldPowerPaths = {
  opensslActive: SQRT.openssl !== undefined && SQRT_RATIO.openssl !== undefined,
  sqrtExponent: { bigint: (x: bigint) => powByPlan(x, SQRT.plan), fast: (x: bigint) => power(x, SQRT) },
  sqrtRatioExponent: { bigint: (x: bigint) => powByPlan(x, SQRT_RATIO.plan), fast: (x: bigint) => power(x, SQRT_RATIO) },
};

/**
 * x^((p+1)/4): when x is a square, the square root of x that is itself a square (p ≡ 3 mod 4), i.e. exactly
 * the value of @noble's Fp.sqrt. Unchecked: for a non-square it returns a root of -x.
 */
export function sqrtUnchecked(x: bigint): bigint {
  return power(x, SQRT);
}

/**
 * RFC 9380 Appendix F.2.1.2, sqrt_ratio_3mod4(u, v) for v != 0: y = (u·v^3)^((p-3)/4)·u·v, which is
 * (u/v)^((p+1)/4), the same root as sqrtUnchecked(u/v) but with no inversion. isSquare says whether
 * y^2·v = u, i.e. u/v is a square.
 */
export function sqrtRatio(u: bigint, v: bigint): { isSquare: boolean; root: bigint } {
  const uv = (u * v) % P;
  const uv3 = (((uv * v) % P) * v) % P;
  const root = (power(uv3, SQRT_RATIO) * uv) % P;
  return { isSquare: (((root * root) % P) * v) % P === u, root };
}

/**
 * Jacobi symbol (a/p), equal to the Legendre symbol as p is prime: 1 for a nonzero square, -1 for a
 * non-square, 0 for 0. Euclid-style (Cohen, "A Course in Computational Algebraic Number Theory", Alg. 1.4.10,
 * with the powers of two stripped at once and `%` for the reduction step), switching to doubles once both
 * operands fit in 53 bits: ~20 µs against ~130 µs for Euler's criterion a^((p-1)/2).
 */
export function jacobi(a: bigint): -1 | 0 | 1 {
  let n = P;
  let n8 = Number(P & 7n); // n mod 8, carried along: the next n is the current a
  a = mod(a);
  let t: -1 | 1 = 1;
  while (a !== 0n) {
    let low = Number(a & 0xffffffffn);
    while (low === 0) {
      a >>= 32n; // 2^32 is a square: the symbol does not change
      low = Number(a & 0xffffffffn);
    }
    const zeros = 31 - Math.clz32(low & -low);
    if (zeros > 0) {
      a >>= BigInt(zeros);
      if ((zeros & 1) === 1 && (n8 === 3 || n8 === 5)) t = t === 1 ? -1 : 1; // (2/n) = -1 iff n ≡ 3, 5 mod 8
    }
    // a mod 8 after the shift, from the word already read when it still holds 3 bits above the zeros.
    const a8 = zeros <= 29 ? (low >>> zeros) & 7 : Number(a & 7n);
    if ((a8 & 3) === 3 && (n8 & 3) === 3) t = t === 1 ? -1 : 1; // quadratic reciprocity, both ≡ 3 mod 4
    [a, n] = [n % a, a];
    n8 = a8;
    if (n <= 0x1fffffffffffffn) return (t * jacobiSmall(Number(a), Number(n))) as -1 | 0 | 1;
  }
  return n === 1n ? t : 0;
}

/** Jacobi symbol (a/n) for 0 <= a < n < 2^53, n odd, in double arithmetic (exact below 2^53). */
function jacobiSmall(a: number, n: number): -1 | 0 | 1 {
  let t: -1 | 1 = 1;
  while (a !== 0) {
    while (a % 2 === 0) {
      a /= 2;
      const r = n % 8;
      if (r === 3 || r === 5) t = t === 1 ? -1 : 1;
    }
    if (a % 4 === 3 && n % 4 === 3) t = t === 1 ? -1 : 1;
    [a, n] = [n % a, a];
  }
  return n === 1 ? t : 0;
}
