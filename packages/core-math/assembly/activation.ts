import { ActivationCode } from './contract';

// Activations phi and their first three derivatives (the Taylor-2 reverse pass needs phi''').
// Kinds: ActivationCode (assembly/contract.ts): silu, softplus, tanh, elu (alpha = 1).
//
// Every value comes from one exponential per element, in f32: exp(x) = 2^n (1 + q), x = n ln2 + r,
// q = expm1(r) by the Cephes expf polynomial (|r| <= ln2 / 2, about 1 ulp). The SIMD build runs four
// lanes with f32x4 and the scalar build (and the SIMD remainder) runs the same operations in the same
// order on f32, so both agree bit for bit (mul, add, sub, div are correctly rounded lane by lane).
// Cancellation is avoided by construction: 1 - sigmoid(a) = sigmoid(-a) and 1 - tanh|a| = 2 e / (2 + m)
// come from exp(-|a|) directly, and expm1 is exact to rounding near 0.
// see: S. L. Moshier, Cephes Math Library (expf); Muller, Elementary Functions, ch. 11 (range reduction).

const LOG2E: f32 = 1.44269504088896341;
const SHIFTER: f32 = 12582912.0; // 1.5 2^23
const LN2_HI: f32 = 0.693359375; // exact in f32: n LN2_HI is exact for |n| <= 126
const LN2_LO: f32 = -2.12194440e-4;
const X_MIN: f32 = -87.0; // keeps 2^n normal; exp of anything smaller is taken as 0
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
// log1p(e) = 2 atanh(z), z = e / (2 + e) <= 1/3: the odd series to z^15 (error < 2e-9 relative).
const A3: f32 = 1.0 / 3.0;
const A5: f32 = 1.0 / 5.0;
const A7: f32 = 1.0 / 7.0;
const A9: f32 = 1.0 / 9.0;
const A11: f32 = 1.0 / 11.0;
const A13: f32 = 1.0 / 13.0;
const A15: f32 = 1.0 / 15.0;

// ---- scalar f32 (the scalar build and the SIMD remainder) ----

// The wasm pmax / pmin rules (a < b ? b : a, b < a ? b : a): one instruction each in f32x4, where
// f32x4.max / min must order NaN and signed zeros in software.
@inline function pmax(a: f32, b: f32): f32 {
  return a < b ? b : a;
}

@inline function pmin(a: f32, b: f32): f32 {
  return b < a ? b : a;
}

// n = round(x / ln2) by the shifter trick: t = x log2(e) + 1.5 2^23 rounds to an integer (ties to even, as
// nearest) held in t's low mantissa bits, so n = t - 1.5 2^23 and 2^n has the bits (bits(t) + 127) << 23
// (the shifter's own bits shift out). Exact for |x log2(e)| < 2^22; here |x| <= 87.
@inline function expT(x: f32): f32 {
  return x * LOG2E + SHIFTER;
}

/** expm1(r), r = x - n ln2. */
@inline function expQ(x: f32, n: f32): f32 {
  const r = (x - n * LN2_HI) - n * LN2_LO;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  return p * (r * r) + r;
}

@inline function pow2(t: f32): f32 {
  return reinterpret<f32>((reinterpret<i32>(t) + 127) << 23);
}

@inline function log1pSmall(e: f32): f32 {
  const z = e / (2.0 + e);
  const w = z * z;
  let p = A15;
  p = p * w + A13;
  p = p * w + A11;
  p = p * w + A9;
  p = p * w + A7;
  p = p * w + A5;
  p = p * w + A3;
  const z2 = z + z;
  return z2 * (p * w) + z2;
}

// Stores v at dst + p; with mul, multiplies what is there instead (the reverse pass, g *= phi').
@inline function put(dst: usize, p: usize, v: f32, mul: bool): void {
  if (dst != 0) store<f32>(dst + p, mul ? load<f32>(dst + p) * v : v);
}

@inline function put0(dst: usize, p: usize, v: f32): void {
  if (dst != 0) store<f32>(dst + p, v);
}

