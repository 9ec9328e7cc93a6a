// Deterministic elementary functions: the same bits in every JavaScript engine.
//
// JavaScript's Math.exp, Math.log, Math.cos, `**` and the rest are implementation-defined: Node 20's V8 and
// Chromium's differ in the last bit of a few percent of results (docs/design.md, "Conventions"). IEEE 754
// +, -, *, / and sqrt are correctly rounded everywhere, so these functions, written in nothing but those and
// integer operations on the bits, give the same result in Node, in any browser and in the WASM core. Use them
// for every number on the way from a seed to model bytes, sample bytes or a reported metric; scripts/det-math.mjs
// (part of `pnpm lint`) forbids the engine's functions in library code.
//
// The algorithms are musl libc's (which took them from Sun's fdlibm) as AssemblyScript's NativeMath implements
// them in its small build (ASC_SHRINK_LEVEL >= 1: the fdlibm-style exp, log and pow rather than the table-driven
// ones, and the Cody-Waite argument reduction of sin and cos without the |x| < 3pi/4 shortcut), ported here
// line by line so that det-math.test.ts can hold them to NativeMath compiled to WASM bit for bit. Two places
// follow musl instead, where NativeMath departs from it and is wrong: expm1's final sum and pow's test for an
// integer exponent (see there); the test checks those two against musl's specification.
//
// Ported from AssemblyScript's std/assembly/math.ts, Copyright (c) the AssemblyScript authors, Apache License 2.0;
// in turn ported from musl libc (src/math), Copyright (c) 2005-2020 Rich Felker et al., MIT License;
// the large argument reduction from jdh8/metallic (src/math/double/rem_pio2.c), MIT License.
//
// SUN COPYRIGHT NOTICE (exp, expm1, log, log1p, log10, pow, and the sin/cos kernels):
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
// Developed at SunPro, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this software
// is freely granted, provided that this notice is preserved.

// ---- bits of a double: two 32-bit words over one buffer (the high word holds the sign and exponent) ----

const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);
const u64 = new BigUint64Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high 32 bits of x, unsigned. */
function highWord(x: number): number {
  f64[0] = x;
  return words[HI];
}

/** The low 32 bits of x, unsigned. */
function lowWord(x: number): number {
  f64[0] = x;
  return words[LO];
}

/** The double whose high and low 32-bit words are given. */
function fromWords(hi: number, lo: number): number {
  words[HI] = hi;
  words[LO] = lo;
  return f64[0];
}

/** x with its low 32 bits cleared (fdlibm's SET_LOW_WORD(x, 0)). */
function clearLow(x: number): number {
  f64[0] = x;
  words[LO] = 0;
  return f64[0];
}

const LN2_HI = fromWords(0x3fe62e42, 0xfee00000); // 6.93147180369123816490e-01
const LN2_LO = fromWords(0x3dea39ef, 0x35793c76); // 1.90821492927058770002e-10
const INV_LN2 = fromWords(0x3ff71547, 0x652b82fe); // 1.44269504088896338700e+00
const TWO_1023 = fromWords(0x7fe00000, 0); // 0x1p1023
const TWO_54 = fromWords(0x43500000, 0); // 0x1p54

// ---- scaling ----

/** x * 2^n without overflow or double rounding in between (musl scalbn.c). */
export function scalbn(x: number, n: number): number {
  const twoP53 = fromWords(0x43400000, 0);
  const twoM1022 = fromWords(0x00100000, 0);
  let y = x;
  if (n > 1023) {
    y *= TWO_1023;
    n -= 1023;
    if (n > 1023) {
      y *= TWO_1023;
      n = Math.min(n - 1023, 1023);
    }
  } else if (n < -1022) {
    // keep the final n below -53 so that the subnormal result is rounded once
    y *= twoM1022 * twoP53;
    n += 1022 - 53;
    if (n < -1022) {
      y *= twoM1022 * twoP53;
      n = Math.max(n + 1022 - 53, -1022);
    }
  }
  return y * fromWords((0x3ff + n) << 20, 0);
}

// ---- exponentials ----

const EXP_P1 = fromWords(0x3fc55555, 0x5555553e); //  1.66666666666666019037e-01
const EXP_P2 = fromWords(0xbf66c16c, 0x16bebd93); // -2.77777777770155933842e-03
const EXP_P3 = fromWords(0x3f11566a, 0xaf25de2c); //  6.61375632143793436117e-05
const EXP_P4 = fromWords(0xbebbbd41, 0xc5d26bf1); // -1.65339022054652515390e-06
const EXP_P5 = fromWords(0x3e663769, 0x72bea4d0); //  4.13813679705723846039e-08
const EXP_OVERFLOW = fromWords(0x40862e42, 0xfefa39ef); //  709.782712893383973096
const EXP_UNDERFLOW = fromWords(0xc0874910, 0xd52d3051); // -745.13321910194110842

