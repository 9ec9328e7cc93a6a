/**
 * The scorefield MLP score / energy model in tfjs, matching the WebAssembly core exactly:
 * widths `dims = [d_in, h_1, ..., d_out]`, phi after every hidden layer (none after the last), and ONE
 * flat float32 parameter vector holding, per layer l in order, W_l [dims[l], dims[l+1]] input-major
 * (y = x W + b) then b_l [dims[l+1]].
 */
import { tf, ensureGradients, ensureReady } from './tf.js';
import type { Conditioning, FourierSpec, GaussianSpec, ModelKind, ModelSpec } from '@scorefield/core-math';
import { activation, ACTIVATIONS, type Activation } from './activations.js';

export type { ModelKind, Conditioning, ModelSpec, GaussianSpec, FourierSpec };

/**
 * A network read as a score model: core-math's {@link ModelSpec} (kind: 'score' gives the score, 'energy' an
 * energy E with s = -grad_x E; conditioning: 'embed' feeds c(sigma) to the network, 'scale' divides its output
 * by sigma, 'both' does both, 'precond' (score models only) embeds and preconditions:
 * s = -x / (1 + sigma^2) + f([x / sqrt(1 + sigma^2), c(sigma)]) / (sigma sqrt(1 + sigma^2)), see: Karras et al. 2022,
 * table 1, sigma_data = 1), 'gaussian' (score models only, with `gaussian`, the data's Gaussian N(mu, C),
 * C = U^T diag(lambda) U + rest (I - U^T U)) embeds and makes the skip term that Gaussian's blurred score:
 * s = -(C + sigma^2 I)^-1 (x - mu) + c_out f([(x - mu) c_in, c(sigma)]) / sigma^2, c_in = 1 / sqrt(tr C / d + sigma^2),
 * c_out^2 = sigma^2 tr(C (C + sigma^2 I)^-1) / d), 'fourier' (score models only, with `fourier`, frequencies B [m, d]) is
 * 'precond' with the network reading [y, sin(2 pi B y), cos(2 pi B y), c(sigma)] at y = x / sqrt(1 + sigma^2) (see: Tancik et
 * al. 2020), with the MLP's layer widths [d_in, h_1, ..., d_out] and activation.
 */
export interface NetSpec extends Omit<ModelSpec, 'gaussian' | 'fourier'> {
  dims: readonly number[];
  activation: Activation;
  /** Conditioning 'gaussian': the data's Gaussian (core-math's GaussianSpec). */
  gaussian?: GaussianSpec;
  /** Conditioning 'fourier': the input features' frequencies B [m, d] (core-math's FourierSpec). */
  fourier?: FourierSpec;
}

/** Number of noise-embedding features (see {@link noiseEmbedding}). */
export const EMBEDDING_SIZE = 7;

const KINDS: readonly ModelKind[] = ['score', 'energy'];
const CONDITIONINGS: readonly Conditioning[] = ['none', 'embed', 'scale', 'both', 'precond', 'gaussian', 'fourier'];

/** Whether the network input carries the noise embedding c(sigma). */
export function isEmbedded(spec: NetSpec): boolean {
  return ['embed', 'both', 'precond', 'gaussian', 'fourier'].includes(spec.conditioning);
}

/** Input features of the spec beyond x and c(sigma): 2m for 'fourier' (m = frequencies / d), else 0. */
function featureWidth(spec: NetSpec): number {
  return spec.conditioning === 'fourier' ? (2 * (spec.fourier?.frequencies.length ?? 0)) / spec.dims[spec.dims.length - 1]! : 0;
}

/** Whether the network output is divided by sigma. */
export function isScaled(spec: NetSpec): boolean {
  return spec.conditioning === 'scale' || spec.conditioning === 'both';
}

/** Whether the model needs sigma at all. */
export function isConditioned(spec: NetSpec): boolean {
  return spec.conditioning !== 'none';
}

/** Number of float32 parameters of an MLP with widths `dims`. */
export function paramCount(dims: readonly number[]): number {
  checkDims(dims);
  let n = 0;
  for (let l = 0; l + 1 < dims.length; l++) n += dims[l]! * dims[l + 1]! + dims[l + 1]!;
  return n;
}

