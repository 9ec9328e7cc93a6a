/** Seeded random numbers for tests (mulberry32 + Box-Muller). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  uniform(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  normals(n: number, scale = 1): Float32Array {
    return Float32Array.from({ length: n }, () => scale * this.normal());
  }
  uniforms(n: number, lo: number, hi: number): Float32Array {
    return Float32Array.from({ length: n }, () => lo + (hi - lo) * this.uniform());
  }
}

/** Random MLP parameters: W ~ N(0, gain^2 / fan_in), b ~ N(0, biasScale^2), in the flat layout. */
export function randomParams(dims: readonly number[], rng: Rng, gain = 1.2, biasScale = 0.3): Float32Array {
  const out: number[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const I = dims[l]!,
      O = dims[l + 1]!;
    for (let k = 0; k < I * O; k++) out.push((gain / Math.sqrt(I)) * rng.normal());
    for (let k = 0; k < O; k++) out.push(biasScale * rng.normal());
  }
  return Float32Array.from(out);
}

/**
 * A Gaussian for conditioning 'gaussian' in d dimensions, probabilistic PCA of rank min(d - 1, 2) (so the rest
 * variance is used): mean 0.3 - 0.1 j, U rows orthonormal (rotations of unit vectors), lambda 2.5, 0.7, rest 0.4.
 */
export function testGaussian(d: number): { mean: Float32Array; vectors: Float32Array; variances: Float32Array; rest: number } {
  const k = Math.min(d - 1, 2);
  const vectors = new Float32Array(k * d);
  for (let m = 0; m < k; m++) {
    // u_m = cos(t) e_m + sin(t) e_{m+1} with t chosen so the rows stay orthonormal: row 0 along (0.6, 0.8), row 1 on e_2.
    if (m === 0) {
      vectors[0] = 0.6;
      vectors[1] = 0.8;
    } else vectors[m * d + m + 1] = 1;
  }
  return {
    mean: Float32Array.from({ length: d }, (_, j) => 0.3 - 0.1 * j),
    vectors,
    variances: Float32Array.from([2.5, 0.7].slice(0, k)),
    rest: 0.4,
  };
}

/**
 * A mixture for conditioning 'mixture' in d dimensions (the same as core-math's testing one): the test Gaussian (weight
 * 0.5), the same shifted by +1.2 with variances halved (0.3), and an isotropic component N(-0.8, 0.5 I) of rank 0 (0.2).
 */
export function testMixture(d: number): { components: ReturnType<typeof testGaussian>[]; weights: number[] } {
  const a = testGaussian(d);
  const b = { ...a, mean: Float32Array.from(a.mean, (v) => v + 1.2), variances: Float32Array.from(a.variances, (v) => v / 2), rest: 0.3 };
  const c = { mean: new Float32Array(d).fill(-0.8), vectors: new Float32Array(0), variances: new Float32Array(0), rest: 0.5 };
  return { components: [a, b, c], weights: [0.5, 0.3, 0.2] };
}

/**
 * Frequencies for conditioning 'fourier' in d dimensions (the same as core-math's testing ones): m = 3 rows,
 * B_ij = 1.5 sin(1.7 (i d + j) + 0.3).
 */
export function testFourier(d: number, m = 3): { frequencies: Float32Array } {
  return { frequencies: Float32Array.from({ length: m * d }, (_, k) => 1.5 * Math.sin(1.7 * k + 0.3)) };
}
