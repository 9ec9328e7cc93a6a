import { ALL_ROWS, jetForward, mlpJetBackward } from './jet';
import { mlpJetWorkspaceFloats } from './layout';
import { ConditioningCode, EMBED_FEATURES, ModelKindCode } from './contract';

// A score model over an MLP f, in one of two parametrizations, optionally conditioned on a noise level:
//   kind Score:  s(x; sigma) = f([x, c(sigma)]) / sigma^scaled            (f: d_in -> d)
//   kind Energy: E(x; sigma) = f([x, c(sigma)]) / sigma^scaled, s = -grad_x E   (f: d_in -> 1)
// p is proportional to exp(-E). c(sigma) (EMBED_FEATURES features, conditioning bit Embed) is
// [l, sin(l/2), cos(l/2), sin(l), cos(l), sin(2l), cos(2l)], l = ln sigma; bit Scale divides by sigma.
// Bit Precondition (score models only) reads f at [x c_in, c(sigma)] and adds a skip term:
//   s(x; sigma) = -x / (1 + sigma^2) + f([x c_in, c(sigma)]) / (sigma sqrt(1 + sigma^2)),  c_in = 1 / sqrt(1 + sigma^2),
// the score of EDM's D = c_skip x + c_out F with sigma_data = 1: the network's input and target keep unit scale at
// every level, and the skip term is the exact score of N(0, (1 + sigma^2) I). see: Karras et al. 2022, table 1.
// see: Song & Ermon 2019 (noise-conditional score networks); Song & Ermon 2020, technique 3 (s = f / sigma).

/** Network input width for data dimension d. */
@inline export function inputWidth(cond: i32, d: i32): i32 {
  return d + ((cond & ConditioningCode.Embed) != 0 ? EMBED_FEATURES : 0);
}

/** Data dimension d for network input width din. */
@inline export function dataDim(cond: i32, din: i32): i32 {
  return din - ((cond & ConditioningCode.Embed) != 0 ? EMBED_FEATURES : 0);
}

/** Output scale of the network for noise level sigma (1 when not scaled). */
@inline export function outputScale(cond: i32, sigma: f32): f32 {
  if ((cond & ConditioningCode.Precondition) != 0) return <f32>(1.0 / (<f64>sigma * Math.sqrt(1.0 + <f64>sigma * <f64>sigma)));
  return (cond & ConditioningCode.Scale) != 0 ? <f32>1.0 / sigma : <f32>1.0;
}

/** Input scale c_in of the network's x (1 unless preconditioned). */
@inline export function inputScale(cond: i32, sigma: f32): f32 {
  return (cond & ConditioningCode.Precondition) != 0 ? <f32>(1.0 / Math.sqrt(1.0 + <f64>sigma * <f64>sigma)) : <f32>1.0;
}

/** Coefficient of the skip term x in the score (0 unless preconditioned). */
@inline export function skipScale(cond: i32, sigma: f32): f32 {
  return (cond & ConditioningCode.Precondition) != 0 ? <f32>(-1.0 / (1.0 + <f64>sigma * <f64>sigma)) : <f32>0.0;
}

/** out[i] += skipScale x[i] for n values (the skip term of a preconditioned score). */
export function addSkip(cond: i32, sigma: f32, x: usize, out: usize, n: i32): void {
  const k = skipScale(cond, sigma);
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) + k * load<f32>(x + (<usize>i << 2)));
}

/** Writes row [x c_in (d floats), c(sigma)] at `row` (width inputWidth). */
export function writeInputRow(row: usize, x: usize, d: i32, cond: i32, sigma: f32): void {
  if ((cond & ConditioningCode.Precondition) != 0) {
    const ci = inputScale(cond, sigma);
    for (let j = 0; j < d; j++) store<f32>(row + (<usize>j << 2), ci * load<f32>(x + (<usize>j << 2)));
  } else memory.copy(row, x, <usize>d << 2);
  if ((cond & ConditioningCode.Embed) == 0) return;
  const l = Math.log(<f64>sigma);
  const e = row + (<usize>d << 2);
  store<f32>(e, <f32>l);
  store<f32>(e, <f32>Math.sin(0.5 * l), 4);
  store<f32>(e, <f32>Math.cos(0.5 * l), 8);
  store<f32>(e, <f32>Math.sin(l), 12);
  store<f32>(e, <f32>Math.cos(l), 16);
  store<f32>(e, <f32>Math.sin(2.0 * l), 20);
  store<f32>(e, <f32>Math.cos(2.0 * l), 24);
}

