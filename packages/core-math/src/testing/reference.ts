// Plain TypeScript (f64) reference implementations the kernels are tested against.
// Written independently of assembly/: textbook formulas, no tiling, no shared code.
import type { Core } from '../core.js';
import { GaussianBlock, type GaussianSpec } from '../gaussian-skip.js';
import { FourierBlock, type FourierSpec } from '../fourier-features.js';
import type { ModelSpec } from '../score-model.js';

/** A deterministic test PRNG (mulberry32), independent of the WASM RNG. */
export function testRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform on [lo, hi) from a test PRNG. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = testRandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** C = A B + bias, f64. */
export function refGemm(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  M: number,
  K: number,
  N: number,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) s += a[m * K + k] * b[k * N + n];
      c[m * N + n] = s;
    }
  }
  return c;
}

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));

/** Activations and their derivatives by independent closed forms. */
export const refActivations: Record<string, { f: (a: number) => number; d: ((a: number) => number)[] }> = {
  silu: {
    f: (a) => a * sigmoid(a),
    d: [
      (a) => sigmoid(a) * (1 + a * (1 - sigmoid(a))),
      (a) => {
        const s = sigmoid(a);
        return s * (1 - s) * (2 + a * (1 - 2 * s));
      },
      (a) => {
        const s = sigmoid(a);
        return s * (1 - s) * (3 * (1 - 2 * s) + a * (1 - 6 * s + 6 * s * s));
      },
    ],
  },
  softplus: {
    f: (a) => Math.log(1 + Math.exp(a)),
    d: [
      sigmoid,
      (a) => sigmoid(a) * (1 - sigmoid(a)),
      (a) => {
        const s = sigmoid(a);
        return s * (1 - s) * (1 - 2 * s);
      },
    ],
  },
  tanh: {
    f: Math.tanh,
    d: [
      (a) => 1 / Math.cosh(a) ** 2,
      (a) => (-2 * Math.tanh(a)) / Math.cosh(a) ** 2,
      (a) => (4 * Math.tanh(a) ** 2 - 2 / Math.cosh(a) ** 2) / Math.cosh(a) ** 2,
    ],
  },
  elu: {
    f: (a) => (a > 0 ? a : Math.exp(a) - 1),
    d: [(a) => (a > 0 ? 1 : Math.exp(a)), (a) => (a > 0 ? 0 : Math.exp(a)), (a) => (a > 0 ? 0 : Math.exp(a))],
  },
};

/** Reference MLP in f64 over the same parameter layout (W_l input-major, then b_l). */
export function refMlpForward(dims: number[], act: string, params: ArrayLike<number>, x: ArrayLike<number>, B: number): Float64Array {
  let h: ArrayLike<number> = x;
  let off = 0;
  const phi = refActivations[act].f;
  for (let l = 0; l < dims.length - 1; l++) {
    const I = dims[l],
      O = dims[l + 1];
    const w = Array.from({ length: I * O }, (_, i) => params[off + i]);
    const b = Array.from({ length: O }, (_, i) => params[off + I * O + i]);
    off += I * O + O;
    const a = refGemm(h, w, b, B, I, O);
    h = l === dims.length - 2 ? a : a.map(phi);
  }
  return Float64Array.from(h);
}

/** Central finite difference of f at p along coordinate i, in f64. */
export function finiteDifference(f: (p: Float64Array) => number, p: Float64Array, i: number, h = 1e-5): number {
  const q = Float64Array.from(p);
  q[i] = p[i] + h;
  const up = f(q);
  q[i] = p[i] - h;
  return (up - f(q)) / (2 * h);
}

/** max |a - b| / max(|b|, floor): the relative error the tests bound. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return e;
}

/** Bitwise equality of two f32 arrays. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length),
    ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}

/** max |a - b| / max |b|: the norm-wise relative error, right for sums with cancellation (matrix products). */
export function normRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let e = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return e / Math.max(scale, 1e-30);
}