function checkDims(dims: readonly number[]): void {
  if (!Array.isArray(dims) || dims.length < 2) {
    throw new Error(`@scorefield/tfjs: dims must list at least 2 widths [d_in, ..., d_out], got ${JSON.stringify(dims)}`);
  }
  for (const w of dims) {
    if (!Number.isSafeInteger(w) || w < 1) throw new Error(`@scorefield/tfjs: dims must be positive integers, got ${JSON.stringify(dims)}`);
  }
}

/**
 * Validates a spec and returns the data dimension d: dims[0] must be d + 7 with the noise embedding
 * and d otherwise; dims[last] must be d for a score model and 1 for an energy model.
 */
export function dataDim(spec: NetSpec): number {
  if (spec === null || typeof spec !== 'object') throw new Error('@scorefield/tfjs: model spec must be an object');
  if (!KINDS.includes(spec.kind)) throw new Error(`@scorefield/tfjs: spec.kind must be 'score' or 'energy', got '${String(spec.kind)}'`);
  if (!ACTIVATIONS.includes(spec.activation)) {
    throw new Error(`@scorefield/tfjs: spec.activation must be one of ${ACTIVATIONS.join(', ')}, got '${String(spec.activation)}'`);
  }
  if (!CONDITIONINGS.includes(spec.conditioning)) {
    throw new Error(`@scorefield/tfjs: spec.conditioning must be one of ${CONDITIONINGS.join(', ')}, got '${String(spec.conditioning)}'`);
  }
  if (spec.kind === 'energy' && (spec.conditioning === 'precond' || spec.conditioning === 'gaussian' || spec.conditioning === 'fourier')) {
    throw new Error(
      `@scorefield/tfjs: conditioning '${spec.conditioning}' is for score models; an energy model takes 'none', 'embed', 'scale' or 'both'`,
    );
  }
  checkDims(spec.dims);
  if (spec.conditioning === 'fourier') {
    const n = spec.fourier?.frequencies.length ?? 0,
      d = spec.dims[spec.dims.length - 1]!;
    if (!(n >= d && n % d === 0) || spec.dims[0] !== d + (2 * n) / d + EMBEDDING_SIZE) {
      throw new Error(
        `@scorefield/tfjs: conditioning 'fourier' needs spec.fourier.frequencies [m, d] with dims[0] = d + 2m + ${EMBEDDING_SIZE}, got ` +
          `${n} frequencies and dims ${JSON.stringify(spec.dims)}`,
      );
    }
  }
  const d = spec.dims[0]! - featureWidth(spec) - (isEmbedded(spec) ? EMBEDDING_SIZE : 0);
  if (d < 1)
    throw new Error(`@scorefield/tfjs: dims[0] = ${spec.dims[0]} leaves no data dimension after the ${EMBEDDING_SIZE} embedding features`);
  const out = spec.dims[spec.dims.length - 1]!;
  const want = spec.kind === 'score' ? d : 1;
  if (out !== want) {
    throw new Error(`@scorefield/tfjs: a ${spec.kind} model with data dimension ${d} needs dims[last] = ${want}, got ${out}`);
  }
  if (spec.conditioning === 'gaussian') {
    const g = spec.gaussian;
    const k = g?.variances.length ?? 0;
    if (!g || g.mean.length !== d || g.vectors.length !== k * d || k > d || !(g.rest >= 0)) {
      throw new Error(
        `@scorefield/tfjs: conditioning 'gaussian' needs spec.gaussian with mean [${d}], vectors [k, ${d}], variances [k] and rest >= 0`,
      );
    }
  }
  return d;
}

/** Sigma as a [B] float32 tensor (a number is broadcast to the batch). */
export type SigmaLike = tf.Tensor1D | number;

function sigmaTensor(sigma: SigmaLike, batch: number): tf.Tensor1D {
  if (typeof sigma === 'number') return tf.fill([batch], sigma, 'float32') as tf.Tensor1D;
  if (!(sigma instanceof tf.Tensor) || sigma.rank !== 1 || sigma.shape[0] !== batch) {
    throw new Error(
      `@scorefield/tfjs: sigma must be a number or a [${batch}] tensor, got shape ` +
        `${sigma instanceof tf.Tensor ? JSON.stringify(sigma.shape) : typeof sigma}`,
    );
  }
  return sigma;
}

