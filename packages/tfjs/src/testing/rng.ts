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
