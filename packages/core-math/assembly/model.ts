import { ALL_ROWS, jetForward, mlpJetBackward } from './jet';
import { mlpJetWorkspaceFloats } from './layout';
import { dotDifference, scaleAdd } from './vector';
import { ConditioningCode, EMBED_FEATURES, FourierConfig, GaussianConfig, MixtureConfig, ModelKindCode } from './contract';
import { addMixtureSkip, mixtureGain, mixtureSkipDivergence } from './mixture';

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

// Bit Fourier (score models only; g a FourierConfig with frequencies B [m, d]) puts fixed Fourier features of the
// network's input after it: the row is [x c_in, sin(2 pi B x c_in), cos(2 pi B x c_in), c(sigma)]. A small MLP fed raw
// low-dimensional x learns sharp functions of it slowly (spectral bias) and can stall; the features let it represent
// them at once. see: Tancik et al. 2020, "Fourier Features Let Networks Learn High Frequency Functions in Low
// Dimensional Domains"; Rahaman et al. 2019 (spectral bias). (score_sde's toy models and NCSN++ use Gaussian Fourier
// features of the noise level; these are of x.)

/** Input features beyond x and c(sigma): 2m for bit Fourier, else 0. */
@inline function featureWidth(cond: i32, g: usize): i32 {
  return (cond & ConditioningCode.Fourier) != 0 ? 2 * changetype<FourierConfig>(g).count : 0;
}

/** Network input width for data dimension d (g: the conditioning's block). */
@inline export function inputWidth(cond: i32, d: i32, g: usize): i32 {
  return d + featureWidth(cond, g) + ((cond & ConditioningCode.Embed) != 0 ? EMBED_FEATURES : 0);
}

/** Data dimension d for network input width din (g: the conditioning's block). */
@inline export function dataDim(cond: i32, din: i32, g: usize): i32 {
  return din - featureWidth(cond, g) - ((cond & ConditioningCode.Embed) != 0 ? EMBED_FEATURES : 0);
}

// Bit Gaussian (score models only; g a GaussianConfig: the data's Gaussian N(mu, C), C = U^T diag(lambda) U +
// rest (I - U^T U)) makes the skip term the exact score of that Gaussian blurred by sigma, so the network learns
// only what the Gaussian's linear (Wiener) denoiser misses:
//   s(x; sigma) = -(C + sigma^2 I)^-1 (x - mu) + c_out f([(x - mu) c_in, c(sigma)]) / sigma^2,
//   c_in = 1 / sqrt(v + sigma^2) (v = tr C / d), c_out^2 = tr(C (C + sigma^2 I)^-1) sigma^2 / d,
// EDM's D = c_skip x + c_out F with the Gaussian's denoiser as c_skip x: c_out is the Wiener filter's root mean
// square error per coordinate, so F's target keeps unit scale at every level. see: Karras et al. 2022, table 1
// and appendix B.6; Tipping & Bishop 1999 (the probabilistic PCA that C is).

// 1 / (rest + sigma^2), the blurred Gaussian's precision off U; 0 when U spans every direction (k = d: there are none,
// and -r e + r U^T U e would only add rounding, r times e's).
@inline export function restPrecision(c: GaussianConfig, s2: f64): f64 {
  return c.rank < c.dim ? 1.0 / (<f64>c.rest + s2) : 0.0;
}

/** Mean over the d coordinates of lambda / (lambda + sigma^2) under g's spectrum: c_out(sigma)^2 / sigma^2. */
export function wienerGain(g: usize, s2: f64): f64 {
  const c = changetype<GaussianConfig>(g);
  let sum: f64 = <f64>(c.dim - c.rank) * (<f64>c.rest / (<f64>c.rest + s2));
  for (let m = 0; m < c.rank; m++) {
    const l = <f64>load<f32>(c.variances + (<usize>m << 2));
    sum += l / (l + s2);
  }
  return sum / <f64>c.dim;
}

/** Output scale of the network for noise level sigma (1 when not scaled). */
@inline export function outputScale(cond: i32, sigma: f32, g: usize): f32 {
  if ((cond & ConditioningCode.Gaussian) != 0) return <f32>(Math.sqrt(wienerGain(g, <f64>sigma * <f64>sigma)) / <f64>sigma);
  if ((cond & ConditioningCode.Mixture) != 0) return <f32>(Math.sqrt(mixtureGain(g, <f64>sigma * <f64>sigma)) / <f64>sigma);
  if ((cond & ConditioningCode.Precondition) != 0) return <f32>(1.0 / (<f64>sigma * Math.sqrt(1.0 + <f64>sigma * <f64>sigma)));
  return (cond & ConditioningCode.Scale) != 0 ? <f32>1.0 / sigma : <f32>1.0;
}

