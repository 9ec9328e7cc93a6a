import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import { InputError, lookup } from './errors.js';
import { expectInt, expectLength } from './validate.js';
import { DatasetId } from './generated/contract.js';

/** A built-in 2-D toy dataset. */
export interface DatasetSpec {
  /** Id of the generator in the WASM core. */
  id: number;
  /** One line for listings. */
  description: string;
  /** True for Gaussian mixtures: their exact log-density and score are available. */
  mixture: boolean;
}

/** The built-in datasets (docs/design.md, "Data sets"); all are 2-D. */
export const datasets = {
  '8gaussians': { id: DatasetId.Gaussians8, description: '8 Gaussians (std 0.35) on a circle of radius 2.83', mixture: true },
  '2spirals': { id: DatasetId.Spirals2, description: 'two interleaved spirals', mixture: false },
  checkerboard: {
    id: DatasetId.Checkerboard,
    description: 'uniform on the dark squares of a 4x4 checkerboard on [-4, 4]^2',
    mixture: false,
  },
  moons: { id: DatasetId.Moons, description: 'two interleaving half circles', mixture: false },
  circles: { id: DatasetId.Circles, description: 'two concentric noisy circles, radii 3 and 1.5', mixture: false },
  rings: { id: DatasetId.Rings, description: 'four concentric noisy rings, radii 3, 2.25, 1.5, 0.75', mixture: false },
  swissroll: { id: DatasetId.Swissroll, description: 'a 2-D swiss roll', mixture: false },
  pinwheel: { id: DatasetId.Pinwheel, description: 'five curved pinwheel arms', mixture: false },
  '25gaussians': { id: DatasetId.Gaussians25, description: '5x5 grid of tight Gaussians (std 0.018)', mixture: true },
  gmm3: { id: DatasetId.Gmm3, description: 'equal mixture of 3 Gaussians (std 0.5) at (-2,-2), (2,2), (-2,2)', mixture: true },
  'ncsn-mix': { id: DatasetId.NcsnMix, description: 'NCSN toy: 0.2 N((-5,-5), I) + 0.8 N((5,5), I)', mixture: true },
} satisfies Record<string, DatasetSpec>;

export type DatasetName = keyof typeof datasets;
export const datasetNames = Object.keys(datasets) as DatasetName[];

/**
 * Draws n points of a built-in dataset from `rng` into a new buffer [n, 2] (the caller frees it).
 * The same rng state gives the same bits in every build.
 */
export function datasetSample(core: Core, name: string, rng: Rng, n: number): F32Buffer {
  const spec = lookup<DatasetSpec>(datasets, name, 'dataset');
  expectInt('datasetSample', 'n', n, 0);
  const out = core.f32(n * 2);
  core.exports.datasetSample(spec.id, rng.ptr, out.ptr, n);
  return out;
}

/**
 * Exact log p(x) [n] and score grad_x log p(x) [n, 2] of a mixture dataset at x [n, 2]; pass the
 * outputs you want. With `noise` > 0, of the data plus N(0, noise^2 I) (the perturbed density a
 * noise-conditional model learns at that level). Throws an InputError for datasets without a closed form.
 */
export function datasetLogDensityScore(
  core: Core,
  name: string,
  x: F32Buffer,
  out: { logp?: F32Buffer; score?: F32Buffer },
  noise = 0,
): void {
  const k = 'datasetLogDensityScore';
  const spec = lookup<DatasetSpec>(datasets, name, 'dataset');
  if (!spec.mixture) {
    const exact = datasetNames.filter((d) => datasets[d].mixture).join(', ');
    throw new InputError(`${k}: dataset '${name}' has no closed-form density; datasets with one: ${exact}`);
  }
  if (x.length % 2 !== 0) throw new InputError(`${k}: x has ${x.length} floats, not [n, 2]`);
  const n = x.length / 2;
  if (out.logp) expectLength(k, 'logp', out.logp, n, 'n');
  if (out.score) expectLength(k, 'score', out.score, 2 * n, 'n*2');
  if (!(Number.isFinite(noise) && noise >= 0)) throw new InputError(`${k}: noise must be a finite number >= 0, got ${noise}`);
  core.exports.datasetLogDensityScore(spec.id, x.ptr, n, out.logp?.ptr ?? 0, out.score?.ptr ?? 0, noise);
}

/** A component of a Gaussian-mixture dataset: weight, mean and (isotropic) standard deviation. */
export interface MixtureComponent {
  weight: number;
  mean: [number, number];
  std: number;
}

/** The components of a mixture dataset (the table its samples and density come from). */
export function datasetComponents(core: Core, name: string): MixtureComponent[] {
  const spec = lookup<DatasetSpec>(datasets, name, 'dataset');
  if (!spec.mixture) throw new InputError(`datasetComponents: dataset '${name}' is not a Gaussian mixture`);
  const buf = core.f32(64 * 4);
  try {
    const k = core.exports.datasetComponents(spec.id, buf.ptr, 64);
    const v = buf.view;
    return Array.from({ length: k }, (_, c) => ({
      weight: v[4 * c],
      mean: [v[4 * c + 1], v[4 * c + 2]] as [number, number],
      std: v[4 * c + 3],
    }));
  } finally {
    buf.free();
  }
}
