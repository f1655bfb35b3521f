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

/** 2 / (2k + 1) for k = 1..ATANH_TERMS: ln((1 + s) / (1 - s)) = 2s + s * sum_k (2 / (2k + 1)) s^(2k). */
const ATANH_TERMS = 12; // |s| <= 0.1716, s^2 <= 0.0295: the first term left out is < 2^-62 relative to the sum
const ATANH_COEFFS = Array.from({ length: ATANH_TERMS }, (_, i) => 2 / (2 * (i + 1) + 1));

const view = new DataView(new ArrayBuffer(8));

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
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  k += (hi >>> 20) - 1023;
  view.setUint32(0, (hi & 0x000fffff) | 0x3ff00000);
  let m = view.getFloat64(0);
  if (m > SQRT2) {
    m /= 2; // exact; now m in (sqrt(2)/2, sqrt(2)]
    k += 1;
  }
  // fdlibm's form: ln(1 + f) = f - (hfsq - s * (hfsq + R)), s = f / (2 + f), R = sum of the series beyond 2s.
  const f = m - 1; // exact (Sterbenz)
  const s = f / (2 + f);
  const z = s * s;
  let r = 0;
  for (let i = ATANH_TERMS - 1; i >= 0; i--) r = (r + ATANH_COEFFS[i]) * z;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
}

/** 1/n! for the Taylor series of sin and cos on [0, pi/4]: 9 terms leave < 2^-58 out. */
const TRIG_TERMS = 9;
const INV_FACT: number[] = [1];
for (let n = 1; n <= 2 * TRIG_TERMS + 1; n++) INV_FACT[n] = INV_FACT[n - 1] / n;
const HALF_PI = 1.5707963267948966;

/** cos x for x in [0, pi/4]: 1 - x^2/2! + x^4/4! - ... (Horner in x^2). */
function kernelCos(x: number): number {
  const z = x * x;
  let r = 0;
  for (let n = TRIG_TERMS; n >= 1; n--) r = (r + (n % 2 === 0 ? INV_FACT[2 * n] : -INV_FACT[2 * n])) * z;
  return 1 + r;
}

/** sin x for x in [0, pi/4]: x - x^3/3! + x^5/5! - ... */
function kernelSin(x: number): number {
  const z = x * x;
  let r = 0;
  for (let n = TRIG_TERMS; n >= 1; n--) r = (r + (n % 2 === 0 ? INV_FACT[2 * n + 1] : -INV_FACT[2 * n + 1])) * z;
  return x + x * r;
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