/** Input scale c_in of the network's x (1 unless preconditioned or Gaussian). */
@inline export function inputScale(cond: i32, sigma: f32, g: usize): f32 {
  if ((cond & ConditioningCode.Gaussian) != 0) {
    return <f32>(1.0 / Math.sqrt(<f64>changetype<GaussianConfig>(g).variance + <f64>sigma * <f64>sigma));
  }
  if ((cond & ConditioningCode.Mixture) != 0) {
    return <f32>(1.0 / Math.sqrt(<f64>changetype<MixtureConfig>(g).variance + <f64>sigma * <f64>sigma));
  }
  return (cond & ConditioningCode.Precondition) != 0 ? <f32>(1.0 / Math.sqrt(1.0 + <f64>sigma * <f64>sigma)) : <f32>1.0;
}

/** Coefficient of the skip term x in the score of a preconditioned model (0 otherwise). */
@inline export function skipScale(cond: i32, sigma: f32): f32 {
  return (cond & ConditioningCode.Precondition) != 0 ? <f32>(-1.0 / (1.0 + <f64>sigma * <f64>sigma)) : <f32>0.0;
}

/** Whether the score has a skip term (conditioning bit Precondition, Gaussian or Mixture). */
@inline export function hasSkip(cond: i32): bool {
  return (cond & (ConditioningCode.Precondition | ConditioningCode.Gaussian | ConditioningCode.Mixture)) != 0;
}

/**
 * out[b, :] += the skip term at x[b, :] for B rows of d values: skipScale x (Precondition), or the blurred Gaussian's
 * score -(C + sigma^2 I)^-1 (x - mu) = -r (x - mu) - U^T diag(1 / (lambda + sigma^2) - r) U (x - mu), r = 1 / (rest + sigma^2)
 * (0 when k = d); or the blurred mixture's score (bit Mixture, assembly/mixture.ts).
 */
export function addSkip(cond: i32, sigma: f32, g: usize, x: usize, out: usize, B: i32, d: i32): void {
  if ((cond & ConditioningCode.Mixture) != 0) {
    addMixtureSkip(g, sigma, x, out, B, d);
    return;
  }
  if ((cond & ConditioningCode.Gaussian) == 0) {
    const k = skipScale(cond, sigma);
    for (let i = 0; i < B * d; i++) {
      store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) + k * load<f32>(x + (<usize>i << 2)));
    }
    return;
  }
  const c = changetype<GaussianConfig>(g);
  const s2 = <f64>sigma * <f64>sigma;
  for (let b = 0; b < B; b++) addGaussianSkip(c, s2, x + (<usize>(b * d) << 2), out + (<usize>(b * d) << 2), 1.0);
}

/** out[:] += w -(C + sigma^2 I)^-1 (x - mu) at one row x of c.dim values (w = 1: the same bits as without it). */
export function addGaussianSkip(c: GaussianConfig, s2: f64, x: usize, out: usize, w: f64): void {
  const d = c.dim, r = restPrecision(c, s2);
  if (r != 0) {
    scaleAdd(out, 1, x, <f32>(-r * w), d);
    scaleAdd(out, 1, c.mean, <f32>(r * w), d);
  }
  for (let m = 0; m < c.rank; m++) {
    const u = c.vectors + (<usize>(m * d) << 2);
    const t = <f64>dotDifference(u, x, c.mean, d);
    const l = <f64>load<f32>(c.variances + (<usize>m << 2));
    scaleAdd(out, 1, u, <f32>(-t * (1.0 / (l + s2) - r) * w), d);
  }
}

/**
 * The skip term's divergence: d skipScale (Precondition), or -tr (C + sigma^2 I)^-1 (Gaussian); with probes v [M, d]
 * (M > 0), Hutchinson's mean_m v_m^T J v_m of the skip's Jacobian J instead.
 */
