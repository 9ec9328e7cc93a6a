import { jetBackward, jetForward, LANE_ROWS, mlpJetForward, mlpJetBackward, mlpJetWorkspaceFloats, PRIMAL_ROWS } from './jet';
import { SCORE, EMBED, EMBED_FEATURES, inputWidth, outputScale, writeInputRow } from './model';
import { nextNormal, nextRademacher, nextU64, nextUniform } from './rng';

// Every score-matching objective, value and parameter gradient, for score and energy models, from the
// jet passes (no d x d Jacobian; the exact trace runs d lanes in one pass). All losses are batch means.
//   esm     tr(grad s) + 1/2 |s|^2                                   see: Hyvarinen 2005, eq. (4)
//   ssm     v^T (grad s) v + 1/2 (v^T s)^2, M projections            see: Song et al. 2019 (sliced SM), eq. (7)
//   ssm-vr  v^T (grad s) v + 1/2 |s|^2                               see: ibid., eq. (8)
//   dsm     1/2 |s(x~) + z/sigma|^2, x~ = x + sigma z                see: Vincent 2011, eq. (11)
//   ncsn    sigma_i^2-weighted dsm, level i uniform per sample      see: Song & Ermon 2019, eq. (5)-(6)
//   ve, vp  continuous DSM: t ~ U(eps, 1), x~ = alpha(t) x + sigma(t) z, lambda = sigma(t)^2
//                                                                    see: Song et al. 2021 (SDE), eq. (7)
// Energy models: s = -c grad_x f, so v^T (grad s) v = -c v^T H v (Taylor-2 lanes) and, for a fixed
// cotangent u = dL/ds, dL/dtheta = d/dtheta <u, s> = -c d/dtheta (grad f . u): one tangent lane.
//
// Config block (little-endian, 64 bytes), written by the TS side:
const OBJECTIVE = 0; // i32: 0 esm, 1 ssm, 2 ssm-vr, 3 dsm, 4 ncsn, 5 ve, 6 vp
const KIND = 4; // i32: 0 score, 1 energy
const COND = 8; // i32: bit 1 embed, bit 2 scaled
const DIM = 12; // i32: data dimension d
const PROJECTION = 16; // i32: 0 gaussian, 1 rademacher, 2 sphere (times sqrt d)
const SLICES = 20; // i32: M
const SIGMA = 24; // f32: dsm sigma
const LEVELS = 28; // i32: number of ncsn levels
const LEVEL_PTR = 32; // u32: pointer to the f32 sigmas
const SIGMA_MIN = 36; // f32: ve
const SIGMA_MAX = 40; // f32: ve
const BETA_MIN = 44; // f32: vp
const BETA_MAX = 48; // f32: vp
const EPS = 52; // f32: ve/vp, t ~ U(eps, 1)

const ESM = 0;
const SSM = 1;
const SSM_VR = 2;
const DSM = 3;
const NCSN = 4;
const VE = 5;
const VP = 6;