@inline function sigmoidScalar(kind: i32, a: f32, h: usize, d1: usize, d2: usize, d3: usize, p: usize, mul: bool): void {
  const arg = -abs<f32>(a);
  const x = pmax(arg, X_MIN);
  const shifted = expT(x);
  const n = shifted - SHIFTER;
  const s = arg < X_MIN ? <f32>0.0 : pow2(shifted); // exp(u) below f32's normal range: 0
  const e = s * expQ(x, n) + s; // exp(-|a|)
  const sp = <f32>1.0 / (<f32>1.0 + e); // sigmoid(|a|)
  const sn = e * sp; // sigmoid(-|a|)
  const pos = a >= 0;
  const sig = pos ? sp : sn;
  const omt = pos ? sn - sp : sp - sn; // 1 - 2 sigmoid(a)
  const s1 = sp * sn; // sigmoid'
  const s2 = s1 * omt;
  if (kind == ActivationCode.Silu) {
    // h = a s: h^(n) = n s^(n-1) + a s^(n)
    put0(h, p, a * sig);
    put(d1, p, sig + a * s1, mul);
    put0(d2, p, (s1 + s1) + a * s2);
    put0(d3, p, <f32>3.0 * s2 + a * (s2 * omt - <f32>2.0 * (s1 * s1)));
  } else {
    put0(h, p, pmax(a, 0) + log1pSmall(e));
    put(d1, p, sig, mul);
    put0(d2, p, s1);
    put0(d3, p, s2);
  }
}

@inline function tanhScalar(a: f32, h: usize, d1: usize, d2: usize, d3: usize, p: usize, mul: bool): void {
  const arg = <f32>2.0 * -abs<f32>(a);
  const x = pmax(arg, X_MIN);
  const shifted = expT(x);
  const n = shifted - SHIFTER;
  const s = arg < X_MIN ? <f32>0.0 : pow2(shifted); // exp(u) below f32's normal range: 0
  const sq = s * expQ(x, n);
  const m = sq + (s - <f32>1.0); // expm1(-2|a|)
  const e = sq + s; // exp(-2|a|)
  const r = <f32>1.0 / (<f32>2.0 + m);
  const ta = -(m * r); // tanh|a|
  const t = copysign<f32>(ta, a);
  const u = ((e + e) * r) * (<f32>1.0 + ta); // 1 - t^2 = (1 - |t|)(1 + |t|)
  put0(h, p, t);
  put(d1, p, u, mul);
  put0(d2, p, <f32>-2.0 * t * u);
  put0(d3, p, u * (<f32>6.0 * (t * t) - <f32>2.0));
}

@inline function eluScalar(a: f32, h: usize, d1: usize, d2: usize, d3: usize, p: usize, mul: bool): void {
  const arg = pmin(a, 0);
  const x = pmax(arg, X_MIN);
  const shifted = expT(x);
  const n = shifted - SHIFTER;
  const s = arg < X_MIN ? <f32>0.0 : pow2(shifted); // exp(u) below f32's normal range: 0
  const sq = s * expQ(x, n);
  const e = sq + s;
  const pos = a > 0;
  put0(h, p, pos ? a : sq + (s - <f32>1.0));
  put(d1, p, pos ? <f32>1.0 : e, mul);
  put0(d2, p, pos ? <f32>0.0 : e);
  put0(d3, p, pos ? <f32>0.0 : e);
}


// ---- f32x4: the same operations, four lanes ----