function skipDivergence(cond: i32, sigma: f32, g: usize, d: i32, probes: usize, M: i32): f64 {
  if ((cond & ConditioningCode.Gaussian) == 0) {
    let vv: f64 = <f64>d;
    if (M > 0) {
      vv = 0;
      for (let p = 0; p < M; p++) {
        let q: f64 = 0;
        for (let j = 0; j < d; j++) {
          const v = <f64>load<f32>(probes + (<usize>(p * d + j) << 2));
          q += v * v;
        }
        vv += q / <f64>M;
      }
    }
    return <f64>skipScale(cond, sigma) * vv;
  }
  const c = changetype<GaussianConfig>(g);
  const s2 = <f64>sigma * <f64>sigma, r = restPrecision(c, s2);
  if (M == 0) {
    let div = -<f64>d * r;
    for (let m = 0; m < c.rank; m++) div -= 1.0 / (<f64>load<f32>(c.variances + (<usize>m << 2)) + s2) - r;
    return div;
  }
  let div: f64 = 0;
  for (let p = 0; p < M; p++) {
    const v = probes + (<usize>(p * d) << 2);
    let vv: f64 = 0;
    for (let j = 0; j < d; j++) vv += <f64>load<f32>(v + (<usize>j << 2)) * <f64>load<f32>(v + (<usize>j << 2));
    div -= r * vv;
    for (let m = 0; m < c.rank; m++) {
      const u = c.vectors + (<usize>(m * d) << 2);
      let t: f64 = 0;
      for (let j = 0; j < d; j++) t += <f64>load<f32>(u + (<usize>j << 2)) * <f64>load<f32>(v + (<usize>j << 2));
      div -= t * t * (1.0 / (<f64>load<f32>(c.variances + (<usize>m << 2)) + s2) - r);
    }
  }
  return div / <f64>M;
}

/**
 * Writes row [(x - shift) c_in (d floats), Fourier features (bit Fourier), c(sigma)] at `row` (width inputWidth; shift = mu
 * for bits Gaussian and Mixture, else 0).
 */
export function writeInputRow(row: usize, x: usize, d: i32, cond: i32, sigma: f32, g: usize): void {
  writeDataFeatures(row, x, d, cond, sigma, g);
  if ((cond & ConditioningCode.Embed) != 0) writeEmbedding(row + (<usize>(d + featureWidth(cond, g)) << 2), sigma);
}

/**
 * {@link writeInputRow} for B rows of width din at one sigma: c(sigma) is computed once and copied (the same bits; a
 * sampler's score call has one level, and c(sigma)'s log and six sines were a sixth of a 2-D default model's input work).
 */
export function writeInputRows(X: usize, x: usize, B: i32, din: i32, d: i32, cond: i32, sigma: f32, g: usize): void {
  for (let b = 0; b < B; b++) writeDataFeatures(X + (<usize>(b * din) << 2), x + (<usize>(b * d) << 2), d, cond, sigma, g);
  if ((cond & ConditioningCode.Embed) == 0 || B == 0) return;
  const offset = <usize>(d + featureWidth(cond, g)) << 2;
  writeEmbedding(X + offset, sigma);
  for (let b = 1; b < B; b++) memory.copy(X + (<usize>(b * din) << 2) + offset, X + offset, EMBED_FEATURES << 2);
}

/** The row's first d values (x - shift) c_in and its Fourier features. */
@inline function writeDataFeatures(row: usize, x: usize, d: i32, cond: i32, sigma: f32, g: usize): void {
  if ((cond & (ConditioningCode.Gaussian | ConditioningCode.Mixture)) != 0) {
    const ci = inputScale(cond, sigma, g);
    const mu = (cond & ConditioningCode.Mixture) != 0 ? changetype<MixtureConfig>(g).mean : changetype<GaussianConfig>(g).mean;
    for (let j = 0; j < d; j++) store<f32>(row + (<usize>j << 2), ci * (load<f32>(x + (<usize>j << 2)) - load<f32>(mu + (<usize>j << 2))));
  } else if ((cond & ConditioningCode.Precondition) != 0) {
    const ci = inputScale(cond, sigma, g);
    for (let j = 0; j < d; j++) store<f32>(row + (<usize>j << 2), ci * load<f32>(x + (<usize>j << 2)));
  } else memory.copy(row, x, <usize>d << 2);
  if ((cond & ConditioningCode.Fourier) != 0) writeFourierFeatures(row, d, changetype<FourierConfig>(g));
}

