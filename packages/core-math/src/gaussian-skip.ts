import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { InputError } from './errors.js';
import { newBlock } from './config-block.js';
import { GaussianConfig } from './generated/contract.js';

/**
 * The data's Gaussian N(mu, C) of a model with conditioning 'gaussian', C = U^T diag(lambda) U + rest (I - U^T U):
 * probabilistic PCA (Tipping & Bishop 1999) with the k leading eigenvectors of the (standardised) data's covariance.
 * Its blurred score is the model's skip term (assembly/model.ts).
 */
export interface GaussianSpec {
  /** mu [d]. */
  mean: ArrayLike<number>;
  /** U [k, d], orthonormal rows (row-major). */
  vectors: ArrayLike<number>;
  /** lambda [k], >= 0. */
  variances: ArrayLike<number>;
  /** Variance of the directions orthogonal to U, >= 0. */
  rest: number;
}

/** Checks a Gaussian's shapes and values against data dimension d (one line, InputError). */
export function checkGaussian(g: GaussianSpec, d: number, k = 'gaussian'): void {
  const rank = g.variances.length;
  if (g.mean.length !== d) throw new InputError(`${k}: mean has ${g.mean.length} values, the data ${d} coordinates`);
  if (rank > d || g.vectors.length !== rank * d) {
    throw new InputError(`${k}: vectors has ${g.vectors.length} values, expected variances (${rank}) x d (${d})`);
  }
  const finite = (a: ArrayLike<number>) => Array.prototype.every.call(a, (v: number) => Number.isFinite(v));
  if (!finite(g.mean) || !finite(g.vectors)) throw new InputError(`${k}: mean and vectors must be finite`);
  if (!Array.prototype.every.call(g.variances, (v: number) => Number.isFinite(v) && v >= 0) || !(Number.isFinite(g.rest) && g.rest >= 0)) {
    throw new InputError(`${k}: variances and rest must be finite and >= 0`);
  }
  if (rank < d && g.rest === 0 && d > 0 && Array.prototype.every.call(g.variances, (v: number) => v === 0)) {
    throw new InputError(`${k}: the Gaussian has no variance`);
  }
}

/** The mean variance per coordinate, tr(C) / d. */
export function gaussianVariance(g: GaussianSpec): number {
  const d = g.mean.length;
  let sum = (d - g.variances.length) * g.rest;
  for (let m = 0; m < g.variances.length; m++) sum += g.variances[m];
  return sum / d;
}

/** A Gaussian in WASM memory for the kernels: its GaussianConfig block and arrays. Free it when done. */
export class GaussianBlock {
  readonly block: F32Buffer;
  private readonly arrays: F32Buffer[];

  constructor(
    core: Core,
    readonly spec: GaussianSpec,
  ) {
    const d = spec.mean.length;
    checkGaussian(spec, d);
    const mean = core.f32(d, spec.mean);
    const vectors = core.f32(Math.max(1, spec.vectors.length));
    vectors.set(spec.vectors);
    const variances = core.f32(Math.max(1, spec.variances.length));
    variances.set(spec.variances);
    this.arrays = [mean, vectors, variances];
    this.block = newBlock(core, GaussianConfig, {
      dim: d,
      rank: spec.variances.length,
      rest: spec.rest,
      variance: gaussianVariance(spec),
      mean: mean.ptr,
      vectors: vectors.ptr,
      variances: variances.ptr,
    });
  }

  /** Data dimension d. */
  get dim(): number {
    return this.spec.mean.length;
  }

  get ptr(): number {
    return this.block.ptr;
  }

  free(): void {
    this.block.free();
    for (const a of this.arrays) a.free();
  }
}