@inline function cfgI(cfg: usize, off: i32): i32 { return load<i32>(cfg + <usize>off); }
@inline function cfgF(cfg: usize, off: i32): f32 { return load<f32>(cfg + <usize>off); }
@inline function f(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function setF(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }

// Lanes and order of the main jet pass.
function lanes(cfg: usize): i32 {
  const obj = cfgI(cfg, OBJECTIVE);
  if (obj == ESM) return cfgI(cfg, DIM);
  if (obj == SSM) return cfgI(cfg, SLICES);
  if (obj == SSM_VR) return cfgI(cfg, SLICES) + (cfgI(cfg, KIND) == SCORE ? 0 : 1);
  return cfgI(cfg, KIND) == SCORE ? 0 : 1;
}

function order(cfg: usize): i32 {
  return cfgI(cfg, OBJECTIVE) <= SSM_VR && cfgI(cfg, KIND) != SCORE ? 2 : 1;
}

// Workspace plan (offsets in floats from ws): X [R, din], gX [B, din], Y [R, dout], gY [R, dout],
// z [B, d], alpha/sigma/lambda [B] each, u [B, d], then the net's jet workspace.
let pX = 0, pGX = 0, pY = 0, pGY = 0, pZ = 0, pAlpha = 0, pSigma = 0, pLambda = 0, pU = 0, pNet = 0, planFloats = 0;

function plan(cfg: usize, dims: usize, L: i32, B: i32): void {
  const d = cfgI(cfg, DIM);
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  const k = lanes(cfg), o = order(cfg);
  const R = B * (1 + o * k);
  pX = 0;
  pGX = pX + R * din;
  pY = pGX + B * din;
  pGY = pY + R * dout;
  pZ = pGY + R * dout;
  pAlpha = pZ + B * d;
  pSigma = pAlpha + B;
  pLambda = pSigma + B;
  pU = pLambda + B;
  pNet = pU + B * d;
  planFloats = pNet + max(mlpJetWorkspaceFloats(dims, L, B, k, o), mlpJetWorkspaceFloats(dims, L, B, 0, 1));
}

/** Workspace floats of {@link objectiveLossGrad} at batch B. */
export function objectiveWorkspaceFloats(cfg: usize, dims: usize, L: i32, B: i32): i32 {
  plan(cfg, dims, L, B);
  return planFloats;
}

@inline function at(ws: usize, off: i32): usize {
  return ws + (<usize>off << 2);
}

/**
 * Loss of the objective in cfg on the batch x[B, d]; adds its parameter gradient to gparams.
 * Randomness from rng, in this order: noise levels (ncsn: one u64 per sample; ve/vp: one uniform per
 * sample), then z (B * d normals); or projections (ssm, ssm-vr: per sample, per slice, d draws).
 */
export function objectiveLossGrad(cfg: usize, dims: usize, L: i32, act: i32, params: usize, x: usize, B: i32,
  rng: usize, gparams: usize, ws: usize): f64 {
  plan(cfg, dims, L, B);
  const obj = cfgI(cfg, OBJECTIVE);
  return obj <= SSM_VR
    ? exactLossGrad(cfg, dims, L, act, params, x, B, rng, gparams, ws)
    : denoisingLossGrad(cfg, dims, L, act, params, x, B, rng, gparams, ws);
}

// Noise level of each sample: alpha, sigma, lambda.
function drawLevels(cfg: usize, B: i32, rng: usize, ws: usize): void {
  const obj = cfgI(cfg, OBJECTIVE);
  const alpha = at(ws, pAlpha), sigma = at(ws, pSigma), lambda = at(ws, pLambda);
  for (let b = 0; b < B; b++) {
    let a: f64 = 1.0, s: f64 = <f64>cfgF(cfg, SIGMA), w: f64 = 1.0;
    if (obj == NCSN) {
      const n = cfgI(cfg, LEVELS);
      const i = <i32>(((nextU64(rng) >> 32) * <u64>n) >> 32);
      s = <f64>f(<usize>cfgI(cfg, LEVEL_PTR), i);
      w = s * s;
    } else if (obj == VE || obj == VP) {
      const eps = <f64>cfgF(cfg, EPS);
      const t = eps + (1.0 - eps) * nextUniform(rng);
      if (obj == VE) {
        const lo = <f64>cfgF(cfg, SIGMA_MIN), hi = <f64>cfgF(cfg, SIGMA_MAX);
        s = lo * Math.pow(hi / lo, t);
      } else {
        const b0 = <f64>cfgF(cfg, BETA_MIN), b1 = <f64>cfgF(cfg, BETA_MAX);
        const integral = b0 * t + 0.5 * (b1 - b0) * t * t; // int_0^t beta
        a = Math.exp(-0.5 * integral);
        s = Math.sqrt(-Math.expm1(-integral));
      }
      w = s * s;
    }
    setF(alpha, b, <f32>a);
    setF(sigma, b, <f32>s);
    setF(lambda, b, <f32>w);
  }
}

function denoisingLossGrad(cfg: usize, dims: usize, L: i32, act: i32, params: usize, x: usize, B: i32,
  rng: usize, gparams: usize, ws: usize): f64 {
  const kind = cfgI(cfg, KIND), cond = cfgI(cfg, COND), d = cfgI(cfg, DIM);
  const din = inputWidth(cond, d);
  const X = at(ws, pX), gX = at(ws, pGX), Y = at(ws, pY), gY = at(ws, pGY), z = at(ws, pZ), u = at(ws, pU), net = at(ws, pNet);
  const alpha = at(ws, pAlpha), sigma = at(ws, pSigma), lambda = at(ws, pLambda);
  drawLevels(cfg, B, rng, ws);
  for (let i = 0; i < B * d; i++) setF(z, i, <f32>nextNormal(rng));
  // Primal rows: [alpha x + sigma z, c(sigma)]; u holds x~ first.
  for (let b = 0; b < B; b++) {
    const a = f(alpha, b), s = f(sigma, b);
    for (let j = 0; j < d; j++) setF(u, b * d + j, a * f(x, b * d + j) + s * f(z, b * d + j));
    writeInputRow(X + (<usize>(b * din) << 2), u + (<usize>(b * d) << 2), d, cond, s);
  }
  if (kind == SCORE) mlpJetForward(dims, L, act, params, X, Y, B, 0, 1, net);
  else {
    // grad_x f at the primal rows: their forward pass in the one-lane layout of the tangent pass below
    // (which then computes only the lane rows), and a reverse pass to the input with unit cotangents.
    jetForward(dims, L, act, params, X, Y, B, 1, 1, net, true, PRIMAL_ROWS);
    for (let b = 0; b < B; b++) setF(gY, b, 1);
    jetBackward(dims, L, act, params, X, gY, 0, gX, B, 1, 1, net, true);
  }
  // r = s + z / sigma; dL/ds = lambda r / B (into u).
  let loss: f64 = 0;
  const invB: f32 = <f32>1.0 / <f32>B;
  for (let b = 0; b < B; b++) {
    const s = f(sigma, b), c = outputScale(cond, s), w = f(lambda, b);
    let sq: f64 = 0;
    for (let j = 0; j < d; j++) {
      const score = kind == SCORE ? c * f(Y, b * d + j) : -c * f(gX, b * din + j);
      const r = score + f(z, b * d + j) / s;
      sq += <f64>r * <f64>r;
      setF(u, b * d + j, w * r * invB);
    }
    loss += 0.5 * <f64>w * sq;
  }
  if (kind == SCORE) {
    for (let i = 0; i < B * d; i++) setF(gY, i, f(u, i) * outputScale(cond, f(sigma, i / d)));
    mlpJetBackward(dims, L, act, params, X, gY, gparams, 0, B, 0, 1, net);
  } else {
    // One tangent lane along u: dL/dtheta = -c d/dtheta (grad f . u).
    const tangent = X + (<usize>(B * din) << 2);
    for (let b = 0; b < B; b++) {
      const row = tangent + (<usize>(b * din) << 2);
      memory.copy(row, u + (<usize>(b * d) << 2), <usize>d << 2);
      for (let j = d; j < din; j++) setF(row, j, 0);
    }
    jetForward(dims, L, act, params, X, Y, B, 1, 1, net, true, LANE_ROWS);
    for (let b = 0; b < B; b++) {
      setF(gY, b, 0);
      setF(gY, B + b, -outputScale(cond, f(sigma, b)));
    }
    mlpJetBackward(dims, L, act, params, X, gY, gparams, 0, B, 1, 1, net);
  }
  return loss / <f64>B;
}

// Projection v (d floats) at p.
function drawProjection(cfg: usize, d: i32, rng: usize, p: usize): void {
  const kind = cfgI(cfg, PROJECTION);
  if (kind == 1) {
    for (let j = 0; j < d; j++) setF(p, j, <f32>nextRademacher(rng));
    return;
  }
  let sq: f64 = 0;
  for (let j = 0; j < d; j++) {
    const v = nextNormal(rng);
    sq += v * v;
    setF(p, j, <f32>v);
  }
  if (kind == 2) {
    const scale = <f32>(Math.sqrt(<f64>d / sq));
    for (let j = 0; j < d; j++) setF(p, j, f(p, j) * scale);
  }
}

function exactLossGrad(cfg: usize, dims: usize, L: i32, act: i32, params: usize, x: usize, B: i32,
  rng: usize, gparams: usize, ws: usize): f64 {
  const obj = cfgI(cfg, OBJECTIVE), kind = cfgI(cfg, KIND), d = cfgI(cfg, DIM), M = cfgI(cfg, SLICES);
  const k = lanes(cfg), o = order(cfg), R = B * (1 + o * k);
  const X = at(ws, pX), gX = at(ws, pGX), Y = at(ws, pY), gY = at(ws, pGY), net = at(ws, pNet);
  memory.copy(X, x, <usize>(B * d) << 2);
  memory.fill(X + (<usize>(B * d) << 2), 0, <usize>((R - B) * d) << 2);
  const T = B; // first tangent row
  // Tangent rows: e_j (esm) or projections.
  for (let b = 0; b < B; b++) {
    if (obj == ESM) {
      for (let j = 0; j < d; j++) setF(X, (T + b * k + j) * d + j, 1);
    } else {
      for (let m = 0; m < M; m++) drawProjection(cfg, d, rng, X + (<usize>((T + b * k + m) * d) << 2));
    }
  }
  let loss: f64 = 0;
  const invB = 1.0 / <f64>B, invMB = 1.0 / (<f64>M * <f64>B);
  if (kind == SCORE) {
    mlpJetForward(dims, L, act, params, X, Y, B, k, 1, net);
    for (let b = 0; b < B; b++) {
      let sq: f64 = 0;
      for (let j = 0; j < d; j++) sq += <f64>f(Y, b * d + j) * <f64>f(Y, b * d + j);
      if (obj == ESM) {
        for (let j = 0; j < d; j++) {
          loss += <f64>f(Y, (T + b * k + j) * d + j);
          for (let i = 0; i < d; i++) setF(gY, (T + b * k + j) * d + i, i == j ? <f32>invB : 0);
        }
      }
      for (let j = 0; j < d; j++) setF(gY, b * d + j, <f32>(<f64>f(Y, b * d + j) * invB));
      if (obj != ESM) {
        if (obj == SSM) for (let j = 0; j < d; j++) setF(gY, b * d + j, 0);
        for (let m = 0; m < M; m++) {
          const row = (T + b * k + m) * d;
          let vJv: f64 = 0, vs: f64 = 0;
          for (let j = 0; j < d; j++) {
            vJv += <f64>f(X, row + j) * <f64>f(Y, row + j);
            vs += <f64>f(X, row + j) * <f64>f(Y, b * d + j);
            setF(gY, row + j, <f32>(<f64>f(X, row + j) * invMB));
          }
          loss += vJv / <f64>M;
          if (obj == SSM) {
            loss += 0.5 * vs * vs / <f64>M;
            for (let j = 0; j < d; j++) setF(gY, b * d + j, f(gY, b * d + j) + <f32>(vs * <f64>f(X, row + j) * invMB));
          }
        }
      }
      if (obj != SSM) loss += 0.5 * sq;
    }
    mlpJetBackward(dims, L, act, params, X, gY, gparams, 0, B, k, 1, net);
    return loss * invB;
  }
  // Energy: Taylor-2 lanes; f' = grad f . v (tangent outputs), f'' = v^T H v (second-order outputs).
  if (obj == SSM_VR) {
    // Extra lane M along g = grad_x f, from a primal reverse pass.
    mlpJetForward(dims, L, act, params, X, Y, B, 0, 1, net);
    for (let b = 0; b < B; b++) setF(gY, b, 1);
    mlpJetBackward(dims, L, act, params, X, gY, 0, gX, B, 0, 1, net);
    for (let b = 0; b < B; b++) memory.copy(X + (<usize>((T + b * k + M) * d) << 2), gX + (<usize>(b * d) << 2), <usize>d << 2);
  }
  mlpJetForward(dims, L, act, params, X, Y, B, k, 2, net);
  const S = B + B * k; // first second-order row
  for (let b = 0; b < B; b++) {
    setF(gY, b, 0);
    for (let m = 0; m < k; m++) {
      const fd = <f64>f(Y, T + b * k + m), fdd = <f64>f(Y, S + b * k + m);
      if (obj == SSM_VR && m == M) {
        loss += 0.5 * fd; // fd = |grad f|^2 on this lane
        setF(gY, T + b * k + m, <f32>invB);
        setF(gY, S + b * k + m, 0);
      } else {
        const w = obj == ESM ? invB : invMB;
        loss += (obj == ESM ? 1.0 : 1.0 / <f64>M) * (-fdd + (obj == SSM_VR ? 0.0 : 0.5 * fd * fd));
        setF(gY, T + b * k + m, obj == SSM_VR ? 0 : <f32>(fd * w));
        setF(gY, S + b * k + m, <f32>(-w));
      }
    }
  }
  mlpJetBackward(dims, L, act, params, X, gY, gparams, 0, B, k, 2, net);
  return loss * invB;
}