/** c(sigma) at e: log sigma and the sines and cosines of l / 2, l, 2 l (l = log sigma). */
function writeEmbedding(e: usize, sigma: f32): void {
  const l = Math.log(<f64>sigma);
  store<f32>(e, <f32>l);
  store<f32>(e, <f32>Math.sin(0.5 * l), 4);
  store<f32>(e, <f32>Math.cos(0.5 * l), 8);
  store<f32>(e, <f32>Math.sin(l), 12);
  store<f32>(e, <f32>Math.cos(l), 16);
  store<f32>(e, <f32>Math.sin(2.0 * l), 20);
  store<f32>(e, <f32>Math.cos(2.0 * l), 24);
}

/** theta_i = 2 pi (B y)_i of row y's first d values, in f64. */
@inline function fourierPhase(c: FourierConfig, row: usize, d: i32, i: i32): f64 {
  let t: f64 = 0;
  const b = c.frequencies + (<usize>(i * d) << 2);
  for (let j = 0; j < d; j++) t += <f64>load<f32>(b + (<usize>j << 2)) * <f64>load<f32>(row + (<usize>j << 2));
  return 2.0 * Math.PI * t;
}

/** row[d + i] = sin theta_i, row[d + m + i] = cos theta_i for the row's first d values y, theta = 2 pi B y. */
function writeFourierFeatures(row: usize, d: i32, c: FourierConfig): void {
  const m = c.count;
  for (let i = 0; i < m; i++) {
    // One argument reduction for both (musl's sincos: the same reduction and kernels as sin and cos, so the same bits).
    NativeMath.sincos(fourierPhase(c, row, d, i));
    store<f32>(row + (<usize>(d + i) << 2), <f32>NativeMath.sincos_sin);
    store<f32>(row + (<usize>(d + m + i) << 2), <f32>NativeMath.sincos_cos);
  }
}

/**
 * The Fourier features' tangent in a lane whose first d values are dy (the tangent of y = x c_in): d sin theta_i =
 * cos theta_i dtheta_i, d cos theta_i = -sin theta_i dtheta_i, dtheta = 2 pi B dy, with sin and cos read from the primal row.
 */