/**
 * The noise embedding c(sigma) = [l, sin(l/2), cos(l/2), sin(l), cos(l), sin(2l), cos(2l)], l = ln(sigma):
 * [B] -> [B, 7] (a number gives [1, 7]).
 */
export function noiseEmbedding(sigma: tf.Tensor1D | number | ArrayLike<number>): tf.Tensor2D {
  ensureReady();
  return tf.tidy(() => {
    const s =
      typeof sigma === 'number'
        ? tf.tensor1d([sigma], 'float32')
        : sigma instanceof tf.Tensor
          ? sigma
          : tf.tensor1d(Array.from(sigma), 'float32');
    if (s.rank !== 1) throw new Error(`@scorefield/tfjs: noiseEmbedding expects sigma of shape [B], got ${JSON.stringify(s.shape)}`);
    const l = tf.log(s);
    const half = tf.mul(l, 0.5);
    const twice = tf.mul(l, 2);
    return tf.stack([l, tf.sin(half), tf.cos(half), tf.sin(l), tf.cos(l), tf.sin(twice), tf.cos(twice)], 1) as tf.Tensor2D;
  });
}

function checkParams(dims: readonly number[], params: tf.Tensor): void {
  const n = paramCount(dims);
  if (!(params instanceof tf.Tensor) || params.rank !== 1 || params.shape[0] !== n) {
    throw new Error(
      `@scorefield/tfjs: params must be a [${n}] tensor for dims ${JSON.stringify(dims)}, got shape ` +
        `${params instanceof tf.Tensor ? JSON.stringify(params.shape) : typeof params}`,
    );
  }
}

/** The raw network f(input): [N, dims[0]] -> [N, dims[last]]. Differentiable w.r.t. params and input to any order. */
export function mlp(spec: Pick<NetSpec, 'dims' | 'activation'>, params: tf.Tensor, input: tf.Tensor): tf.Tensor2D {
  ensureReady();
  const { dims } = spec;
  checkParams(dims, params);
  if (input.rank !== 2 || input.shape[1] !== dims[0]) {
    throw new Error(`@scorefield/tfjs: network input must be [N, ${dims[0]}], got ${JSON.stringify(input.shape)}`);
  }
  const phi = activation(spec.activation);
  return tf.tidy(() => {
    let h = input as tf.Tensor2D;
    let off = 0;
    const L = dims.length - 1;
    for (let l = 0; l < L; l++) {
      const I = dims[l]!,
        O = dims[l + 1]!;
      const W = tf.reshape(tf.slice(params, [off], [I * O]), [I, O]) as tf.Tensor2D;
      off += I * O;
      const b = tf.slice(params, [off], [O]);
      off += O;
      const a = tf.add(tf.matMul(h, W), b) as tf.Tensor2D;
      h = l < L - 1 ? (phi(a) as tf.Tensor2D) : a;
    }
    return h;
  });
}

function checkX(d: number, x: tf.Tensor): number {
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== d) {
    throw new Error(`@scorefield/tfjs: x must be a [B, ${d}] tensor, got ${x instanceof tf.Tensor ? JSON.stringify(x.shape) : typeof x}`);
  }
  return x.shape[0];
}

/**
 * Network output with conditioning applied: f([x, c(sigma)]) / sigma as configured, or the preconditioned score
 * -x / (1 + sigma^2) + f([x / sqrt(1 + sigma^2), c(sigma)]) / (sigma sqrt(1 + sigma^2)); [B, dims[last]].
 */
function conditionedOutput(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, sigma: SigmaLike | undefined): tf.Tensor2D {
  const d = dataDim(spec);
  const B = checkX(d, x);
  if (!isConditioned(spec)) return mlp(spec, params, x);
  if (sigma === undefined) throw new Error(`@scorefield/tfjs: a model with conditioning '${spec.conditioning}' needs sigma`);
  return tf.tidy(() => {
    const s = sigmaTensor(sigma, B);
    const col = tf.reshape(s, [B, 1]);
    if (spec.conditioning === 'gaussian') return gaussianOutput(spec, params, x, s, col as tf.Tensor2D, d);
    if (spec.conditioning === 'precond' || spec.conditioning === 'fourier') {
      // see: Karras et al. 2022, table 1 (sigma_data = 1): c_in = 1 / c, skip -x / c^2, output scale 1 / (sigma c).
      const c = tf.sqrt(tf.add(1, tf.square(col)));
      const y = tf.div(x, c) as tf.Tensor2D;
      const f = mlp(spec, params, tf.concat([y, ...fourierFeatures(spec, y, d), noiseEmbedding(s)], 1));
      return tf.add(tf.neg(tf.div(x, tf.square(c))), tf.div(f, tf.mul(col, c))) as tf.Tensor2D;
    }
    const input = isEmbedded(spec) ? tf.concat([x, noiseEmbedding(s)], 1) : x;
    const f = mlp(spec, params, input);
    return isScaled(spec) ? (tf.div(f, col) as tf.Tensor2D) : f;
  });
}