// Vector constants live in memory, four copies each: V8 builds a v128 immediate from two 64-bit moves and
// an insert at every use inside the loop, where a load is one micro-op (Binaryen would fold hoisted
// constants back into the loop).
const V_LOG2E = 0;
const V_LN2_HI = 1;
const V_LN2_LO = 2;
const V_X_MIN = 3;
const V_P0 = 4;
const V_P1 = 5;
const V_P2 = 6;
const V_P3 = 7;
const V_P4 = 8;
const V_P5 = 9;
const V_A3 = 10;
const V_A5 = 11;
const V_A7 = 12;
const V_A9 = 13;
const V_A11 = 14;
const V_A13 = 15;
const V_A15 = 16;
const V_ONE = 17;
const V_TWO = 18;
const V_MINUS_TWO = 19;
const V_THREE = 20;
const V_SIX = 21;
const V_SHIFTER = 22;
const V_SIGN = 23; // -0: the sign bit alone
const VECTOR_CONSTANTS = memory.data<f32>([
  LOG2E, LOG2E, LOG2E, LOG2E,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  X_MIN, X_MIN, X_MIN, X_MIN,
  P0, P0, P0, P0,
  P1, P1, P1, P1,
  P2, P2, P2, P2,
  P3, P3, P3, P3,
  P4, P4, P4, P4,
  P5, P5, P5, P5,
  A3, A3, A3, A3,
  A5, A5, A5, A5,
  A7, A7, A7, A7,
  A9, A9, A9, A9,
  A11, A11, A11, A11,
  A13, A13, A13, A13,
  A15, A15, A15, A15,
  1.0, 1.0, 1.0, 1.0,
  2.0, 2.0, 2.0, 2.0,
  -2.0, -2.0, -2.0, -2.0,
  3.0, 3.0, 3.0, 3.0,
  6.0, 6.0, 6.0, 6.0,
  SHIFTER, SHIFTER, SHIFTER, SHIFTER,
  -0.0, -0.0, -0.0, -0.0,
], 16);
const VECTOR_BIAS = memory.data<i32>([127, 127, 127, 127], 16);

@inline function cv(index: i32): v128 {
  return v128.load(VECTOR_CONSTANTS + (<usize>index << 4));
}

@inline function expTV(x: v128): v128 {
  return f32x4.add(f32x4.mul(x, cv(V_LOG2E)), cv(V_SHIFTER));
}

// expm1(r) by Horner's rule, a step at a time (the 4-vector form below interleaves the steps), r = x - n ln2.
@inline function reducedV(x: v128, n: v128): v128 {
  return f32x4.sub(f32x4.sub(x, f32x4.mul(n, cv(V_LN2_HI))), f32x4.mul(n, cv(V_LN2_LO)));
}

@inline function hornerV(p: v128, r: v128, c: i32): v128 {
  return f32x4.add(f32x4.mul(p, r), cv(c));
}

@inline function expm1EndV(p: v128, r: v128): v128 {
  return f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r);
}

@inline function pow2V(t: v128): v128 {
  return i32x4.shl(i32x4.add(t, v128.load(VECTOR_BIAS)), 23);
}

@inline function log1pSmallV(e: v128): v128 {
  const z = f32x4.div(e, f32x4.add(cv(V_TWO), e));
  const w = f32x4.mul(z, z);
  let p = cv(V_A15);
  p = f32x4.add(f32x4.mul(p, w), cv(V_A13));
  p = f32x4.add(f32x4.mul(p, w), cv(V_A11));
  p = f32x4.add(f32x4.mul(p, w), cv(V_A9));
  p = f32x4.add(f32x4.mul(p, w), cv(V_A7));
  p = f32x4.add(f32x4.mul(p, w), cv(V_A5));
  p = f32x4.add(f32x4.mul(p, w), cv(V_A3));
  const z2 = f32x4.add(z, z);
  return f32x4.add(f32x4.mul(z2, f32x4.mul(p, w)), z2);
}

@inline function putV(dst: usize, p: usize, v: v128, mul: bool): void {
  if (dst != 0) v128.store(dst + p, mul ? f32x4.mul(v128.load(dst + p), v) : v);
}

@inline function put0V(dst: usize, p: usize, v: v128): void {
  if (dst != 0) v128.store(dst + p, v);
}

