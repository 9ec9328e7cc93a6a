import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { InputError } from './errors.js';
import { newBlock } from './config-block.js';
import { GaussianBlock, checkGaussian, gaussianVariance, type GaussianSpec } from './gaussian-skip.js';
import { MixtureConfig } from './generated/contract.js';
import { log as detLog } from './det-math.js';

/**
 * The mixture of a model with conditioning 'mixture', sum_k w_k N(mu_k, C_k), each component probabilistic PCA as
 * in {@link GaussianSpec}. Its blurred score is the model's skip term (assembly/mixture.ts).
 */
export interface MixtureSpec {
  /** The K >= 1 components. */
  components: readonly GaussianSpec[];
  /** w_k, > 0, summing to 1 (within 1e-6). */
  weights: ArrayLike<number>;
}

/** Checks a mixture's shapes and values against data dimension d (one line, InputError). */
export function checkMixture(m: MixtureSpec, d: number): void {
  const K = m.components.length;
  if (K < 1) throw new InputError('mixture: it needs at least one component');
  if (m.weights.length !== K) throw new InputError(`mixture: ${m.weights.length} weights for ${K} components`);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const w = m.weights[k];
    if (!(Number.isFinite(w) && w > 0)) throw new InputError(`mixture: weight ${k} must be finite and > 0, got ${w}`);
    sum += w;
    checkGaussian(m.components[k], d, `mixture component ${k}`);
  }
  if (!(Math.abs(sum - 1) <= 1e-6)) throw new InputError(`mixture: the weights sum to ${sum}, not 1`);
}

/** The mixture's mean sum_k w_k mu_k and its variance per coordinate, tr(Cov) / d (the network input's shift and scale). */
export function mixtureMoments(m: MixtureSpec): { mean: Float64Array; variance: number } {
  const d = m.components[0].mean.length;
  const mean = new Float64Array(d);
  m.components.forEach((c, k) => {
    for (let j = 0; j < d; j++) mean[j] += m.weights[k] * c.mean[j];
  });
  let variance = 0;
  m.components.forEach((c, k) => {
    let spread = 0;
    for (let j = 0; j < d; j++) spread += (c.mean[j] - mean[j]) ** 2;
    variance += m.weights[k] * (gaussianVariance(c) + spread / d);
  });
  return { mean, variance };
}

/** A mixture in WASM memory for the kernels: its MixtureConfig block, its components' blocks and arrays. Free it when done. */
export class MixtureBlock {
  readonly block: F32Buffer;
  private readonly components: GaussianBlock[];
  private readonly arrays: F32Buffer[];

  constructor(
    core: Core,
    readonly spec: MixtureSpec,
  ) {
    const d = spec.components[0]?.mean.length ?? 0;
    checkMixture(spec, d);
    const K = spec.components.length;
    this.components = spec.components.map((c) => new GaussianBlock(core, c));
    const { mean, variance } = mixtureMoments(spec);
    const meanBuf = core.f32(d, mean);
    const logWeights = core.f32(
      K,
      Array.from(spec.weights, (w) => detLog(w)),
    );
    const pointers = core.f32(K);
    const view = new DataView(core.exports.memory.buffer, pointers.ptr, 4 * K);
    this.components.forEach((c, k) => view.setUint32(4 * k, c.ptr, true));
    this.arrays = [meanBuf, logWeights, pointers];
    this.block = newBlock(core, MixtureConfig, {
      dim: d,
      components: K,
      variance,
      mean: meanBuf.ptr,
      logWeights: logWeights.ptr,
      gaussians: pointers.ptr,
    });
  }

  /** Data dimension d. */
  get dim(): number {
    return this.spec.components[0].mean.length;
  }

  get ptr(): number {
    return this.block.ptr;
  }

  free(): void {
    this.block.free();
    for (const a of this.arrays) a.free();
    for (const c of this.components) c.free();
  }
}