/** e^x (musl exp.c, fdlibm e_exp.c): x = k ln2 + r, |r| <= ln2/2, then a rational approximation of e^r. */
export function exp(x: number): number {
  let hx = highWord(x);
  const sign = hx >>> 31;
  hx &= 0x7fffffff;
  if (hx >= 0x4086232b) {
    if (Number.isNaN(x)) return x;
    if (x > EXP_OVERFLOW) return x * TWO_1023;
    if (x < EXP_UNDERFLOW) return 0;
  }
  let hi: number;
  let lo = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    k = hx >= 0x3ff0a2b2 ? Math.trunc(INV_LN2 * x + (sign ? -0.5 : 0.5)) : 1 - 2 * sign;
    hi = x - k * LN2_HI;
    lo = k * LN2_LO;
    x = hi - lo;
  } else if (hx > 0x3e300000) {
    hi = x;
  } else return 1 + x;
  const xs = x * x;
  const xq = xs * xs;
  const c = x - (xs * EXP_P1 + xq * (EXP_P2 + xs * EXP_P3 + xq * (EXP_P4 + xs * EXP_P5)));
  const y = 1 + ((x * c) / (2 - c) - lo + hi);
  return k === 0 ? y : scalbn(y, k);
}

const EXPM1_Q1 = fromWords(0xbfa11111, 0x111110f4); // -3.33333333333331316428e-02
const EXPM1_Q2 = fromWords(0x3f5a01a0, 0x19fe5585); //  1.58730158725481460165e-03
const EXPM1_Q3 = fromWords(0xbf14ce19, 0x9eaadbb7); // -7.93650757867487942473e-05
const EXPM1_Q4 = fromWords(0x3ed0cfca, 0x86e65239); //  4.00821782732936239552e-06
const EXPM1_Q5 = fromWords(0xbe8afdb7, 0x6e09c32d); // -2.01099218183624371326e-07

/**
 * e^x - 1, accurate near 0 (musl expm1.c, fdlibm s_expm1.c). Here musl's own evaluation order is kept, not
 * NativeMath's: NativeMath sums the polynomial in another order and adds x last (`(x + ((1 - 2^-k) - e)) 2^k`),
 * which errs by up to 1.5 ulp (measured against mpmath); musl's order stays under one ulp and gives the bits of
 * V8's fdlibm Math.expm1.
 */
export function expm1(x: number): number {
  const hx = highWord(x) & 0x7fffffff;
  const sign = highWord(x) >>> 31;
  let k = 0;
  if (hx >= 0x4043687a) {
    // |x| >= 56 ln2
    if (Number.isNaN(x)) return x;
    if (sign) return -1;
    if (x > EXP_OVERFLOW) return x * TWO_1023;
  }
  let c = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2/2: x = k ln2 + (hi - lo), c the rounding error of hi - lo
    k = hx < 0x3ff0a2b2 ? 1 - 2 * sign : Math.trunc(INV_LN2 * x + (sign ? -0.5 : 0.5));
    const hi = x - k * LN2_HI;
    const lo = k * LN2_LO;
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) return x; // |x| < 2^-54
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (EXPM1_Q1 + hxs * (EXPM1_Q2 + hxs * (EXPM1_Q3 + hxs * (EXPM1_Q4 + hxs * EXPM1_Q5))));
  const t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs); // c is 0
  e = x * (e - c) - c;
  e -= hxs;
  // e^x ~ 2^k (x - e + 1)
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) {
    if (x < -0.25) return -2 * (e - (x + 0.5));
    return 1 + 2 * (x - e);
  }
  const twopk = fromWords((0x3ff + k) << 20, 0);
  if (k < 0 || k > 56) {
    // e^x - 1 is e^x in double precision
    let y = x - e + 1;
    if (k === 1024) y = y * 2 * TWO_1023;
    else y = y * twopk;
    return y - 1;
  }
  const twomk = fromWords((0x3ff - k) << 20, 0);
  if (k < 20) return (x - e + (1 - twomk)) * twopk;
  return (x - (e + twomk) + 1) * twopk;
}

// ---- logarithms ----