// Each kind's exponential argument u <= 0: -|a| (sigmoid family), -2|a| (tanh), min(a, 0) (elu). exp(u) = s (1 + q)
// is used in two parts, s = 2^n (0 where u < X_MIN: below f32's normal range) and sq = s q, q = expm1(r).
@inline function expArgV(kind: i32, a: v128): v128 {
  if (kind == ActivationCode.Tanh) return f32x4.mul(cv(V_TWO), v128.or(a, cv(V_SIGN)));
  if (kind == ActivationCode.Elu) return f32x4.pmin(a, f32x4.splat(0));
  return v128.or(a, cv(V_SIGN)); // sets the sign bit
}

@inline function scaleV(u: v128, shifted: v128): v128 {
  return v128.andnot(pow2V(shifted), f32x4.lt(u, cv(V_X_MIN)));
}

// The sigmoid family from e = exp(-|a|) and sp = sigmoid(|a|) = 1 / (1 + e) (sigmoidOfV: the one division).
@inline function sigmoidOfV(e: v128): v128 {
  return f32x4.div(cv(V_ONE), f32x4.add(cv(V_ONE), e));
}

@inline function sigmoidFinishV(kind: i32, a: v128, e: v128, sp: v128, h: usize, d1: usize, d2: usize, d3: usize, p: usize,
  mul: bool): void {
  const sn = f32x4.mul(e, sp);
  const pos = f32x4.ge(a, f32x4.splat(0));
  const sig = v128.bitselect(sp, sn, pos);
  const omt = v128.bitselect(f32x4.sub(sn, sp), f32x4.sub(sp, sn), pos);
  const s1 = f32x4.mul(sp, sn);
  const s2 = f32x4.mul(s1, omt);
  if (kind == ActivationCode.Silu) {
    put0V(h, p, f32x4.mul(a, sig));
    putV(d1, p, f32x4.add(sig, f32x4.mul(a, s1)), mul);
    put0V(d2, p, f32x4.add(f32x4.add(s1, s1), f32x4.mul(a, s2)));
    const s3 = f32x4.sub(f32x4.mul(s2, omt), f32x4.mul(cv(V_TWO), f32x4.mul(s1, s1)));
    put0V(d3, p, f32x4.add(f32x4.mul(cv(V_THREE), s2), f32x4.mul(a, s3)));
  } else {
    put0V(h, p, f32x4.add(f32x4.pmax(a, f32x4.splat(0)), log1pSmallV(e)));
    putV(d1, p, sig, mul);
    put0V(d2, p, s1);
    put0V(d3, p, s2);
  }
}

@inline function tanhFinishV(a: v128, sq: v128, s: v128, h: usize, d1: usize, d2: usize, d3: usize, p: usize, mul: bool): void {
  const m = f32x4.add(sq, f32x4.sub(s, cv(V_ONE)));
  const e = f32x4.add(sq, s);
  const r = f32x4.div(cv(V_ONE), f32x4.add(cv(V_TWO), m));
  const ta = v128.xor(f32x4.mul(m, r), cv(V_SIGN));
  const t = v128.bitselect(a, ta, cv(V_SIGN)); // copysign(ta, a)
  const u = f32x4.mul(f32x4.mul(f32x4.add(e, e), r), f32x4.add(cv(V_ONE), ta));
  put0V(h, p, t);
  putV(d1, p, u, mul);
  put0V(d2, p, f32x4.mul(f32x4.mul(cv(V_MINUS_TWO), t), u));
  put0V(d3, p, f32x4.mul(u, f32x4.sub(f32x4.mul(cv(V_SIX), f32x4.mul(t, t)), cv(V_TWO))));
}

@inline function eluFinishV(a: v128, sq: v128, s: v128, h: usize, d1: usize, d2: usize, d3: usize, p: usize, mul: bool): void {
  const e = f32x4.add(sq, s);
  const pos = f32x4.gt(a, f32x4.splat(0));
  put0V(h, p, v128.bitselect(a, f32x4.add(sq, f32x4.sub(s, cv(V_ONE))), pos));
  putV(d1, p, v128.bitselect(cv(V_ONE), e, pos), mul);
  const zeroOrE = v128.bitselect(f32x4.splat(0), e, pos);
  put0V(d2, p, zeroOrE);
  put0V(d3, p, zeroOrE);
}

