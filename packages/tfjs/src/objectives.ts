/**
 * Every scorefield score-matching objective as a tfjs scalar, differentiated with tfjs autodiff.
 * All losses are averaged over the batch; randomness (projections v, noise z) is an input so the same
 * draws can be fed to the WebAssembly core.
 */
import { tf, ensureGradients, ensureReady } from './tf.js';
import { dataDim, isConditioned, paramCount, score, scoreDivergence, tileSigma, vjp, type NetSpec } from './model.js';

export type Objective = 'esm' | 'ssm' | 'ssm-vr' | 'denoising';

export const OBJECTIVES: readonly Objective[] = ['esm', 'ssm', 'ssm-vr', 'denoising'];

/** Tensor inputs of {@link objectiveLoss}. B = batch, d = data dimension, M = number of projections. */
export interface ObjectiveTensors {
  /** Data points [B, d]. */
  x: tf.Tensor2D;
  /** Projections [M, B, d] ('ssm', 'ssm-vr'). */
  v?: tf.Tensor3D;
  /** Standard normal noise [B, d] ('denoising'). */
  z?: tf.Tensor2D;
  /** Signal scale [B] ('denoising'; default 1). */
  alpha?: tf.Tensor1D;
  /** Noise level [B] ('denoising'; also the conditioning of a conditioned model in the other objectives). */
  sigma?: tf.Tensor1D;
  /** Per-sample weight [B] ('denoising'; default 1). */
  lambda?: tf.Tensor1D;
}

/** Flat float32 inputs of {@link objectiveLossAndGrad}: the same as {@link ObjectiveTensors}, row-major. */
export interface ObjectiveInputs {
  /** Data points, batch * d values. */
  x: Float32Array | ArrayLike<number>;
  batch: number;
  /** Projections, slices * batch * d values, slice-major ([M, B, d]). */
  v?: Float32Array | ArrayLike<number>;
  /** Number of projections M (default: v.length / (batch * d)). */
  slices?: number;
  z?: Float32Array | ArrayLike<number>;
  alpha?: Float32Array | ArrayLike<number>;
  sigma?: Float32Array | ArrayLike<number>;
  lambda?: Float32Array | ArrayLike<number>;
}

function fail(msg: string): never {
  throw new Error(`@scorefield/tfjs: ${msg}`);
}

function checkShape(name: string, t: tf.Tensor | undefined, shape: number[]): void {
  if (t === undefined) return;
  if (!(t instanceof tf.Tensor) || !tf.util.arraysEqual(t.shape, shape)) {
    fail(`${name} must have shape ${JSON.stringify(shape)}, got ${t instanceof tf.Tensor ? JSON.stringify(t.shape) : typeof t}`);
  }
}

/**
 * The objective as a tfjs scalar (differentiable w.r.t. `params` to any order):
 * - 'esm': mean_b [ tr(grad_x s(x_b)) + 1/2 ||s(x_b)||^2 ] with the exact trace (d vector-Jacobian products);
 * - 'ssm': mean_b (1/M) sum_m [ v_mb^T (grad_x s(x_b)) v_mb + 1/2 (v_mb^T s(x_b))^2 ];
 * - 'ssm-vr': mean_b [ (1/M) sum_m v_mb^T (grad_x s(x_b)) v_mb + 1/2 ||s(x_b)||^2 ];
 * - 'denoising': mean_b lambda_b / 2 || s(alpha_b x_b + sigma_b z_b; sigma_b) + z_b / sigma_b ||^2.
 * For 'esm', 'ssm' and 'ssm-vr' a conditioned model (conditioning other than 'none') is evaluated at
 * `inputs.sigma`, which it then requires; an unconditioned model ignores sigma.
 */
