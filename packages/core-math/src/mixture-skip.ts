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

/**
 * Residual norm below which a component's eigenvector counts as inside the span of the basis found so far (its
 * length is 1): f32 rounding of vectors that share one span leaves about 1e-7, and dropping a residual this small
 * moves the score by at most about this much relative.
 */
export const BASIS_TOLERANCE = 1e-5;

/** The kernels' shared-basis form of a mixture (assembly/mixture.ts): B, each R_k, c_k, p_k and |p_k|^2. */
export interface SharedBasis {
  /** q, rows of B. */
  rank: number;
  /** B [q, d], orthonormal rows spanning every component's eigenvectors. */
  basis: Float32Array;
  /** R_k [k_k, q] per component: U_k = R_k B. */
  rotations: Float32Array[];
  /** c_k = B (mu_k - mean), [K, q]. */
  coordinates: Float32Array;
  /** p_k = (I - B^T B)(mu_k - mean), [K, d]. */
  offsets: Float32Array;
  /** |p_k|^2 [K]. */
  offsetNorms: Float32Array;
}

/**
 * The shared basis of a mixture's eigenvectors, by modified Gram-Schmidt in float64 over the components' vectors in
 * order (a second pass for each kept vector; Giraud et al. 2005, "twice is enough"), keeping a vector whose residual
 * exceeds {@link BASIS_TOLERANCE}; then each component's coordinates in it. `mean` is the f32 mean the kernel
 * subtracts. Deterministic: +, *, / and sqrt in a fixed order.
 */
export function sharedBasis(m: MixtureSpec, mean: ArrayLike<number>): SharedBasis {
  const d = mean.length;
  const rows: Float64Array[] = [];
  const orthogonalise = (v: Float64Array) => {
    for (const b of rows) {
      let t = 0;
      for (let j = 0; j < d; j++) t += b[j] * v[j];
      for (let j = 0; j < d; j++) v[j] -= t * b[j];
    }
  };
  for (const c of m.components) {
    for (let r = 0; r < c.variances.length && rows.length < d; r++) {
      const v = Float64Array.from({ length: d }, (_, j) => c.vectors[r * d + j]);
      let length = 0;
      for (let j = 0; j < d; j++) length += v[j] * v[j];
      orthogonalise(v);
      let norm = 0;
      for (let j = 0; j < d; j++) norm += v[j] * v[j];
      if (!(norm > BASIS_TOLERANCE * BASIS_TOLERANCE * length)) continue;
      orthogonalise(v);
      norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
      for (let j = 0; j < d; j++) v[j] /= norm;
      rows.push(v);
    }
  }
  const q = rows.length;
  const basis = new Float32Array(q * d);
  rows.forEach((b, i) => basis.set(b, i * d));
  const K = m.components.length;
  const coordinates = new Float32Array(K * q);
  const offsets = new Float32Array(K * d);
  const offsetNorms = new Float32Array(K);
  const rotations = m.components.map((c, k) => {
    const rank = c.variances.length;
    const R = new Float32Array(rank * q);
    for (let r = 0; r < rank; r++) {
      for (let i = 0; i < q; i++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += c.vectors[r * d + j] * basis[i * d + j];
        R[r * q + i] = t;
      }
    }
    const offset = Float64Array.from({ length: d }, (_, j) => c.mean[j] - mean[j]);
    for (let i = 0; i < q; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += basis[i * d + j] * offset[j];
      coordinates[k * q + i] = t;
      for (let j = 0; j < d; j++) offset[j] -= t * basis[i * d + j];
    }
    offsets.set(offset, k * d);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += offsets[k * d + j] * offsets[k * d + j];
    offsetNorms[k] = norm;
    return R;
  });
  return { rank: q, basis, rotations, coordinates, offsets, offsetNorms };
}

/**
 * A mixture in WASM memory for the kernels: its MixtureConfig block, its components' blocks, the shared-basis form
 * ({@link sharedBasis}) and one scratch slot per thread of the core. Free it when done.
 */
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
    const shared = sharedBasis(spec, Float32Array.from(mean));
    const q = shared.rank;
    const pointers = (ptrs: number[]) => {
      const buf = core.f32(K);
      const view = new DataView(core.exports.memory.buffer, buf.ptr, 4 * K);
      ptrs.forEach((p, k) => view.setUint32(4 * k, p, true));
      return buf;
    };
    const gaussians = pointers(this.components.map((c) => c.ptr));
    const rotations = shared.rotations.map((R) => core.f32(Math.max(1, R.length), R.length ? R : [0]));
    const rotationPointers = pointers(rotations.map((r) => r.ptr));
    const basis = core.f32(Math.max(1, q * d), q ? shared.basis : [0]);
    const coordinates = core.f32(Math.max(1, K * q), q ? shared.coordinates : [0]);
    const offsets = core.f32(K * d, shared.offsets);
    const offsetNorms = core.f32(K, shared.offsetNorms);
    // Per thread, 8 (q + 3K + 2T) bytes, T = sum_k k (assembly/mixture.ts, slotOf).
    const slots = Math.max(1, core.threads);
    const slotFloats = 2 * (q + 3 * K + 2 * spec.components.reduce((a, c) => a + c.variances.length, 0));
    const scratch = core.f32(slots * slotFloats);
    this.arrays = [meanBuf, logWeights, gaussians, ...rotations, rotationPointers, basis, coordinates, offsets, offsetNorms, scratch];
    this.block = newBlock(core, MixtureConfig, {
      dim: d,
      components: K,
      variance,
      mean: meanBuf.ptr,
      logWeights: logWeights.ptr,
      gaussians: gaussians.ptr,
      basisRank: q,
      basis: basis.ptr,
      rotations: rotationPointers.ptr,
      coordinates: coordinates.ptr,
      offsets: offsets.ptr,
      offsetNorms: offsetNorms.ptr,
      slots,
      scratch: scratch.ptr,
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
