/**
 * ln and cos from exactly rounded operations only, so random draws give the same bits on every JS engine.
 *
 * Why: ECMAScript leaves Math.log, Math.cos, Math.exp, ... "implementation-approximated" (ECMA-262 §21.3.2), so two
 * engines (or two versions of one) may differ in the last bit, and a latency drawn through them would change the
 * simulator's event order and traceHash. IEEE 754 requires +, -, *, / and sqrt to be correctly rounded, and
 * ECMAScript Numbers are binary64 with round-to-nearest-even (§6.1.6.1), so a fixed sequence of those operations is
 * bit-for-bit reproducible everywhere. Everything below is such a sequence: range reduction by exact steps
 * (powers of two, Sterbenz subtraction), then a fixed-length polynomial evaluated by Horner's rule, with the
 * Taylor coefficients computed by exact division at load time. No Math.* function is called (Math.floor is exact,
 * but not needed either). Accuracy: within 2 ulp of the true value (tested against Math.log / Math.cos).
 */

/** ln 2 split in two (fdlibm e_log.c): LN2_HI has 20 trailing zero bits, so k * LN2_HI is exact for |k| < 2^20. */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = 1.4142135623730951;
const TWO54 = 18014398509481984; // 2^54, exact

/**
 * 2 / (2k + 1), k = 1..12: ln((1 + s) / (1 - s)) = 2s + s * sum_k (2 / (2k + 1)) s^(2k). With |s| <= 0.1716
 * (s^2 <= 0.0295) the first term left out is < 2^-62 of the sum. Exact divisions, so the same on every engine.
 */
const A1 = 2 / 3, A2 = 2 / 5, A3 = 2 / 7, A4 = 2 / 9, A5 = 2 / 11, A6 = 2 / 13;
const A7 = 2 / 15, A8 = 2 / 17, A9 = 2 / 19, A10 = 2 / 21, A11 = 2 / 23, A12 = 2 / 25;

/** One float64 seen as two uint32 words, to read and set the exponent bits (exact, and faster than a DataView). */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high word (sign, exponent, top of the mantissa): 1 on little-endian hosts. */
const HI = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/** Natural logarithm of a finite x > 0 (RangeError otherwise), bit-identical on every engine. */
export function portableLn(x: number): number {
  if (!(x > 0) || x === Infinity) throw new RangeError(`portableLn: x must be finite and > 0, got ${x}`);
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    // Subnormal: scale into the normal range first (a multiplication by a power of two is exact).
    x *= TWO54;
    k = -54;
  }
  // x = m * 2^e with m in [1, 2): read e from the exponent bits, then set them to those of 1.0 (both exact).
  f64[0] = x;
  const hi = u32[HI];
  k += (hi >>> 20) - 1023;
  u32[HI] = (hi & 0x000fffff) | 0x3ff00000;
  let m = f64[0];
  if (m > SQRT2) {
    m /= 2; // exact; now m in (sqrt(2)/2, sqrt(2)]
    k += 1;
  }
  // fdlibm's form: ln(1 + f) = f - (hfsq - s * (hfsq + R)), s = f / (2 + f), R = the series beyond 2s.
  const f = m - 1; // exact (Sterbenz)
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (A1 + z * (A2 + z * (A3 + z * (A4 + z * (A5 + z * (A6 + z * (A7 + z * (A8 + z * (A9 + z * (A10 + z * (A11 + z * A12)))))))))));
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
}

/**
 * Taylor coefficients (-1)^n / (2n)! and (-1)^n / (2n + 1)!, n = 1..9, for cos and sin on [0, pi/4]
 * (x^2 <= 0.617): the first term left out is < 2^-58. Built by exact divisions, so the same on every engine.
 */
const INV_FACT: number[] = [1];
for (let n = 1; n <= 19; n++) INV_FACT[n] = INV_FACT[n - 1] / n;
const [C1, C2, C3, C4, C5, C6, C7, C8, C9] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => (n % 2 === 0 ? 1 : -1) * INV_FACT[2 * n]);
const [S1, S2, S3, S4, S5, S6, S7, S8, S9] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => (n % 2 === 0 ? 1 : -1) * INV_FACT[2 * n + 1]);
const HALF_PI = 1.5707963267948966;

/** cos x for x in [0, pi/4]: 1 - x^2/2! + x^4/4! - ... (Horner in x^2). */
function kernelCos(x: number): number {
  const z = x * x;
  return 1 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * (C8 + z * C9))))))));
}

/** sin x for x in [0, pi/4]: x - x^3/3! + x^5/5! - ... */
function kernelSin(x: number): number {
  const z = x * x;
  return x + x * (z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * (S7 + z * (S8 + z * S9)))))))));
}

/** cos(pi/2 * t) for t in [0, 1]: folded onto [0, pi/4] by cos(pi/2 t) = sin(pi/2 (1 - t)) (1 - t exact). */
function cosQuarter(t: number): number {
  return t <= 0.5 ? kernelCos(t * HALF_PI) : kernelSin((1 - t) * HALF_PI);
}

/** sin(pi/2 * t) for t in [0, 1]. */
function sinQuarter(t: number): number {
  return t <= 0.5 ? kernelSin(t * HALF_PI) : kernelCos((1 - t) * HALF_PI);
}

/**
 * cos(2 pi v) for v in [0, 1) (an angle in turns, as a uniform draw gives it), bit-identical on every engine.
 * Working in turns makes the range reduction exact: 4v and its fractional part are exact in binary64.
 */
export function portableCosTurns(v: number): number {
  if (!(v >= 0 && v < 1)) throw new RangeError(`portableCosTurns: v must be in [0, 1), got ${v}`);
  const v4 = v * 4; // exact
  const quadrant = v4 < 1 ? 0 : v4 < 2 ? 1 : v4 < 3 ? 2 : 3;
  const t = v4 - quadrant; // exact, in [0, 1)
  switch (quadrant) {
    case 0:
      return cosQuarter(t);
    case 1:
      return -sinQuarter(t);
    case 2:
      return -cosQuarter(t);
    default:
      return sinQuarter(t);
  }
}