export function objectiveLoss(spec: NetSpec, params: tf.Tensor1D, objective: Objective, inputs: ObjectiveTensors): tf.Scalar {
  ensureReady();
  const d = dataDim(spec);
  checkShape('params', params, [paramCount(spec.dims)]);
  const { x } = inputs;
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== d) {
    fail(`x must be a [B, ${d}] tensor, got ${x instanceof tf.Tensor ? JSON.stringify(x.shape) : typeof x}`);
  }
  const B = x.shape[0];
  if (B < 1) fail('the batch must not be empty');
  checkShape('sigma', inputs.sigma, [B]);
  const sigma = isConditioned(spec) ? inputs.sigma : undefined;
  if (isConditioned(spec) && sigma === undefined) fail(`a model with conditioning '${spec.conditioning}' needs inputs.sigma [B]`);
  switch (objective) {
    case 'esm':
      return tf.tidy(() => {
        const s = score(spec, params, x, sigma);
        const trace = tf.sum(scoreDivergence(spec, params, x, sigma)); // exact: d vector-Jacobian products
        return tf.div(tf.add(trace, tf.mul(0.5, tf.sum(tf.square(s)))), B) as tf.Scalar;
      });
    case 'ssm':
    case 'ssm-vr':
      return tf.tidy(() => {
        const v = inputs.v;
        if (v === undefined) fail(`'${objective}' needs projections inputs.v [M, B, d]`);
        if (!(v instanceof tf.Tensor) || v.rank !== 3 || v.shape[1] !== B || v.shape[2] !== d || v.shape[0] < 1) {
          fail(`v must have shape [M, ${B}, ${d}] with M >= 1, got ${v instanceof tf.Tensor ? JSON.stringify(v.shape) : typeof v}`);
        }
        const M = v.shape[0];
        const s = score(spec, params, x, sigma);
        const vf = tf.reshape(v, [M * B, d]);
        const xs = tf.tile(x, [M, 1]) as tf.Tensor2D; // row m*B + b = x_b, matching v[m, b]
        const jv = vjp((xx) => score(spec, params, xx as tf.Tensor2D, tileSigma(sigma, B, M)), xs, vf);
        const quad = tf.div(tf.sum(tf.mul(jv, vf)), M * B); // mean_b (1/M) sum_m v^T J v
        const second =
          objective === 'ssm'
            ? tf.div(tf.sum(tf.square(tf.sum(tf.mul(v, s), 2))), 2 * M * B) // mean_b (1/M) sum_m (v^T s)^2 / 2
            : tf.div(tf.sum(tf.square(s)), 2 * B); // mean_b ||s||^2 / 2
        return tf.add(quad, second) as tf.Scalar;
      });
    case 'denoising':
      return tf.tidy(() => {
        const { z, alpha, lambda } = inputs;
        const sig = inputs.sigma;
        if (z === undefined || sig === undefined) fail(`'denoising' needs inputs.z [B, d] and inputs.sigma [B]`);
        checkShape('z', z, [B, d]);
        checkShape('alpha', alpha, [B]);
        checkShape('lambda', lambda, [B]);
        const col = (t: tf.Tensor1D) => tf.reshape(t, [B, 1]);
        const sc = col(sig);
        const xt = tf.add(alpha === undefined ? x : tf.mul(col(alpha), x), tf.mul(sc, z)) as tf.Tensor2D;
        const s = score(spec, params, xt, isConditioned(spec) ? sig : undefined);
        const r = tf.sum(tf.square(tf.add(s, tf.div(z, sc))), 1); // [B]
        const weighted = lambda === undefined ? r : tf.mul(lambda, r);
        return tf.div(tf.sum(weighted), 2 * B) as tf.Scalar;
      });
    default:
      return fail(`unknown objective '${String(objective)}' (expected one of ${OBJECTIVES.join(', ')})`);
  }
}

/** Loss and its gradient w.r.t. the parameter tensor, as tensors (caller disposes both). */
export function objectiveValueAndGrad(
  spec: NetSpec,
  params: tf.Tensor1D,
  objective: Objective,
  inputs: ObjectiveTensors,
): { value: tf.Scalar; grad: tf.Tensor1D } {
  ensureReady();
  ensureGradients();
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor1D) => objectiveLoss(spec, p, objective, inputs))(params);
    return { value, grad: grad as tf.Tensor1D };
  });
}