const LG1 = fromWords(0x3fe55555, 0x55555593); // 6.666666666666735130e-01
const LG2 = fromWords(0x3fd99999, 0x9997fa04); // 3.999999999940941908e-01
const LG3 = fromWords(0x3fd24924, 0x94229359); // 2.857142874366239149e-01
const LG4 = fromWords(0x3fcc71c5, 0x1d8e78af); // 2.222219843214978396e-01
const LG5 = fromWords(0x3fc74664, 0x96cb03de); // 1.818357216161805012e-01
const LG6 = fromWords(0x3fc39a09, 0xd078c69f); // 1.531383769920937332e-01
const LG7 = fromWords(0x3fc2f112, 0xdf3e5244); // 1.479819860511658591e-01

/**
 * The reduction shared by log and log10: x = 2^k (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2), or the result
 * itself for zero, negative, infinite, NaN and 1 (then `special` holds it).
 */
const reduced = { k: 0, f: 0, special: Number.NaN, done: false };
function reduceLog(x: number): typeof reduced {
  let hx = highWord(x);
  let lo = lowWord(x);
  let k = 0;
  reduced.done = true;
  if (hx >>> 31 || hx < 0x00100000) {
    if (x === 0) {
      reduced.special = -1 / (x * x);
      return reduced;
    }
    if (hx >>> 31) {
      reduced.special = (x - x) / 0;
      return reduced;
    }
    k -= 54; // subnormal: scale it up
    x *= TWO_54;
    hx = highWord(x);
    lo = lowWord(x);
  } else if (hx >= 0x7ff00000) {
    reduced.special = x;
    return reduced;
  } else if (hx === 0x3ff00000 && lo === 0) {
    reduced.special = 0;
    return reduced;
  }
  hx += 0x3ff00000 - 0x3fe6a09e;
  k += (hx >> 20) - 0x3ff;
  hx = (hx & 0x000fffff) + 0x3fe6a09e;
  reduced.k = k;
  reduced.f = fromWords(hx, lo) - 1;
  reduced.done = false;
  return reduced;
}

/** The polynomial R(z) of fdlibm's log: log(1 + f) = f - f^2/2 + s (f^2/2 + R), s = f / (2 + f). */
function logTail(s: number): number {
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  return t2 + t1;
}

/** The natural logarithm (musl log.c, fdlibm e_log.c). */
export function log(x: number): number {
  const r = reduceLog(x);
  if (r.done) return r.special;
  const f = r.f;
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const dk = r.k;
  return s * (hfsq + logTail(s)) + dk * LN2_LO - hfsq + f + dk * LN2_HI;
}

const IVLN10_HI = fromWords(0x3fdbcb7b, 0x15200000); // 4.34294481878168880939e-01
const IVLN10_LO = fromWords(0x3dbb9438, 0xca9aadd5); // 2.50829467116452752298e-11
const LOG10_2_HI = fromWords(0x3fd34413, 0x509f6000); // 3.01029995663611771306e-01
const LOG10_2_LO = fromWords(0x3d59fef3, 0x11f12b36); // 3.69423907715893078616e-13

/** The base-10 logarithm (musl log10.c, fdlibm e_log10.c). */
export function log10(x: number): number {
  const r = reduceLog(x);
  if (r.done) return r.special;
  const f = r.f;
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const tail = logTail(s);
  const hi = clearLow(f - hfsq);
  const lo = f - hi - hfsq + s * (hfsq + tail);
  const valHi = hi * IVLN10_HI;
  const dk = r.k;
  const y = dk * LOG10_2_HI;
  let valLo = dk * LOG10_2_LO + (lo + hi) * IVLN10_LO + lo * IVLN10_HI;
  const w = y + valHi;
  valLo += y - w + valHi;
  return valLo + w;
}

/** log(1 + x), accurate near 0 (musl log1p.c, fdlibm s_log1p.c). */
export function log1p(x: number): number {
  const hx = highWord(x);
  let k = 1;
  let c = 0;
  let f = 0;
  if (hx < 0x3fda827a || hx >>> 31) {
    if (hx >= 0xbff00000) {
      // x <= -1.0
      if (x === -1) return x / 0;
      return (x - x) / 0;
    }
    if ((hx << 1) >>> 0 < 0x3ca00000 << 1) return x; // |x| < 2**-53
    if (hx <= 0xbfd2bec4) {
      // sqrt(2)/2 - 1 <= x < sqrt(2) - 1: no reduction
      k = 0;
      c = 0;
      f = x;
    }
  } else if (hx >= 0x7ff00000) return x;
  if (k) {
    const uf = 1 + x;
    let hu = highWord(uf);
    hu += 0x3ff00000 - 0x3fe6a09e;
    k = (hu >>> 20) - 0x3ff;
    if (k < 54) {
      // the rounding error of 1 + x, put back below
      c = k >= 2 ? 1 - (uf - x) : x - (uf - 1);
      c /= uf;
    } else c = 0;
    hu = (hu & 0x000fffff) + 0x3fe6a09e;
    f = fromWords(hu, lowWord(uf)) - 1;
  }
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const dk = k;
  return s * (hfsq + logTail(s)) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI;
}