// What follows the exponential's parts sq and s (tanh and elu; the sigmoid family: sigmoidFinishV).
@inline function finishV(kind: i32, a: v128, sq: v128, s: v128, h: usize, d1: usize, d2: usize, d3: usize, p: usize,
  mul: bool): void {
  if (kind == ActivationCode.Tanh) tanhFinishV(a, sq, s, h, d1, d2, d3, p, mul);
  else eluFinishV(a, sq, s, h, d1, d2, d3, p, mul);
}

/** The activation of one vector: phi and the derivatives asked for, stored at byte offset p of each output. */
@inline function activateOne(kind: i32, a: v128, h: usize, d1: usize, d2: usize, d3: usize, p: usize, mul: bool): void {
  const u = expArgV(kind, a), x = f32x4.pmax(u, cv(V_X_MIN)), t = expTV(x), n = f32x4.sub(t, cv(V_SHIFTER));
  const s = scaleV(u, t), r = reducedV(x, n);
  let q = cv(V_P0);
  for (let c = V_P1; c <= V_P5; c++) q = hornerV(q, r, c);
  const sq = f32x4.mul(s, expm1EndV(q, r));
  if (kind == ActivationCode.Tanh || kind == ActivationCode.Elu) finishV(kind, a, sq, s, h, d1, d2, d3, p, mul);
  else {
    const e = f32x4.add(sq, s);
    sigmoidFinishV(kind, a, e, sigmoidOfV(e), h, d1, d2, d3, p, mul);
  }
}

/**
 * {@link activateOne} of four vectors (outputs at byte offsets p0..p3), their steps interleaved; also a GEMM's output
 * tile while it is still in registers (assembly/gemm.ts). One exponential and its division are a chain of about 30
 * dependent operations, longer than the out-of-order window overlaps, and four chains in step ran 1.4x faster (forward
 * silu; docs/bench/analysis.md). Each element gets the same operations.
 */
@inline export function activateFour(kind: i32, a0: v128, a1: v128, a2: v128, a3: v128, h: usize, d1: usize, d2: usize, d3: usize,
  p0: usize, p1: usize, p2: usize, p3: usize, mul: bool): void {
  const u0 = expArgV(kind, a0), u1 = expArgV(kind, a1), u2 = expArgV(kind, a2), u3 = expArgV(kind, a3);
  const x0 = f32x4.pmax(u0, cv(V_X_MIN)), x1 = f32x4.pmax(u1, cv(V_X_MIN));
  const x2 = f32x4.pmax(u2, cv(V_X_MIN)), x3 = f32x4.pmax(u3, cv(V_X_MIN));
  const t0 = expTV(x0), t1 = expTV(x1), t2 = expTV(x2), t3 = expTV(x3);
  const s0 = scaleV(u0, t0), s1 = scaleV(u1, t1), s2 = scaleV(u2, t2), s3 = scaleV(u3, t3);
  const r0 = reducedV(x0, f32x4.sub(t0, cv(V_SHIFTER))), r1 = reducedV(x1, f32x4.sub(t1, cv(V_SHIFTER)));
  const r2 = reducedV(x2, f32x4.sub(t2, cv(V_SHIFTER))), r3 = reducedV(x3, f32x4.sub(t3, cv(V_SHIFTER)));
  let q0 = cv(V_P0), q1 = q0, q2 = q0, q3 = q0;
  for (let c = V_P1; c <= V_P5; c++) {
    q0 = hornerV(q0, r0, c); q1 = hornerV(q1, r1, c); q2 = hornerV(q2, r2, c); q3 = hornerV(q3, r3, c);
  }
  const sq0 = f32x4.mul(s0, expm1EndV(q0, r0)), sq1 = f32x4.mul(s1, expm1EndV(q1, r1));
  const sq2 = f32x4.mul(s2, expm1EndV(q2, r2)), sq3 = f32x4.mul(s3, expm1EndV(q3, r3));
  if (kind == ActivationCode.Tanh || kind == ActivationCode.Elu) {
    finishV(kind, a0, sq0, s0, h, d1, d2, d3, p0, mul);
    finishV(kind, a1, sq1, s1, h, d1, d2, d3, p1, mul);
    finishV(kind, a2, sq2, s2, h, d1, d2, d3, p2, mul);
    finishV(kind, a3, sq3, s3, h, d1, d2, d3, p3, mul);
  } else {
    // The divisions in step too; e alone carried (fewer live registers than sq and s).
    const e0 = f32x4.add(sq0, s0), e1 = f32x4.add(sq1, s1), e2 = f32x4.add(sq2, s2), e3 = f32x4.add(sq3, s3);
    const sp0 = sigmoidOfV(e0), sp1 = sigmoidOfV(e1), sp2 = sigmoidOfV(e2), sp3 = sigmoidOfV(e3);
    sigmoidFinishV(kind, a0, e0, sp0, h, d1, d2, d3, p0, mul);
    sigmoidFinishV(kind, a1, e1, sp1, h, d1, d2, d3, p1, mul);
    sigmoidFinishV(kind, a2, e2, sp2, h, d1, d2, d3, p2, mul);
    sigmoidFinishV(kind, a3, e3, sp3, h, d1, d2, d3, p3, mul);
  }
}

