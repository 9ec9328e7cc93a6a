import { ModelKindCode, ObjectiveCode, ObjectiveConfig, ProjectionCode } from './contract';
import {
  jetBackward, jetForward, LANE_ROWS, mlpJetForward, mlpJetBackward, PRIMAL_ONLY, PRIMAL_ROWS, WEIGHTS_TRANSPOSED,
} from './jet';
import { dim, jetRows, mlpJetWorkspaceFloats, ORDER_1, ORDER_2, ORDER_2_LAST_TANGENT, secondLanes } from './layout';
import { addSkip, hasSkip, inputWidth, outputScale, writeInputRow } from './model';
import { nextNormal, nextRademacher, nextU64, nextUniform } from './rng';
import { sdeAlpha, sdeSigma, sdeTime } from './sde';

// Every score-matching objective, value and parameter gradient, for score and energy models, from the
// jet passes (no d x d Jacobian; the exact trace runs d lanes in one pass). All losses are batch means.
//   esm     tr(grad s) + 1/2 |s|^2                                   see: Hyvarinen 2005, eq. (4)
//   ssm     v^T (grad s) v + 1/2 (v^T s)^2, M projections            see: Song et al. 2019 (sliced SM), eq. (7)
//   ssm-vr  v^T (grad s) v + 1/2 |s|^2                               see: ibid., eq. (8)
//   dsm     1/2 |s(x~) + z/sigma|^2, x~ = x + sigma z                see: Vincent 2011, eq. (11)
//   ncsn    sigma_i^2-weighted dsm, level i uniform per sample      see: Song & Ermon 2019, eq. (5)-(6)
//   continuous  DSM with t ~ U(eps, 1), x~ = alpha(t) x + sigma(t) z, lambda = sigma(t)^2 (VE or VP SDE,
//           assembly/sde.ts)                                         see: Song et al. 2021 (SDE), eq. (7)
// Energy models: s = -c grad_x f, so v^T (grad s) v = -c v^T H v (Taylor-2 lanes) and, for a fixed
// cotangent u = dL/ds, dL/dtheta = d/dtheta <u, s> = -c d/dtheta (grad f . u): one tangent lane.
// The objective and its options come in an ObjectiveConfig block (assembly/contract.ts).

