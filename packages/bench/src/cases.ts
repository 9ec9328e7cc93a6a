/** The benchmark cases: objectives x parametrizations, network widths, batches, and the toy data. */
import { sigmaSchedule, type ObjectiveSpec, type Conditioning } from '@scorefield/core-math';
import * as detMath from '@scorefield/core-math/det-math';

export type Kind = 'score' | 'energy';
export const KINDS: readonly Kind[] = ['score', 'energy'];

/** One objective as each implementation names it. */
export interface ObjectiveCase {
  /** Label in the tables (and the PyTorch script's name). */
  label: string;
  /** @scorefield/core-math objective. */
  spec: ObjectiveSpec;
  conditioning: Conditioning;
  /** @scorefield/tfjs objective. */
  tfjs: 'esm' | 'ssm' | 'ssm-vr' | 'denoising';
  /** Second order in the parameters' gradient (targets: >= 2x PyTorch). */
  secondOrder: boolean;
}

export const NCSN_SIGMAS = sigmaSchedule('geometric', 1, 0.01, 10);

export const OBJECTIVES: readonly ObjectiveCase[] = [
  { label: 'esm', spec: { name: 'esm' }, conditioning: 'none', tfjs: 'esm', secondOrder: true },
  { label: 'ssm', spec: { name: 'ssm', projection: 'gaussian', slices: 1 }, conditioning: 'none', tfjs: 'ssm', secondOrder: true },
  { label: 'ssm-vr', spec: { name: 'ssm-vr', projection: 'gaussian', slices: 1 }, conditioning: 'none', tfjs: 'ssm-vr', secondOrder: true },
  { label: 'dsm', spec: { name: 'dsm', sigma: 0.1 }, conditioning: 'none', tfjs: 'denoising', secondOrder: false },
  { label: 'ncsn', spec: { name: 'ncsn', sigmas: NCSN_SIGMAS }, conditioning: 'both', tfjs: 'denoising', secondOrder: false },
  { label: 'continuous-ve', spec: { name: 'continuous', sde: 've' }, conditioning: 'both', tfjs: 'denoising', secondOrder: false },
  { label: 'continuous-vp', spec: { name: 'continuous', sde: 'vp' }, conditioning: 'both', tfjs: 'denoising', secondOrder: false },
];

export function objectiveCase(label: string): ObjectiveCase {
  const o = OBJECTIVES.find((c) => c.label === label);
  if (!o) throw new Error(`unknown objective '${label}'`);
  return o;
}

/** Every energy-model objective differentiates the network twice (s = -grad E inside the loss). */
export function isSecondOrder(objective: string, kind: Kind): boolean {
  return kind === 'energy' || objectiveCase(objective).secondOrder;
}

/** A training configuration: MLP d-width-width-width-out, batch. */
export interface TrainConfig {
  objective: string;
  kind: Kind;
  d: number;
  width: number;
  batch: number;
}

export function configKey(c: TrainConfig): string {
  return `${c.objective}/${c.kind}/d${c.d}/w${c.width}/b${c.batch}`;
}

/** Seeded uniform [0, 1) (mulberry32): the benchmark's data must not depend on Math.random. */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals from a uniform source (Box-Muller). */
export function normals(u: () => number, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * detMath.log(1 - u())),
      t = 2 * Math.PI * u();
    out[i] = r * detMath.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * detMath.sin(t);
  }
  return out;
}

/** n toy points of dimension d: a three-component Gaussian mixture for d = 2 (as the PyTorch script), N(0, I) otherwise. */
export function toyData(n: number, d: number, seed = 1): Float32Array {
  const u = uniform(seed),
    out = normals(u, new Float32Array(n * d));
  if (d !== 2) return out;
  const centers = [
    [-2, 0],
    [2, 0],
    [0, 2.5],
  ];
  for (let i = 0; i < n; i++) {
    const c = centers[Math.min(2, Math.floor(u() * 3))];
    out[2 * i] = c[0] + 0.5 * out[2 * i];
    out[2 * i + 1] = c[1] + 0.5 * out[2 * i + 1];
  }
  return out;
}