/** SplitMix64 at a position, in BigInt: an independent reference of the WASM stream. */
export function referenceBits(seed: bigint, counter: bigint): bigint {
  const M = (1n << 64n) - 1n;
  const mix = (z: bigint) => {
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  return mix((mix(seed) + (counter + 1n) * 0x9e3779b97f4a7c15n) & M);
}

/** The WASM stream's uniform and normal draws, reimplemented from the spec on {@link referenceBits}. */
export class ReferenceStream {
  private counter = 0n;
  constructor(private readonly seed: bigint) {}

  private bits(): bigint {
    return referenceBits(this.seed, this.counter++);
  }

  /** Moves the stream position forward by n draws. */
  skip(n: number): this {
    this.counter += BigInt(n);
    return this;
  }

  /** The raw 64 bits of the next draw. */
  u64(): bigint {
    return this.bits();
  }

  /** +1 or -1 from the top bit. */
  rademacher(): number {
    return this.bits() >> 63n ? 1 : -1;
  }

  /** U[0, 1) with 53 bits. */
  uniform(): number {
    return Number(this.bits() >> 11n) * 2 ** -53;
  }

  /** Box-Muller, cosine branch, one 64-bit draw. */
  normal(): number {
    const b = this.bits();
    const u1 = (Number(b >> 32n) + 1) * 2 ** -32,
      u2 = Number(b & 0xffffffffn) * 2 ** -32;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/**
 * Reference jet of the MLP in f64, forward mode by the textbook rules, over the row layout of the
 * jet kernels: B primal rows, B*k tangent rows (b*k + j), then (order 2) B*k second-order rows.
 */
export function refMlpJet(
  dims: number[],
  act: string,
  params: ArrayLike<number>,
  X: ArrayLike<number>,
  B: number,
  k: number,
  order: 1 | 2,
): Float64Array {
  const R = B * (1 + order * k);
  const { f, d } = refActivations[act];
  let h = Float64Array.from(X);
  let off = 0;
  for (let l = 0; l < dims.length - 1; l++) {
    const I = dims[l],
      O = dims[l + 1];
    const a = new Float64Array(R * O);
    for (let r = 0; r < R; r++) {
      for (let o = 0; o < O; o++) {
        let s = r < B ? params[off + I * O + o] : 0;
        for (let i = 0; i < I; i++) s += h[r * I + i] * params[off + i * O + o];
        a[r * O + o] = s;
      }
    }
    off += I * O + O;
    if (l === dims.length - 2) return a;
    const next = new Float64Array(R * O);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        const a0 = a[b * O + o];
        next[b * O + o] = f(a0);
        for (let j = 0; j < k; j++) {
          const t = (B + b * k + j) * O + o,
            s = (B + B * k + b * k + j) * O + o;
          next[t] = d[0](a0) * a[t];
          if (order === 2) next[s] = d[1](a0) * a[t] * a[t] + d[0](a0) * a[s];
        }
      }
    }
    h = next;
  }
  return h;
}

/**
 * A Gaussian for conditioning 'gaussian' in d dimensions (the same as @scorefield/tfjs's testing one): probabilistic
 * PCA of rank min(d - 1, 2), so the rest variance counts: U rows (0.6, 0.8, 0, ...) and e_2, lambda 2.5 and 0.7,
 * rest 0.4, mean 0.3 - 0.1 j.
 */
export function testGaussian(d: number): GaussianSpec {
  const k = Math.min(d - 1, 2);
  const vectors = new Float32Array(k * d);
  if (k > 0) vectors.set(d > 1 ? [0.6, 0.8] : [1]);
  if (k > 1) vectors[d + 2] = 1;
  return {
    mean: Float32Array.from({ length: d }, (_, j) => 0.3 - 0.1 * j),
    vectors,
    variances: Float32Array.from([2.5, 0.7].slice(0, k)),
    rest: 0.4,
  };
}

/**
 * Frequencies for conditioning 'fourier' in d dimensions (the same as @scorefield/tfjs's testing ones): m = 3 rows (2-D input
 * rows of d + 6 + 7 floats, a SIMD remainder), B_ij = 1.5 sin(1.7 (i d + j) + 0.3), of either sign and up to 1.5 cycles per unit.
 */
export function testFourier(d: number, m = 3): FourierSpec {
  return { frequencies: Float32Array.from({ length: m * d }, (_, k) => 1.5 * Math.sin(1.7 * k + 0.3)) };
}

/**
 * The spec with its conditioning's block in `core`'s memory: the test Gaussian for 'gaussian', the test frequencies for
 * 'fourier'; else the spec.
 */
export function withConditioning(core: Core, spec: ModelSpec, d: number): ModelSpec {
  if (spec.conditioning === 'gaussian') return { ...spec, gaussian: new GaussianBlock(core, testGaussian(d)) };
  return spec.conditioning === 'fourier' ? { ...spec, fourier: new FourierBlock(core, testFourier(d), d) } : spec;
}