/** Workspace floats of {@link modelScore} / {@link modelEnergy} at batch B. */
export function modelWorkspaceFloats(dims: usize, L: i32, B: i32): i32 {
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  return 2 * B * din + 2 * B * dout + mlpJetWorkspaceFloats(dims, L, B, 0, 1);
}

/**
 * out[B, d] = s(x; sigma) at x[B, d]. An energy model runs the forward pass and the reverse pass to
 * the input (s = -grad_x E).
 */
export function modelScore(kind: i32, cond: i32, sigma: f32, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, out: usize, ws: usize): void {
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  const d = dataDim(cond, din);
  const X = ws, gX = X + (<usize>(B * din) << 2);
  const Y = gX + (<usize>(B * din) << 2), gY = Y + (<usize>(B * dout) << 2);
  const net = gY + (<usize>(B * dout) << 2);
  for (let b = 0; b < B; b++) writeInputRow(X + (<usize>(b * din) << 2), x + (<usize>(b * d) << 2), d, cond, sigma);
  const c = outputScale(cond, sigma);
  jetForward(dims, L, act, params, X, Y, B, 0, 1, net, kind == ModelKindCode.Energy, ALL_ROWS);
  if (kind == ModelKindCode.Score) {
    for (let i = 0; i < B * d; i++) store<f32>(out + (<usize>i << 2), c * load<f32>(Y + (<usize>i << 2)));
    if ((cond & ConditioningCode.Precondition) != 0) addSkip(cond, sigma, x, out, B * d);
    return;
  }
  for (let b = 0; b < B; b++) store<f32>(gY + (<usize>b << 2), 1);
  mlpJetBackward(dims, L, act, params, X, gY, 0, gX, B, 0, 1, net);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < d; j++) {
      store<f32>(out + (<usize>(b * d + j) << 2), -c * load<f32>(gX + (<usize>(b * din + j) << 2)));
    }
  }
}

/** out[B] = E(x; sigma) of an energy model at x[B, d]. */
export function modelEnergy(cond: i32, sigma: f32, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, out: usize, ws: usize): void {
  const din = load<i32>(dims);
  const d = dataDim(cond, din);
  const X = ws, Y = X + (<usize>(2 * B * din) << 2);
  const net = Y + (<usize>(2 * B) << 2);
  for (let b = 0; b < B; b++) writeInputRow(X + (<usize>(b * din) << 2), x + (<usize>(b * d) << 2), d, cond, sigma);
  jetForward(dims, L, act, params, X, Y, B, 0, 1, net, false, ALL_ROWS);
  const c = outputScale(cond, sigma);
  for (let b = 0; b < B; b++) store<f32>(out + (<usize>b << 2), c * load<f32>(Y + (<usize>b << 2)));
}

// Lanes of modelScoreDivergence: d unit lanes (exact trace), or M probes (+ d unit lanes for an energy
// model, whose score needs grad E).
function divergenceLanes(kind: i32, d: i32, M: i32): i32 {
  return M == 0 ? d : (kind == ModelKindCode.Score ? M : M + d);
}

/** Workspace floats of {@link modelScoreDivergence} at batch B with M probes (0: exact trace). */
export function modelDivergenceWorkspaceFloats(kind: i32, dims: usize, L: i32, B: i32, M: i32): i32 {
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  const d = kind == ModelKindCode.Score ? dout : din; // upper bound when embedded
  const k = divergenceLanes(kind, d, M), order = kind == ModelKindCode.Score ? 1 : 2;
  const R = B * (1 + order * k);
  return R * din + R * dout + mlpJetWorkspaceFloats(dims, L, B, k, order);
}