// ---- power ----

const POW = {
  dpH1: fromWords(0x3fe2b803, 0x40000000), //  5.84962487220764160156e-01
  dpL1: fromWords(0x3e4cfdeb, 0x43cfd006), //  1.35003920212974897128e-08
  two53: fromWords(0x43400000, 0), //  9007199254740992.0
  huge: fromWords(0x7e37e43c, 0x8800759c), //  1e+300
  tiny: fromWords(0x01a56e1f, 0xc2f8f359), //  1e-300
  L1: fromWords(0x3fe33333, 0x33333303), //  5.99999999999994648725e-01
  L2: fromWords(0x3fdb6db6, 0xdb6fabff), //  4.28571428578550184252e-01
  L3: fromWords(0x3fd55555, 0x518f264d), //  3.33333329818377432918e-01
  L4: fromWords(0x3fd17460, 0xa91d4101), //  2.72728123808534006489e-01
  L5: fromWords(0x3fcd864a, 0x93c9db65), //  2.30660745775561754067e-01
  L6: fromWords(0x3fca7e28, 0x4a454eef), //  2.06975017800338417784e-01
  lg2: fromWords(0x3fe62e42, 0xfefa39ef), //  6.93147180559945286227e-01
  lg2H: fromWords(0x3fe62e43, 0), //  6.93147182464599609375e-01
  lg2L: fromWords(0xbe205c61, 0x0ca86c39), // -1.90465429995776804525e-09
  ovt: fromWords(0x3c971547, 0x652b82fe), //  8.0085662595372944372e-017
  cp: fromWords(0x3feec709, 0xdc3a03fd), //  9.61796693925975554329e-01
  cpH: fromWords(0x3feec709, 0xe0000000), //  9.61796700954437255859e-01
  cpL: fromWords(0xbe3e2fe0, 0x145b01f5), // -7.02846165095275826516e-09
  ivln2: fromWords(0x3ff71547, 0x652b82fe), //  1.44269504088896338700e+00
  ivln2H: fromWords(0x3ff71547, 0x60000000), //  1.44269502162933349609e+00
  ivln2L: fromWords(0x3e54ae0b, 0xf85ddf44), //  1.92596299112661746887e-08
  inv3: fromWords(0x3fd55555, 0x55555555), //  0.3333333333333333333333
};

/**
 * x^y with JavaScript's special cases (musl pow.c, fdlibm e_pow.c): y ln2(x) in extra precision, then 2^(y log2 x).
 * Unlike C, 1^NaN and (-1)^±Infinity are NaN, as for `**`.
 */
