/** Float32Array in, Float32Array out versions of the model functions (tensors are disposed). */
import { tf, ensureReady } from './tf.js';
import { dataDim, energy, isConditioned, paramCount, score, scoreDivergence, scoreJacobian, type NetSpec } from './model.js';

type Floats = Float32Array | ArrayLike<number>;

function toFloat32(name: string, a: Floats, n: number): Float32Array {
  if (a === null || typeof a !== 'object' || a.length !== n) {
    throw new Error(`@scorefield/tfjs: ${name} must hold ${n} values, got ${(a as { length?: unknown } | null)?.length}`);
  }
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

function run(
  spec: NetSpec,
  params: Floats,
  x: Floats,
  batch: number,
  sigma: Floats | number | undefined,
  f: (p: tf.Tensor1D, xt: tf.Tensor2D, s: tf.Tensor1D | number | undefined) => tf.Tensor,
): Float32Array {
  ensureReady();
  const d = dataDim(spec);
  if (!Number.isSafeInteger(batch) || batch < 1)
    throw new Error(`@scorefield/tfjs: batch must be a positive integer, got ${String(batch)}`);
  const P = toFloat32('params', params, paramCount(spec.dims));
  const X = toFloat32('x', x, batch * d);
  if (isConditioned(spec) && sigma === undefined) {
    throw new Error(`@scorefield/tfjs: a model with conditioning '${spec.conditioning}' needs sigma (a number or batch values)`);
  }
  return tf.tidy(() => {
    const s = sigma === undefined || typeof sigma === 'number' ? sigma : tf.tensor1d(toFloat32('sigma', sigma, batch), 'float32');
    const out = f(tf.tensor1d(P, 'float32'), tf.tensor2d(X, [batch, d], 'float32'), s);
    return Float32Array.from(out.dataSync());
  });
}

/** Scores s(x_b; sigma_b), batch * d values (row-major). */
export function scoreOf(spec: NetSpec, params: Floats, x: Floats, batch: number, sigma?: Floats | number): Float32Array {
  return run(spec, params, x, batch, sigma, (p, xt, s) => score(spec, p, xt, s));
}

/** Energies E(x_b; sigma_b) of an energy model, batch values. */
export function energyOf(spec: NetSpec, params: Floats, x: Floats, batch: number, sigma?: Floats | number): Float32Array {
  return run(spec, params, x, batch, sigma, (p, xt, s) => energy(spec, p, xt, s));
}

/** Score Jacobians J[b, i, j] = d s_i(x_b) / d x_j, batch * d * d values. */
export function scoreJacobianOf(spec: NetSpec, params: Floats, x: Floats, batch: number, sigma?: Floats | number): Float32Array {
  return run(spec, params, x, batch, sigma, (p, xt, s) => scoreJacobian(spec, p, xt, s));
}

/** Exact divergences tr(grad_x s(x_b)), batch values. */
export function scoreDivergenceOf(spec: NetSpec, params: Floats, x: Floats, batch: number, sigma?: Floats | number): Float32Array {
  return run(spec, params, x, batch, sigma, (p, xt, s) => scoreDivergence(spec, p, xt, s));
}