// The loop body, inlined into each specialisation below so that the optimiser drops the outputs (and the
// arithmetic) a caller does not ask for: forward-only passes compute phi alone.
@inline function evaluateLoop(kind: i32, a: usize, h: usize, d1: usize, d2: usize, d3: usize, n: i32, mul: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      const p = <usize>i << 2;
      activateFour(kind, v128.load(a + p), v128.load(a + p, 16), v128.load(a + p, 32), v128.load(a + p, 48), h, d1, d2, d3,
        p, p + 16, p + 32, p + 48, mul);
    }
    for (; i + 4 <= n; i += 4) {
      const p = <usize>i << 2;
      activateOne(kind, v128.load(a + p), h, d1, d2, d3, p, mul);
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const v = load<f32>(a + p);
    if (kind == ActivationCode.Tanh) tanhScalar(v, h, d1, d2, d3, p, mul);
    else if (kind == ActivationCode.Elu) eluScalar(v, h, d1, d2, d3, p, mul);
    else sigmoidScalar(kind, v, h, d1, d2, d3, p, mul);
  }
}

/**
 * Over i < n: h[i] = phi(a[i]) and d_k[i] = phi^(k)(a[i]) for k = 1, 2, 3; a null pointer skips that
 * output. With mul, d1[i] *= phi'(a[i]) instead (the reverse pass through the activation).
 */
export function activationEvaluate(kind: i32, a: usize, h: usize, d1: usize, d2: usize, d3: usize, n: i32, mul: bool): void {
  if (d1 == 0 && d2 == 0 && d3 == 0) evaluateLoop(kind, a, h, 0, 0, 0, n, false);
  else if (d2 == 0 && d3 == 0) {
    if (mul) evaluateLoop(kind, a, 0, d1, 0, 0, n, true);
    else evaluateLoop(kind, a, h, d1, 0, 0, n, false);
  } else evaluateLoop(kind, a, h, d1, d2, d3, n, mul);
}

/** h[i] = phi(a[i]), i < n. */
export function activationForward(kind: i32, a: usize, h: usize, n: i32): void {
  activationEvaluate(kind, a, h, 0, 0, 0, n, false);
}

/** d_k[i] = phi^(k)(a[i]) for k = 1, 2, 3; a null pointer skips that order. */
export function activationDerivatives(kind: i32, a: usize, d1: usize, d2: usize, d3: usize, n: i32): void {
  activationEvaluate(kind, a, 0, d1, d2, d3, n, false);
}

/** g[i] *= phi'(a[i]): the reverse pass through the activation. */
export function activationBackward(kind: i32, a: usize, g: usize, n: i32): void {
  activationEvaluate(kind, a, 0, g, 0, 0, n, true);
}