function writeFourierTangent(lane: usize, row: usize, d: i32, c: FourierConfig): void {
  const m = c.count;
  for (let i = 0; i < m; i++) {
    const dt = fourierPhase(c, lane, d, i);
    const sn = <f64>load<f32>(row + (<usize>(d + i) << 2)), cs = <f64>load<f32>(row + (<usize>(d + m + i) << 2));
    store<f32>(lane + (<usize>(d + i) << 2), <f32>(cs * dt));
    store<f32>(lane + (<usize>(d + m + i) << 2), <f32>(-sn * dt));
  }
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
export function modelScore(kind: i32, cond: i32, sigma: f32, g: usize, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, out: usize, ws: usize): void {
  modelScoreWithSkip(kind, cond, sigma, g, dims, L, act, params, x, B, out, ws, 0);
}

/**
 * {@link modelScore}; with skip != 0 and a 'mixture' score model, also the mixture's skip term alone in skip [B, d]
 * (addMixtureSkip's copy: the bits of the skip computed into zeros), where the Langevin steps' guard reads it rather
 * than computing it again (assembly/langevin.ts). skip may lie in ws past B * din floats (the input gradient's place,
 * unused by a score model): it is written after the network's output is read.
 */
export function modelScoreWithSkip(kind: i32, cond: i32, sigma: f32, g: usize, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, out: usize, ws: usize, skip: usize): void {
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  const d = dataDim(cond, din, g);
  const X = ws, gX = X + (<usize>(B * din) << 2);
  const Y = gX + (<usize>(B * din) << 2), gY = Y + (<usize>(B * dout) << 2);
  const net = gY + (<usize>(B * dout) << 2);
  writeInputRows(X, x, B, din, d, cond, sigma, g);
  const c = outputScale(cond, sigma, g);
  jetForward(dims, L, act, params, X, Y, B, 0, 1, net, kind == ModelKindCode.Energy, ALL_ROWS);
  if (kind == ModelKindCode.Score) {
    for (let i = 0; i < B * d; i++) store<f32>(out + (<usize>i << 2), c * load<f32>(Y + (<usize>i << 2)));
    if (skip != 0 && (cond & ConditioningCode.Mixture) != 0) {
      memory.fill(skip, 0, <usize>(B * d) << 2);
      addMixtureSkip(g, sigma, x, out, B, d, skip);
    } else if (hasSkip(cond)) addSkip(cond, sigma, g, x, out, B, d);
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
export function modelEnergy(cond: i32, sigma: f32, g: usize, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, out: usize, ws: usize): void {
  const din = load<i32>(dims);
  const d = dataDim(cond, din, g);
  const X = ws, Y = X + (<usize>(2 * B * din) << 2);
  const net = Y + (<usize>(2 * B) << 2);
  writeInputRows(X, x, B, din, d, cond, sigma, g);
  jetForward(dims, L, act, params, X, Y, B, 0, 1, net, false, ALL_ROWS);
  const c = outputScale(cond, sigma, g);
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
export function modelScoreDivergence(kind: i32, cond: i32, sigma: f32, g: usize, dims: usize, L: i32, act: i32, params: usize,
  x: usize, B: i32, probes: usize, M: i32, outScore: usize, outDiv: usize, ws: usize): void {
  const din = load<i32>(dims), dout = load<i32>(dims + (<usize>L << 2));
  const d = dataDim(cond, din, g);
  const k = divergenceLanes(kind, d, M), order = kind == ModelKindCode.Score ? 1 : 2;
  const R = B * (1 + order * k);
  const X = ws, Y = X + (<usize>(R * din) << 2), net = Y + (<usize>(R * dout) << 2);
  memory.fill(X, 0, <usize>(R * din) << 2);
  const c = outputScale(cond, sigma, g), ci = inputScale(cond, sigma, g), skip = hasSkip(cond);
  writeInputRows(X, x, B, din, d, cond, sigma, g);
  for (let b = 0; b < B; b++) {
    // Tangent lanes carry d(input)/dx v = c_in v.
    for (let m = 0; m < M; m++) {
      const lane = X + (<usize>((B + b * k + m) * din) << 2), v = probes + (<usize>((b * M + m) * d) << 2);
      for (let j = 0; j < d; j++) store<f32>(lane + (<usize>j << 2), ci * load<f32>(v + (<usize>j << 2)));
    }
    const units = M == 0 ? 0 : (kind == ModelKindCode.Score ? k : M); // first unit lane
    for (let j = 0; j < k - units; j++) store<f32>(X + (<usize>((B + b * k + units + j) * din + j) << 2), ci);
    if ((cond & ConditioningCode.Fourier) != 0) {
      const row = X + (<usize>(b * din) << 2);
      for (let m = 0; m < k; m++) writeFourierTangent(X + (<usize>((B + b * k + m) * din) << 2), row, d, changetype<FourierConfig>(g));
    }
  }
  jetForward(dims, L, act, params, X, Y, B, k, order, net, false, ALL_ROWS);
  for (let b = 0; b < B; b++) {
    let div: f64 = 0;
    if (kind == ModelKindCode.Score) {
      for (let j = 0; j < d; j++) store<f32>(outScore + (<usize>(b * d + j) << 2), c * load<f32>(Y + (<usize>(b * d + j) << 2)));
      if (skip) addSkip(cond, sigma, g, x + (<usize>(b * d) << 2), outScore + (<usize>(b * d) << 2), 1, d);
      for (let m = 0; m < k; m++) {
        const row = (B + b * k + m) * d;
        if (M == 0) div += <f64>load<f32>(Y + (<usize>(row + m) << 2));
        else {
          let vJv: f64 = 0;
          for (let j = 0; j < d; j++) {
            const v = <f64>load<f32>(probes + (<usize>((b * M + m) * d + j) << 2));
            vJv += v * <f64>load<f32>(Y + (<usize>(row + j) << 2));
          }
          div += vJv / <f64>M;
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
    const bProbes = probes + (<usize>(b * M * d) << 2);
    // Y's row b is free once the score is out: the mixture's divergence writes its skip term there.
    const skipDiv = !skip ? 0.0 : (cond & ConditioningCode.Mixture) != 0
      ? mixtureSkipDivergence(g, sigma, x + (<usize>(b * d) << 2), d, bProbes, M, Y + (<usize>(b * d) << 2))
      : skipDivergence(cond, sigma, g, d, bProbes, M);
    store<f32>(outDiv + (<usize>b << 2), skip ? <f32>(<f64>c * div + skipDiv) : <f32>(<f64>c * div));
  }
}