@inline function f(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function setF(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }

@inline function isExact(c: ObjectiveConfig): bool {
  return c.objective <= ObjectiveCode.SsmVr;
}

// Lanes and order of the main jet pass.
function lanes(c: ObjectiveConfig): i32 {
  if (c.objective == ObjectiveCode.Esm) return c.dim;
  if (c.objective == ObjectiveCode.Ssm) return c.slices;
  if (c.objective == ObjectiveCode.SsmVr) return c.slices + (c.kind == ModelKindCode.Score ? 0 : 1);
  return c.kind == ModelKindCode.Score ? 0 : 1;
}

// Energy networks take Taylor-2 lanes; ssm-vr's last lane (along grad f) reads only its tangent output.
function order(c: ObjectiveConfig): i32 {
  if (!isExact(c) || c.kind == ModelKindCode.Score) return ORDER_1;
  return c.objective == ObjectiveCode.SsmVr ? ORDER_2_LAST_TANGENT : ORDER_2;
}

/** Where each buffer of an objective's workspace starts. It sits at the head of the workspace it describes. */
@unmanaged class Plan {
  /** Network input rows [R, din] (primal rows, then lane rows) and the input gradient of the primal rows [B, din]. */
  X: usize;
  gX: usize;
  /** Network output rows [R, dout] and their cotangents. */
  Y: usize;
  gY: usize;
  /** Denoising: the noise z [B, d]; alpha, sigma and the weight lambda per sample [B]; u [B, d] (x~, then dL/ds). */
  z: usize;
  alpha: usize;
  sigma: usize;
  lambda: usize;
  u: usize;
  /** The network's jet workspace. */
  net: usize;
}

// The plan's floats, rounded up so that every buffer after it stays 16-byte aligned.
const PLAN_FLOATS: i32 = <i32>((offsetof<Plan>() + 15) & ~15) >> 2;

/**
 * Lays out the workspace of batch B from ws and returns its size in floats: the plan, then X, gX, Y, gY, z,
 * alpha, sigma, lambda, u and the net's jet workspace. With ws = 0 it only measures.
 */
function layOut(c: ObjectiveConfig, dims: usize, L: i32, B: i32, ws: usize): i32 {
  const d = c.dim, din = dim(dims, 0), dout = dim(dims, L);
  const k = lanes(c), o = order(c), R = jetRows(B, k, o);
  const X = PLAN_FLOATS, gX = X + R * din, Y = gX + B * din, gY = Y + R * dout, z = gY + R * dout;
  const alpha = z + B * d, sigma = alpha + B, lambda = sigma + B, u = lambda + B, net = u + B * d;
  if (ws != 0) {
    const p = changetype<Plan>(ws);
    p.X = at(ws, X);
    p.gX = at(ws, gX);
    p.Y = at(ws, Y);
    p.gY = at(ws, gY);
    p.z = at(ws, z);
    p.alpha = at(ws, alpha);
    p.sigma = at(ws, sigma);
    p.lambda = at(ws, lambda);
    p.u = at(ws, u);
    p.net = at(ws, net);
  }
  return net + max(mlpJetWorkspaceFloats(dims, L, B, k, o), mlpJetWorkspaceFloats(dims, L, B, 0, 1));
}

@inline function at(ws: usize, floats: i32): usize {
  return ws + (<usize>floats << 2);
}

/** Workspace floats of {@link objectiveLossGrad} at batch B. */
export function objectiveWorkspaceFloats(cfg: usize, dims: usize, L: i32, B: i32): i32 {
  return layOut(changetype<ObjectiveConfig>(cfg), dims, L, B, 0);
}

/**
 * Loss of the objective in the ObjectiveConfig block cfg on the batch x[B, d]; adds its parameter gradient to
 * gparams. Randomness from rng, in this order: noise levels (ncsn: one u64 per sample; continuous: one uniform
 * per sample), then z (B * d normals); or projections (ssm, ssm-vr: per sample, per slice, d draws).
 */
export function objectiveLossGrad(cfg: usize, dims: usize, L: i32, act: i32, params: usize, x: usize, B: i32,
  rng: usize, gparams: usize, ws: usize): f64 {
  const c = changetype<ObjectiveConfig>(cfg);
  layOut(c, dims, L, B, ws);
  const p = changetype<Plan>(ws);
  if (!isExact(c)) return denoisingLossGrad(c, p, dims, L, act, params, x, B, rng, gparams);
  writeExactLanes(c, p, x, B, rng);
  return c.kind == ModelKindCode.Score
    ? exactScoreLossGrad(c, p, dims, L, act, params, B, gparams)
    : exactEnergyLossGrad(c, p, dims, L, act, params, B, gparams);
}

// ---- Denoising objectives: dsm, ncsn, continuous ----

// Noise level of each sample: alpha, sigma and the weight lambda.
function drawLevels(c: ObjectiveConfig, p: Plan, B: i32, rng: usize): void {
  for (let b = 0; b < B; b++) {
    let a: f64 = 1.0, s: f64 = <f64>c.sigma, w: f64 = 1.0;
    if (c.objective == ObjectiveCode.Ncsn) {
      const i = <i32>(((nextU64(rng) >> 32) * <u64>c.levels) >> 32);
      s = <f64>f(c.sigmas, i);
      w = s * s;
    } else if (c.objective == ObjectiveCode.Continuous) {
      const t = sdeTime(c.sde, nextUniform(rng));
      a = sdeAlpha(c.sde, t);
      s = sdeSigma(c.sde, t);
      w = s * s;
    }
    setF(p.alpha, b, <f32>a);
    setF(p.sigma, b, <f32>s);
    setF(p.lambda, b, <f32>w);
  }
}

function denoisingLossGrad(c: ObjectiveConfig, p: Plan, dims: usize, L: i32, act: i32, params: usize, x: usize, B: i32,
  rng: usize, gparams: usize): f64 {
  const cond = c.conditioning, d = c.dim, din = inputWidth(cond, d, c.gaussian);
  const X = p.X, Y = p.Y, gY = p.gY, z = p.z, u = p.u;
  drawLevels(c, p, B, rng);
  for (let i = 0; i < B * d; i++) setF(z, i, <f32>nextNormal(rng));
  // Primal rows: [alpha x + sigma z, c(sigma)]; u holds x~ first.
  for (let b = 0; b < B; b++) {
    const a = f(p.alpha, b), s = f(p.sigma, b);
    for (let j = 0; j < d; j++) setF(u, b * d + j, a * f(x, b * d + j) + s * f(z, b * d + j));
    writeInputRow(X + (<usize>(b * din) << 2), u + (<usize>(b * d) << 2), d, cond, s, c.gaussian);
  }
  const score = c.kind == ModelKindCode.Score;
  if (score) mlpJetForward(dims, L, act, params, X, Y, B, 0, 1, p.net);
  else {
    // grad_x f at the primal rows: their forward pass in the one-lane layout of the tangent pass below
    // (which then computes only the lane rows), and a reverse pass to the input with unit cotangents.
    jetForward(dims, L, act, params, X, Y, B, 1, 1, p.net, true, PRIMAL_ROWS);
    for (let b = 0; b < B; b++) setF(gY, b, 1);
    jetBackward(dims, L, act, params, X, gY, 0, p.gX, B, 1, 1, p.net, PRIMAL_ONLY);
  }
  // r = s + z / sigma; dL/ds = lambda r / B (into u).
  let loss: f64 = 0;
  const invB: f32 = <f32>1.0 / <f32>B;
  const skip = hasSkip(cond);
  for (let b = 0; b < B; b++) {
    const s = f(p.sigma, b), scale = outputScale(cond, s, c.gaussian), w = f(p.lambda, b);
    // The skip term at x~ (u), into z's row of Y's spare space: score models only (the TS side refuses energy ones).
    if (skip) {
      memory.fill(p.gY + (<usize>(b * d) << 2), 0, <usize>d << 2);
      addSkip(cond, s, c.gaussian, u + (<usize>(b * d) << 2), p.gY + (<usize>(b * d) << 2), 1, d);
    }
    let sq: f64 = 0;
    for (let j = 0; j < d; j++) {
      // u holds x~ until this sample's residual overwrites it.
      let sj = score ? scale * f(Y, b * d + j) : -scale * f(p.gX, b * din + j);
      if (skip) sj += f(gY, b * d + j);
      const r = sj + f(z, b * d + j) / s;
      sq += <f64>r * <f64>r;
      setF(u, b * d + j, w * r * invB);
    }
    loss += 0.5 * <f64>w * sq;
  }
  if (score) {
    // c_out once per row: for 'gaussian' and 'mixture' it sums over the spectra (K k divisions), too dear per element.
    for (let b = 0; b < B; b++) {
      const scale = outputScale(cond, f(p.sigma, b), c.gaussian);
      for (let j = 0; j < d; j++) setF(gY, b * d + j, f(u, b * d + j) * scale);
    }
    mlpJetBackward(dims, L, act, params, X, gY, gparams, 0, B, 0, 1, p.net);
  } else {
    // One tangent lane along u: dL/dtheta = -c d/dtheta (grad f . u).
    const tangent = X + (<usize>(B * din) << 2);
    for (let b = 0; b < B; b++) {
      const row = tangent + (<usize>(b * din) << 2);
      memory.copy(row, u + (<usize>(b * d) << 2), <usize>d << 2);
      for (let j = d; j < din; j++) setF(row, j, 0);
    }
    jetForward(dims, L, act, params, X, Y, B, 1, 1, p.net, true, LANE_ROWS);
    for (let b = 0; b < B; b++) {
      setF(gY, b, 0);
      setF(gY, B + b, -outputScale(cond, f(p.sigma, b), c.gaussian));
    }
    // W^T is in p.net from the reverse pass to grad_x f above (same layout, same params).
    jetBackward(dims, L, act, params, X, gY, gparams, 0, B, 1, 1, p.net, WEIGHTS_TRANSPOSED);
  }
  return loss / <f64>B;
}

// ---- Exact objectives: esm, ssm, ssm-vr (unconditioned, so network rows are d wide and c = 1) ----
// Sample b's lanes are rows B + b k + m (tangent) and, for order 2, B + B k + b k2 + m (second order, m < k2).
// Each term below carries its formula and sets the cotangents of the outputs it reads. The terms add into
// the loss in a fixed order (sample by sample, lane by lane), which fixes the bits of the f64 loss.

// Projection v (d floats) at p: gaussian, rademacher, or gaussian scaled onto the sphere of radius sqrt(d).
function drawProjection(c: ObjectiveConfig, d: i32, rng: usize, p: usize): void {
  if (c.projection == ProjectionCode.Rademacher) {
    for (let j = 0; j < d; j++) setF(p, j, <f32>nextRademacher(rng));
    return;
  }
  let sq: f64 = 0;
  for (let j = 0; j < d; j++) {
    const v = nextNormal(rng);
    sq += v * v;
    setF(p, j, <f32>v);
  }
  if (c.projection == ProjectionCode.Sphere) {
    const scale = <f32>(Math.sqrt(<f64>d / sq));
    for (let j = 0; j < d; j++) setF(p, j, f(p, j) * scale);
  }
}

// Input rows: x in the primal rows, the lane directions (e_j for esm, projections otherwise) in the tangent
// rows, zeros in the rest (the second-order inputs).
function writeExactLanes(c: ObjectiveConfig, p: Plan, x: usize, B: i32, rng: usize): void {
  const d = c.dim, k = lanes(c), R = jetRows(B, k, order(c));
  memory.copy(p.X, x, <usize>(B * d) << 2);
  memory.fill(p.X + (<usize>(B * d) << 2), 0, <usize>((R - B) * d) << 2);
  for (let b = 0; b < B; b++) {
    if (c.objective == ObjectiveCode.Esm) {
      for (let j = 0; j < d; j++) setF(p.X, (B + b * k + j) * d + j, 1);
    } else {
      for (let m = 0; m < c.slices; m++) drawProjection(c, d, rng, p.X + (<usize>((B + b * k + m) * d) << 2));
    }
  }
}

// Score network s = f: tangent lane m of sample b holds (grad s) v_m.
function exactScoreLossGrad(c: ObjectiveConfig, p: Plan, dims: usize, L: i32, act: i32, params: usize, B: i32,
  gparams: usize): f64 {
  const d = c.dim, k = lanes(c), M = c.slices;
  mlpJetForward(dims, L, act, params, p.X, p.Y, B, k, 1, p.net);
  const invB = 1.0 / <f64>B, invMB = 1.0 / (<f64>M * <f64>B);
  let loss: f64 = 0;
  for (let b = 0; b < B; b++) {
    const lane0 = B + b * k;
    if (c.objective == ObjectiveCode.Esm) loss = scoreTraceTerm(p, b, lane0, d, invB, loss);
    else {
      if (c.objective == ObjectiveCode.Ssm) memory.fill(p.gY + (<usize>(b * d) << 2), 0, <usize>d << 2);
      for (let m = 0; m < M; m++) {
        const row = (lane0 + m) * d;
        loss += scoreSliceTerm(p, row, d, M, invMB);
        if (c.objective == ObjectiveCode.Ssm) loss += scoreProjectedNormTerm(p, b, row, d, M, invMB);
      }
    }
    if (c.objective != ObjectiveCode.Ssm) loss += scoreHalfNormTerm(p, b, d, invB);
  }
  mlpJetBackward(dims, L, act, params, p.X, p.gY, gparams, 0, B, k, 1, p.net);
  return loss * invB;
}

/**
 * esm: tr(grad s) = sum_j e_j^T (grad s) e_j, lane j along e_j (see: Hyvarinen 2005, eq. 4); cotangent e_j / B
 * on lane j. Adds into `loss` entry by entry.
 */
function scoreTraceTerm(p: Plan, b: i32, lane0: i32, d: i32, invB: f64, loss: f64): f64 {
  for (let j = 0; j < d; j++) {
    const row = (lane0 + j) * d;
    loss += <f64>f(p.Y, row + j);
    for (let i = 0; i < d; i++) setF(p.gY, row + i, i == j ? <f32>invB : 0);
  }
  return loss;
}

/** esm, ssm-vr: 1/2 |s|^2 (see: Hyvarinen 2005, eq. 4; Song et al. 2019, eq. 8); cotangent s / B on the primal row. */
function scoreHalfNormTerm(p: Plan, b: i32, d: i32, invB: f64): f64 {
  let sq: f64 = 0;
  for (let j = 0; j < d; j++) {
    const s = <f64>f(p.Y, b * d + j);
    sq += s * s;
    setF(p.gY, b * d + j, <f32>(s * invB));
  }
  return 0.5 * sq;
}

/** ssm, ssm-vr: v^T (grad s) v / M for the lane at `row` (see: Song et al. 2019, eq. 7-8); cotangent v / (M B). */
function scoreSliceTerm(p: Plan, row: i32, d: i32, M: i32, invMB: f64): f64 {
  let vJv: f64 = 0;
  for (let j = 0; j < d; j++) {
    vJv += <f64>f(p.X, row + j) * <f64>f(p.Y, row + j);
    setF(p.gY, row + j, <f32>(<f64>f(p.X, row + j) * invMB));
  }
  return vJv / <f64>M;
}

/** ssm: 1/2 (v^T s)^2 / M (see: Song et al. 2019, eq. 7); cotangent (v^T s) v / (M B) added on the primal row. */
function scoreProjectedNormTerm(p: Plan, b: i32, row: i32, d: i32, M: i32, invMB: f64): f64 {
  let vs: f64 = 0;
  for (let j = 0; j < d; j++) vs += <f64>f(p.X, row + j) * <f64>f(p.Y, b * d + j);
  for (let j = 0; j < d; j++) setF(p.gY, b * d + j, f(p.gY, b * d + j) + <f32>(vs * <f64>f(p.X, row + j) * invMB));
  return 0.5 * vs * vs / <f64>M;
}

// Energy network s = -grad f, Taylor-2 lanes: the tangent output of lane v is f' = grad f . v, the
// second-order output f'' = v^T H v (row B + B k + b k2 + m; ssm-vr's lane M along grad f has none).
function exactEnergyLossGrad(c: ObjectiveConfig, p: Plan, dims: usize, L: i32, act: i32, params: usize, B: i32,
  gparams: usize): f64 {
  const k = lanes(c), o = order(c), k2 = secondLanes(k, o), M = c.slices, vr = c.objective == ObjectiveCode.SsmVr;
  if (vr) writeGradientLane(c, p, dims, L, act, params, B);
  mlpJetForward(dims, L, act, params, p.X, p.Y, B, k, o, p.net);
  const invB = 1.0 / <f64>B, invMB = 1.0 / (<f64>M * <f64>B);
  const esm = c.objective == ObjectiveCode.Esm;
  const scale = esm ? 1.0 : 1.0 / <f64>M, w = esm ? invB : invMB; // per-lane weight of the loss and of its cotangents
  let loss: f64 = 0;
  for (let b = 0; b < B; b++) {
    setF(p.gY, b, 0); // no term reads f itself
    for (let m = 0; m < k; m++) {
      const t = B + b * k + m, s = B + B * k + b * k2 + m;
      if (vr && m == M) loss += energyGradientNormTerm(p, t, invB);
      else if (vr) loss += energyCurvatureTerm(p, t, s, scale, w);
      else loss += energySlicedTerm(p, t, s, scale, w);
    }
  }
  mlpJetBackward(dims, L, act, params, p.X, p.gY, gparams, 0, B, k, o, p.net);
  return loss * invB;
}

// ssm-vr: lane M of each sample along g = grad_x f, from a primal pass and its reverse pass to the input.
function writeGradientLane(c: ObjectiveConfig, p: Plan, dims: usize, L: i32, act: i32, params: usize, B: i32): void {
  const d = c.dim, k = lanes(c), M = c.slices;
  mlpJetForward(dims, L, act, params, p.X, p.Y, B, 0, 1, p.net);
  for (let b = 0; b < B; b++) setF(p.gY, b, 1);
  mlpJetBackward(dims, L, act, params, p.X, p.gY, 0, p.gX, B, 0, 1, p.net);
  for (let b = 0; b < B; b++) {
    memory.copy(p.X + (<usize>((B + b * k + M) * d) << 2), p.gX + (<usize>(b * d) << 2), <usize>d << 2);
  }
}

/**
 * esm (v = e_j, scale 1), ssm (scale 1/M): v^T (grad s) v + 1/2 (v^T s)^2 = -f'' + 1/2 f'^2 at s = -grad f
 * (see: Hyvarinen 2005, eq. 4; Song et al. 2019, eq. 7); cotangents w f' and -w.
 */
function energySlicedTerm(p: Plan, t: i32, s: i32, scale: f64, w: f64): f64 {
  const fd = <f64>f(p.Y, t), fdd = <f64>f(p.Y, s);
  setF(p.gY, t, <f32>(fd * w));
  setF(p.gY, s, <f32>(-w));
  return scale * (-fdd + 0.5 * fd * fd);
}

/** ssm-vr: v^T (grad s) v / M = -f'' / M (see: Song et al. 2019, eq. 8); cotangents 0 and -w. */
function energyCurvatureTerm(p: Plan, t: i32, s: i32, scale: f64, w: f64): f64 {
  setF(p.gY, t, 0);
  setF(p.gY, s, <f32>(-w));
  return scale * -<f64>f(p.Y, s);
}

/** ssm-vr: 1/2 |s|^2 = 1/2 f' on the lane along g = grad f, where f' = |grad f|^2 (see: ibid.); cotangent 1/B (a tangent lane only). */
function energyGradientNormTerm(p: Plan, t: i32, invB: f64): f64 {
  setF(p.gY, t, <f32>invB);
  return 0.5 * <f64>f(p.Y, t);
}