/** [sin(2 pi y B^T), cos(2 pi y B^T)] of a 'fourier' spec ([] otherwise); see: Tancik et al. 2020. */
function fourierFeatures(spec: NetSpec, y: tf.Tensor2D, d: number): tf.Tensor2D[] {
  if (spec.conditioning !== 'fourier') return [];
  const f = spec.fourier!.frequencies;
  const B = tf.tensor2d(Array.from(f), [f.length / d, d], 'float32');
  const theta = tf.mul(tf.matMul(y, B, false, true), 2 * Math.PI) as tf.Tensor2D;
  return [tf.sin(theta), tf.cos(theta)];
}

/**
 * The 'gaussian' score: -r (x - mu) - ((x - mu) U^T (1 / (lambda + sigma^2) - r)) U (the blurred Gaussian's score,
 * r = 1 / (rest + sigma^2), 0 when k = d) + sqrt(mean lambda / (lambda + sigma^2)) f([(x - mu) / sqrt(v + sigma^2), c(sigma)]) / sigma.
 * see: Karras et al. 2022, table 1; Tipping & Bishop 1999.
 */
function gaussianOutput(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, s: tf.Tensor1D, col: tf.Tensor2D, d: number): tf.Tensor2D {
  const g = spec.gaussian!;
  const k = g.variances.length;
  const mu = tf.tensor1d(Array.from(g.mean), 'float32');
  const s2 = tf.square(col);
  const e = tf.sub(x, mu);
  // r = 1 / (rest + sigma^2) [B, 1]; 0 when U spans every direction (k = d), as in the core.
  const inv = k < d ? tf.div(1, tf.add(s2, g.rest)) : tf.zerosLike(s2);
  let skip = tf.neg(tf.mul(e, inv));
  let gain = tf.mul(inv, (d - k) * g.rest); // (d - k) rest / r, then + sum lambda / (lambda + sigma^2)
  let variance = (d - k) * g.rest;
  if (k > 0) {
    const U = tf.tensor2d(Array.from(g.vectors), [k, d], 'float32');
    const lam = tf.tensor1d(Array.from(g.variances), 'float32');
    const lamInv = tf.div(1, tf.add(lam, s2)); // [B, k]
    const t = tf.matMul(e, U, false, true); // [B, k]
    skip = tf.sub(skip, tf.matMul(tf.mul(t, tf.sub(lamInv, inv)), U));
    gain = tf.add(gain, tf.sum(tf.mul(lam, lamInv), 1, true));
    for (let m = 0; m < k; m++) variance += g.variances[m]!;
  }
  const cin = tf.rsqrt(tf.add(s2, variance / d));
  const f = mlp(spec, params, tf.concat([tf.mul(e, cin), noiseEmbedding(s)], 1));
  return tf.add(skip, tf.div(tf.mul(tf.sqrt(tf.div(gain, d)), f), col)) as tf.Tensor2D;
}