function floats(name: string, a: ArrayLike<number> | undefined, n: number, required: boolean): Float32Array | undefined {
  if (a === undefined) {
    if (required) fail(`inputs.${name} is required (${n} values)`);
    return undefined;
  }
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') fail(`inputs.${name} must be an array of numbers`);
  if (a.length !== n) fail(`inputs.${name} has ${a.length} values, expected ${n}`);
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** Converts flat inputs to tensors (validated against the spec); caller disposes them. */
export function inputTensors(spec: NetSpec, objective: Objective, inputs: ObjectiveInputs): ObjectiveTensors {
  ensureReady();
  const d = dataDim(spec);
  const B = inputs.batch;
  if (!Number.isSafeInteger(B) || B < 1) fail(`inputs.batch must be a positive integer, got ${String(B)}`);
  const x = floats('x', inputs.x, B * d, true)!;
  const needsV = objective === 'ssm' || objective === 'ssm-vr';
  const isDen = objective === 'denoising';
  let M = 0;
  if (needsV) {
    if (inputs.v === undefined) fail(`'${objective}' needs inputs.v (slices * batch * d values)`);
    M = inputs.slices ?? inputs.v.length / (B * d);
    if (!Number.isSafeInteger(M) || M < 1)
      fail(
        `inputs.slices must be a positive integer and v.length = slices * batch * d, got v.length ${inputs.v.length} for batch ` +
          `${B}, d ${d}`,
      );
  }
  const v = needsV ? floats('v', inputs.v, M * B * d, true) : undefined;
  const z = isDen ? floats('z', inputs.z, B * d, true) : undefined;
  const alpha = isDen ? floats('alpha', inputs.alpha, B, false) : undefined;
  const lambda = isDen ? floats('lambda', inputs.lambda, B, false) : undefined;
  const sigma = floats('sigma', inputs.sigma, B, isDen || isConditioned(spec));
  if (sigma !== undefined && (isDen || isConditioned(spec))) {
    for (let b = 0; b < B; b++)
      if (!(sigma[b]! > 0) || !Number.isFinite(sigma[b]!)) fail(`inputs.sigma[${b}] must be positive and finite, got ${sigma[b]}`);
  }
  const out: ObjectiveTensors = { x: tf.tensor2d(x, [B, d], 'float32') };
  if (v) out.v = tf.tensor3d(v, [M, B, d], 'float32');
  if (z) out.z = tf.tensor2d(z, [B, d], 'float32');
  if (alpha) out.alpha = tf.tensor1d(alpha, 'float32');
  if (lambda) out.lambda = tf.tensor1d(lambda, 'float32');
  if (sigma) out.sigma = tf.tensor1d(sigma, 'float32');
  return out;
}

function paramsTensor(spec: NetSpec, params: Float32Array | ArrayLike<number>): tf.Tensor1D {
  const n = paramCount(spec.dims);
  if (params === null || typeof params !== 'object' || params.length !== n) {
    fail(`params must hold ${n} values for dims ${JSON.stringify(spec.dims)}, got ${params?.length}`);
  }
  return tf.tensor1d(params instanceof Float32Array ? params : Float32Array.from(params), 'float32');
}

/**
 * Loss and its gradient w.r.t. the flat float32 parameter vector, computed with tfjs autodiff
 * (`tf.valueAndGrad`). All tensors are disposed before returning.
 */
export function objectiveLossAndGrad(
  spec: NetSpec,
  params: Float32Array | ArrayLike<number>,
  objective: Objective,
  inputs: ObjectiveInputs,
): { loss: number; grad: Float32Array } {
  ensureReady();
  return tf.tidy(() => {
    const p = paramsTensor(spec, params);
    const t = inputTensors(spec, objective, inputs);
    const { value, grad } = objectiveValueAndGrad(spec, p, objective, t);
    return { loss: value.dataSync()[0]!, grad: Float32Array.from(grad.dataSync()) };
  });
}

/** Loss only (no backward pass w.r.t. the parameters). */
export function objectiveValue(
  spec: NetSpec,
  params: Float32Array | ArrayLike<number>,
  objective: Objective,
  inputs: ObjectiveInputs,
): number {
  ensureReady();
  return tf.tidy(() => {
    const p = paramsTensor(spec, params);
    return objectiveLoss(spec, p, objective, inputTensors(spec, objective, inputs)).dataSync()[0]!;
  });
}