/**
 * s(x; sigma) [B, d] and its divergence tr(grad_x s) [B] in one jet pass: the exact trace with d lanes
 * e_j (M = 0), or Hutchinson's estimate mean_m v_m^T (grad_x s) v_m over the M probes v [B, M, d].
 * Score networks use tangent lanes; energy networks Taylor-2 lanes (tr grad s = -c sum_j e_j^T H e_j).
 * see: Hutchinson 1989; Grathwohl et al. 2019 (FFJORD), eq. (5).
 */
export function modelScoreDivergence(kind: i32, cond: i32, sigma: f32, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, probes: usize, M: i32, outScore: usize, outDiv: usize, ws: usize): void {
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  const d = dataDim(cond, din);
  const k = divergenceLanes(kind, d, M), order = kind == ModelKindCode.Score ? 1 : 2;
  const R = B * (1 + order * k);
  const X = ws, Y = X + (<usize>(R * din) << 2), net = Y + (<usize>(R * dout) << 2);
  memory.fill(X, 0, <usize>(R * din) << 2);
  const c = outputScale(cond, sigma), ci = inputScale(cond, sigma), skip = skipScale(cond, sigma);
  for (let b = 0; b < B; b++) {
    writeInputRow(X + (<usize>(b * din) << 2), x + (<usize>(b * d) << 2), d, cond, sigma);
    // Tangent lanes carry d(input)/dx v = c_in v.
    for (let m = 0; m < M; m++) {
      const lane = X + (<usize>((B + b * k + m) * din) << 2), v = probes + (<usize>((b * M + m) * d) << 2);
      for (let j = 0; j < d; j++) store<f32>(lane + (<usize>j << 2), ci * load<f32>(v + (<usize>j << 2)));
    }
    const units = M == 0 ? 0 : (kind == ModelKindCode.Score ? k : M); // first unit lane
    for (let j = 0; j < k - units; j++) store<f32>(X + (<usize>((B + b * k + units + j) * din + j) << 2), ci);
  }
  jetForward(dims, L, act, params, X, Y, B, k, order, net, false, ALL_ROWS);
  for (let b = 0; b < B; b++) {
    let div: f64 = 0, skipDiv: f64 = 0;
    if (kind == ModelKindCode.Score) {
      for (let j = 0; j < d; j++) store<f32>(outScore + (<usize>(b * d + j) << 2), c * load<f32>(Y + (<usize>(b * d + j) << 2)));
      if (skip != 0) addSkip(cond, sigma, x + (<usize>(b * d) << 2), outScore + (<usize>(b * d) << 2), d);
      for (let m = 0; m < k; m++) {
        const row = (B + b * k + m) * d;
        if (M == 0) div += <f64>load<f32>(Y + (<usize>(row + m) << 2));
        else {
          let vJv: f64 = 0, vv: f64 = 0;
          for (let j = 0; j < d; j++) {
            const v = <f64>load<f32>(probes + (<usize>((b * M + m) * d + j) << 2));
            vJv += v * <f64>load<f32>(Y + (<usize>(row + j) << 2));
            vv += v * v;
          }
          div += vJv / <f64>M;
          skipDiv += vv / <f64>M;
        }
      }
    } else {
      const S = B + B * k;
      const units = M == 0 ? 0 : M;
      for (let j = 0; j < d; j++) {
        store<f32>(outScore + (<usize>(b * d + j) << 2), -c * load<f32>(Y + (<usize>(B + b * k + units + j) << 2)));
      }
      const lanes = M == 0 ? d : M;
      for (let m = 0; m < lanes; m++) div -= <f64>load<f32>(Y + (<usize>(S + b * k + m) << 2)) / (M == 0 ? 1.0 : <f64>M);
    }
    if (M == 0) skipDiv = <f64>d;
    store<f32>(outDiv + (<usize>b << 2), skip != 0 ? <f32>(<f64>c * div + <f64>skip * skipDiv) : <f32>(<f64>c * div));
  }
}