export function pow(x: number, y: number): number {
  if (Math.abs(y) <= 2) {
    if (y === 2) return x * x;
    if (y === 0.5) return x !== Number.NEGATIVE_INFINITY ? Math.abs(Math.sqrt(x)) : Number.POSITIVE_INFINITY;
    if (y === -1) return 1 / x;
    if (y === 1) return x;
    if (y === 0) return 1;
  }
  const P = POW;
  const hx = highWord(x) | 0;
  const lx = lowWord(x);
  const hy = highWord(y) | 0;
  const ly = lowWord(y);
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;
  if ((iy | ly) === 0) return 1; // x**0 = 1, even if x is NaN
  if (ix > 0x7ff00000 || (ix === 0x7ff00000 && lx !== 0) || iy > 0x7ff00000 || (iy === 0x7ff00000 && ly !== 0)) return x + y;
  // yisint: 0 when y is not an integer, 1 when it is odd, 2 when it is even (only needed for x < 0)
  let yisint = 0;
  let k: number;
  if (hx < 0) {
    if (iy >= 0x43400000) yisint = 2;
    else if (iy >= 0x3ff00000) {
      // the integer bits of y end in the low word (k > 20) or the high word, and then the low word must be 0:
      // NativeMath drops that last test, so that (-2) ** 1.0000000000000002 is -2.0000000000000004 there, not NaN
      k = (iy >> 20) - 0x3ff;
      const offset = (k > 20 ? 52 : 20) - k;
      const bits = k > 20 ? ly : iy;
      const jj = bits >>> offset;
      if ((k > 20 || ly === 0) && (jj << offset) >>> 0 === bits) yisint = 2 - (jj & 1);
    }
  }
  if (ly === 0) {
    if (iy === 0x7ff00000) {
      // y is ±Infinity
      if (((ix - 0x3ff00000) | lx) === 0) return Number.NaN; // (-1)**±Infinity is NaN in JavaScript
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0; // (|x| > 1)**±Infinity = Infinity, 0
      return hy >= 0 ? 0 : -y; // (|x| < 1)**±Infinity = 0, Infinity
    }
    if (iy === 0x3ff00000) return hy >= 0 ? x : 1 / x;
    if (hy === 0x40000000) return x * x;
    if (hy === 0x3fe00000 && hx >= 0) return Math.sqrt(x);
  }
  let ax = Math.abs(x);
  let z: number;
  if (lx === 0 && (ix === 0 || ix === 0x7ff00000 || ix === 0x3ff00000)) {
    // x is ±0, ±Infinity or ±1
    z = ax;
    if (hy < 0) z = 1 / z;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) === 0) {
        const d = z - z;
        z = d / d; // (-1)**non-integer is NaN
      } else if (yisint === 1) z = -z;
    }
    return z;
  }
  let s = 1; // the sign of the result
  if (hx < 0) {
    if (yisint === 0) {
      const d = x - x;
      return d / d; // (x < 0)**non-integer is NaN
    }
    if (yisint === 1) s = -1;
  }
  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| > 2**31
    if (iy > 0x43f00000) {
      // |y| > 2**64: overflow or underflow
      if (ix <= 0x3fefffff) return hy < 0 ? P.huge * P.huge : P.tiny * P.tiny;
      if (ix >= 0x3ff00000) return hy > 0 ? P.huge * P.huge : P.tiny * P.tiny;
    }
    if (ix < 0x3fefffff) return hy < 0 ? s * P.huge * P.huge : s * P.tiny * P.tiny;
    if (ix > 0x3ff00000) return hy > 0 ? s * P.huge * P.huge : s * P.tiny * P.tiny;
    // |1 - x| <= 2**-20: log(x) by the series of log(1 + t)
    const t = ax - 1;
    const w = t * t * (0.5 - t * (P.inv3 - t * 0.25));
    const u = P.ivln2H * t;
    const v = t * P.ivln2L - w * P.ivln2;
    t1 = clearLow(u + v);
    t2 = v - (t1 - u);
  } else {
    let n = 0;
    if (ix < 0x00100000) {
      // subnormal x
      ax *= P.two53;
      n -= 53;
      ix = highWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    ix = j | 0x3ff00000; // the mantissa, in [1, 2)
    if (j <= 0x3988e)
      k = 0; // |x| < sqrt(3/2)
    else if (j < 0xbb67a)
      k = 1; // |x| < sqrt(3)
    else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = fromWords(ix, lowWord(ax));
    // log2(ax) as s_h + s_l with s = (ax - bp) / (ax + bp)
    const bp = k ? 1.5 : 1;
    let u = ax - bp;
    let v = 1 / (ax + bp);
    const ss = u * v;
    const sH = clearLow(ss);
    let tH = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0);
    let tL = ax - (tH - bp);
    const sL = v * (u - sH * tH - sH * tL);
    let s2 = ss * ss;
    let r = s2 * s2 * (P.L1 + s2 * (P.L2 + s2 * (P.L3 + s2 * (P.L4 + s2 * (P.L5 + s2 * P.L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = clearLow(3 + s2 + r);
    tL = r - (tH - 3 - s2);
    u = sH * tH;
    v = sL * tH + tL * ss;
    const pH = clearLow(u + v);
    const pL = v - (pH - u);
    const zH = P.cpH * pH;
    const dpL = k ? P.dpL1 : 0;
    const zL = P.cpL * pH + pL * P.cp + dpL;
    const t = n;
    const dpH = k ? P.dpH1 : 0;
    t1 = clearLow(zH + zL + dpH + t);
    t2 = zL - (t1 - t - dpH - zH);
  }
  // y log2(x) = pH + pL, split so that pH has few bits
  const y1 = clearLow(y);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  z = pL + pH;
  let j = highWord(z) | 0;
  let i = lowWord(z) | 0;
  if (j >= 0x40900000) {
    // z >= 1024
    if (((j - 0x40900000) | i) !== 0) return s * P.huge * P.huge;
    if (pL + P.ovt > z - pH) return s * P.huge * P.huge;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z <= -1075
    if (((j - 0xc090cc00) | i) !== 0) return s * P.tiny * P.tiny;
    if (pL <= z - pH) return s * P.tiny * P.tiny;
  }
  // 2^(pH + pL): n = nearest integer, then e^(r ln2) on the rest
  i = j & 0x7fffffff;
  k = (i >> 20) - 0x3ff;
  let n = 0;
  if (i > 0x3fe00000) {
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff;
    const t = fromWords((n & ~(0x000fffff >> k)) >>> 0, 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  const t = clearLow(pL + pH);
  const u = t * P.lg2H;
  const v = (pL - (t - pH)) * P.lg2 + t * P.lg2L;
  z = u + v;
  const w = v - (z - u);
  const tt = z * z;
  t1 = z - tt * (EXP_P1 + tt * (EXP_P2 + tt * (EXP_P3 + tt * (EXP_P4 + tt * EXP_P5))));
  const r = (z * t1) / (t1 - 2) - (w + z * w);
  z = 1 - (r - z);
  j = highWord(z) | 0;
  j = (j + (n << 20)) | 0;
  if (j >> 20 <= 0) z = scalbn(z, n);
  else z = fromWords(j >>> 0, lowWord(z));
  return s * z;
}

// ---- trigonometry ----

const S1 = fromWords(0xbfc55555, 0x55555549); // -1.66666666666666324348e-01
const S2 = fromWords(0x3f811111, 0x1110f8a6); //  8.33333333332248946124e-03
const S3 = fromWords(0xbf2a01a0, 0x19c161d5); // -1.98412698298579493134e-04
const S4 = fromWords(0x3ec71de3, 0x57b1fe7d); //  2.75573137070700676789e-06
const S5 = fromWords(0xbe5ae5e6, 0x8a2b9ceb); // -2.50507602534068634195e-08
const S6 = fromWords(0x3de5d93a, 0x5acfd57c); //  1.58969099521155010221e-10

/** sin(x + y) for |x| <= pi/4, y the tail of the reduced argument (iy = 0: y is 0) (musl __sin.c). */
function sinKernel(x: number, y: number, iy: number): number {
  const z = x * x;
  const w = z * z;
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const v = z * x;
  if (!iy) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const C1 = fromWords(0x3fa55555, 0x5555554c); //  4.16666666666666019037e-02
const C2 = fromWords(0xbf56c16c, 0x16c15177); // -1.38888888888741095749e-03
const C3 = fromWords(0x3efa01a0, 0x19cb1590); //  2.48015872894767294178e-05
const C4 = fromWords(0xbe927e4f, 0x809c52ad); // -2.75573143513906633035e-07
const C5 = fromWords(0x3e21ee9e, 0xbdb4b1c4); //  2.08757232129817482790e-09
const C6 = fromWords(0xbda8fae9, 0xbe8838d4); // -1.13596475577881948265e-11

/** cos(x + y) for |x| <= pi/4 (musl __cos.c). */
function cosKernel(x: number, y: number): number {
  const z = x * x;
  let w = z * z;
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  w = 1 - hz;
  return w + (1 - w - hz + (z * r - x * y));
}

const PIO2_1 = fromWords(0x3ff921fb, 0x54400000); // 1.57079632673412561417e+00
const PIO2_1T = fromWords(0x3dd0b461, 0x1a626331); // 6.07710050650619224932e-11
const PIO2_2 = fromWords(0x3dd0b461, 0x1a600000); // 6.07710050630396597660e-11
const PIO2_2T = fromWords(0x3ba3198a, 0x2e037073); // 2.02226624879595063154e-21
const PIO2_3 = fromWords(0x3ba3198a, 0x2e000000); // 2.02226624871116645580e-21
const PIO2_3T = fromWords(0x397b839a, 0x252049c1); // 8.47842766036889956997e-32
const INV_PIO2 = fromWords(0x3fe45f30, 0x6dc9c883); // 0.63661977236758134308
const TO_INT = 1.5 / Number.EPSILON; // adding and subtracting it rounds to the nearest integer, ties to even

/** The reduced argument of the last {@link remPio2}: x - q pi/2 = y0 + y1. */
const rem = { y0: 0, y1: 0 };

/** q with x = q pi/2 + (y0 + y1), |y0 + y1| <= pi/4 (musl __rem_pio2.c; the large case as in jdh8/metallic). */
function remPio2(x: number, sign: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x413921fb) {
    // |x| ~< 2^20 pi/2: Cody-Waite with pi/2 in three pieces, as many as the cancellation needs
    const q = x * INV_PIO2 + TO_INT - TO_INT;
    let r = x - q * PIO2_1;
    let w = q * PIO2_1T; // 1st round, good to 85 bits
    const j = ix >> 20;
    let y0 = r - w;
    let i = j - ((highWord(y0) >>> 20) & 0x7ff);
    if (i > 16) {
      // 2nd iteration, good to 118 bits
      let t = r;
      w = q * PIO2_2;
      r = t - w;
      w = q * PIO2_2T - (t - r - w);
      y0 = r - w;
      i = j - ((highWord(y0) >>> 20) & 0x7ff);
      if (i > 49) {
        // 3rd iteration, 151 bits
        t = r;
        w = q * PIO2_3;
        r = t - w;
        w = q * PIO2_3T - (t - r - w);
        y0 = r - w;
      }
    }
    rem.y0 = y0;
    rem.y1 = r - y0 - w;
    return q | 0;
  }
  const q = largeQuotient(x);
  return sign ? -q : q;
}

// ---- the large argument reduction, in 64-bit integers (jdh8/metallic rem_pio2.c as AssemblyScript has it) ----
// Only |x| >= 2^20 pi/2 comes here, so BigInt's cost does not matter.

const M64 = (1n << 64n) - 1n;
// 0x1p-31 / pi in 64-bit pieces
const PIO2_TABLE = [
  0x00000000a2f9836en,
  0x4e441529fc2757d1n,
  0xf534ddc0db629599n,
  0x3c439041fe5163abn,
  0xdebbc561b7246e3an,
  0x424dd2e006492eean,
  0x09d1921cfe1deb1cn,
  0xb129a73ee88235f5n,
  0x2ebb4484e99c7026n,
  0xb45f7e413991d639n,
  0x835339f49c845f8bn,
  0xbdf9283b1ff897ffn,
  0xde05980fef2f118bn,
  0x5a0a6d1f6d367ecfn,
  0x27cb09b74f463f66n,
  0x9e5fea2d7527bac7n,
  0xebe5f17b3d0739f7n,
  0x8a5292ea6bfb5fb1n,
  0x1f8d5d0856033046n,
  0xfc7b6babf0cfbc20n,
  0x9af4361da9e39161n,
  0x5ee61b086599855fn,
  0x14a068408dffd880n,
  0x4d73273106061557n,
];

function bitsOf(x: number): bigint {
  f64[0] = x;
  return u64[0];
}

function fromBits(b: bigint): number {
  u64[0] = b;
  return f64[0];
}

/** Leading zeros of a 64-bit integer. */
function clz64(b: bigint): bigint {
  const hi = Number(b >> 32n);
  return BigInt(hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(Number(b & 0xffffffffn)));
}

/** y0 = pi/4 * (frac << clz(frac) >> 11), y1 its tail; returns clz(frac). */
function pio2Right(q0: bigint, q1: bigint): bigint {
  const p0 = 0xc4c6628b80dc1cd1n; // bits of pi/4
  const p1 = 0xc90fdaa22168c234n;
  const shift = clz64(q1);
  // as in WASM, a shift by 64 is a shift by 0 (the count is taken mod 64)
  q1 = ((q1 << shift) | (q0 >> ((64n - shift) & 63n))) & M64;
  q0 = (q0 << shift) & M64;
  const product = p1 * q1;
  const lo = product & M64;
  const hi = product >> 64n;
  const ahi = hi >> 11n;
  const alo = ((lo >> 11n) | (hi << 53n)) & M64;
  const blo = BigInt(Math.trunc(2 ** -75 * Number(p0) * Number(q1) + 2 ** -75 * Number(p1) * Number(q0)));
  rem.y0 = Number(ahi + (lo < blo ? 1n : 0n));
  rem.y1 = 2 ** -64 * Number((alo + blo) & M64);
  return shift;
}

function largeQuotient(x: number): number {
  const u = bitsOf(x);
  const offset = ((u & 0x7fffffffffffffffn) >> 52n) - 1045n;
  const shift = offset & 63n;
  // |x| below 2^22 starts one word before the table: the bits of 0x1p-31 / pi above it are 0
  const at = Number(offset >> 6n);
  const [b0, b1, b2, b3] = [0, 1, 2, 3].map((i) => PIO2_TABLE[at + i] ?? 0n);
  // 192 bits of 0x1p-31 / pi with `offset` bits skipped
  let s0 = b0;
  let s1 = b1;
  let s2 = b2;
  if (shift) {
    const rshift = 64n - shift;
    s0 = ((b1 >> rshift) | (b0 << shift)) & M64;
    s1 = ((b2 >> rshift) | (b1 << shift)) & M64;
    s2 = ((b3 >> rshift) | (b2 << shift)) & M64;
  }
  const significand = (u & 0x000fffffffffffffn) | 0x0010000000000000n;
  // the first 128 bits of the fractional part of x / (2 pi)
  const b = s1 * significand;
  const blo = b & M64;
  const bhi = b >> 64n;
  const ahi = (s0 * significand) & M64;
  const clo = (s2 >> 32n) * (significand >> 32n);
  const plo = (blo + clo) & M64;
  const phi = (ahi + bhi + (plo < clo ? 1n : 0n)) & M64;
  const rlo = (plo << 2n) & M64;
  const rhi = ((phi << 2n) | (plo >> 62n)) & M64;
  const slo = BigInt.asIntN(64, rhi) >> 63n;
  const shi = slo >> 1n;
  const q = (BigInt.asIntN(64, phi) >> 62n) - slo;
  const shifter = (0x3cb0000000000000n - (pio2Right(rlo ^ BigInt.asUintN(64, slo), rhi ^ BigInt.asUintN(64, shi)) << 52n)) & M64;
  const signbit = (u ^ rhi) & 0x8000000000000000n;
  const coeff = fromBits(shifter | signbit);
  rem.y0 *= coeff;
  rem.y1 *= coeff;
  return Number(BigInt.asIntN(32, q));
}

/** The cosine (musl cos.c). */
export function cos(x: number): number {
  const hx = highWord(x);
  const sign = hx >>> 31;
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) {
    // |x| ~< pi/4
    if (ix < 0x3e46a09e) return 1; // |x| < 2**-27 sqrt(2)
    return cosKernel(x, 0);
  }
  if (ix >= 0x7ff00000) return x - x; // NaN for NaN and ±Infinity
  const n = remPio2(x, sign);
  const v = n & 1 ? sinKernel(rem.y0, rem.y1, 1) : cosKernel(rem.y0, rem.y1);
  return (n + 1) & 2 ? -v : v;
}

/** The sine (musl sin.c). */
export function sin(x: number): number {
  const hx = highWord(x);
  const sign = hx >>> 31;
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) {
    // |x| ~< pi/4
    if (ix < 0x3e500000) return x; // |x| < 2**-26
    return sinKernel(x, 0, 0);
  }
  if (ix >= 0x7ff00000) return x - x;
  const n = remPio2(x, sign);
  const v = n & 1 ? cosKernel(rem.y0, rem.y1) : sinKernel(rem.y0, rem.y1, 1);
  return n & 2 ? -v : v;
}

// ---- hypot ----

const SPLIT = fromWords(0x41a00000, 0) + 1; // 0x1p27 + 1: splits a double into two 26-bit halves
const TWO_700 = fromWords(0x6bb00000, 0);
const TWO_M700 = fromWords(0x14300000, 0);

/** sqrt(x^2 + y^2) without undue overflow or underflow, the squares in double-double (musl hypot.c). */
export function hypot(x: number, y: number): number {
  let ax = Math.abs(x);
  let ay = Math.abs(y);
  // order by the bits (so that NaN payloads sort as musl sorts them)
  const hxw = highWord(ax);
  const hyw = highWord(ay);
  if (hxw < hyw || (hxw === hyw && lowWord(ax) < lowWord(ay))) [ax, ay] = [ay, ax];
  const ex = highWord(ax) >>> 20;
  const ey = highWord(ay) >>> 20;
  if (ey === 0x7ff) return ay;
  if (ex === 0x7ff || ay === 0) return ax;
  if (ex - ey > 64) return ax + ay;
  let z = 1;
  if (ex > 0x3ff + 510) {
    z = TWO_700;
    ax *= TWO_M700;
    ay *= TWO_M700;
  } else if (ey < 0x3ff - 450) {
    z = TWO_M700;
    ax *= TWO_700;
    ay *= TWO_700;
  }
  let c = ax * SPLIT;
  let h = ax - c + c;
  let l = ax - h;
  const hx = ax * ax;
  const lx = h * h - hx + (2 * h + l) * l;
  c = ay * SPLIT;
  h = ay - c + c;
  l = ay - h;
  const hy = ay * ay;
  const ly = h * h - hy + (2 * h + l) * l;
  return z * Math.sqrt(ly + lx + hy + hx);
}