/** Energy E(x; sigma) of an energy model: [B, d] -> [B]. */
export function energy(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor1D {
  ensureReady();
  if (spec.kind !== 'energy') throw new Error(`@scorefield/tfjs: energy() needs an energy model, got kind '${spec.kind}'`);
  return tf.tidy(() => tf.reshape(conditionedOutput(spec, params, x, sigma), [x.shape[0]]) as tf.Tensor1D);
}

/**
 * Vector-Jacobian product of `f` at x: grad_x sum(f(x) * dy). Unlike `tf.grad`, a function that does not
 * depend on x gives zeros instead of throwing. Recorded on the tape, so it can be differentiated again.
 */
export function vjp(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dy?: tf.Tensor): tf.Tensor {
  ensureGradients();
  return tf.tidy(() => {
    const { value, grads } = tf.engine().gradients(() => f(x), [x], dy, true);
    if (dy !== undefined && !tf.util.arraysEqual(value.shape, dy.shape)) {
      throw new Error(`@scorefield/tfjs: vjp: dy has shape ${JSON.stringify(dy.shape)} but f(x) has shape ${JSON.stringify(value.shape)}`);
    }
    const g = grads[0];
    return g == null ? tf.zerosLike(x) : g;
  });
}

/**
 * Score s(x; sigma): [B, d] -> [B, d]. For a score model s = f([x, c]) (/ sigma); for an energy model
 * s = -grad_x E. Differentiable w.r.t. params and x to any order.
 */
export function score(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor2D {
  ensureReady();
  if (spec.kind === 'score') return conditionedOutput(spec, params, x, sigma);
  checkX(dataDim(spec), x);
  return tf.tidy(() => tf.neg(vjp((xx) => energy(spec, params, xx as tf.Tensor2D, sigma), x)) as tf.Tensor2D);
}

/**
 * Per-sample vector-Jacobian product of the score: row b is (grad_x s(x_b))^T v_b, i.e.
 * sum_i v_bi grad_x s_i(x_b). [B, d] -> [B, d]. v_b^T of it times v_b is v_b^T (grad_x s) v_b.
 */
export function scoreVjp(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, v: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor2D {
  ensureReady();
  const d = dataDim(spec);
  const B = checkX(d, x);
  if (!(v instanceof tf.Tensor) || !tf.util.arraysEqual(v.shape, [B, d])) {
    throw new Error(`@scorefield/tfjs: v must be [${B}, ${d}], got ${v instanceof tf.Tensor ? JSON.stringify(v.shape) : typeof v}`);
  }
  return vjp((xx) => score(spec, params, xx as tf.Tensor2D, sigma), x, v) as tf.Tensor2D;
}

/** Repeats sigma (a number or [B]) `times` times along the batch, matching tf.tile of x. */
export function tileSigma(sigma: SigmaLike | undefined, batch: number, times: number): SigmaLike | undefined {
  if (sigma === undefined || typeof sigma === 'number') return sigma;
  return tf.tile(sigmaTensor(sigma, batch), [times]) as tf.Tensor1D;
}

/**
 * The exact Jacobian J[b, i, j] = d s_i(x_b) / d x_j: [B, d] -> [B, d, d], from d vector-Jacobian products
 * (one per output coordinate i, batched in one backward pass).
 */
export function scoreJacobian(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor3D {
  ensureReady();
  const d = dataDim(spec);
  const B = checkX(d, x);
  return tf.tidy(() => {
    const xs = tf.tile(x, [d, 1]) as tf.Tensor2D; // row i*B + b = x_b
    const rows = vjp((xx) => score(spec, params, xx as tf.Tensor2D, tileSigma(sigma, B, d)), xs, basisRows(d, B));
    // rows[i*B + b, j] = d s_i(x_b) / d x_j
    return tf.transpose(tf.reshape(rows, [d, B, d]), [1, 0, 2]) as tf.Tensor3D;
  });
}

/** Exact divergence tr(grad_x s(x_b)) per sample: [B, d] -> [B]. */
export function scoreDivergence(spec: NetSpec, params: tf.Tensor, x: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor1D {
  ensureReady();
  const d = dataDim(spec);
  const B = checkX(d, x);
  return tf.tidy(() => {
    const xs = tf.tile(x, [d, 1]) as tf.Tensor2D;
    const e = basisRows(d, B);
    const rows = vjp((xx) => score(spec, params, xx as tf.Tensor2D, tileSigma(sigma, B, d)), xs, e);
    // sum_i rows[i*B + b, i]
    return tf.sum(tf.reshape(tf.mul(rows, e), [d, B, d]), [0, 2]) as tf.Tensor1D;
  });
}

/** [d*B, d] with row i*B + b equal to the unit vector e_i. */
function basisRows(d: number, B: number): tf.Tensor2D {
  const data = new Float32Array(d * B * d);
  for (let i = 0; i < d; i++) for (let b = 0; b < B; b++) data[(i * B + b) * d + i] = 1;
  return tf.tensor2d(data, [d * B, d], 'float32');
}
