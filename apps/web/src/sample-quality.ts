/**
 * How good the samples are, measured as `scorefield eval` measures them, each number beside its floor
 * (the same metric for a second, independent draw of the data: what perfect samples would score).
 *
 * - MMD²: unbiased, on coordinates standardised with the model's normalisation, a sum of RBF kernels with
 *   the metrics package's fixed bandwidths (0.05 to 2), against eval's reference: for a built-in dataset
 *   the 2000 fresh points `scorefield eval` draws by default (seed stream 2^31 + 0), for drawn or loaded
 *   points a seeded random subset of them (eval --data <file> uses all of them).
 * - In-mode share (mixtures): the share of samples within 2 standard deviations of a component's mean.
 */
import { datasetComponents, datasets, type Core } from '@scorefield/core-math';
import { MMD_BANDWIDTHS, mmd2 } from '@scorefield/metrics';
import { normalize, type Normalization } from '@scorefield/models';
import { builtinPoints } from './run-data.js';

/** `scorefield eval`'s held-out data: seed stream 2^31 + --seed (default 0), --n points (default 2000). */
export const EVAL_SEED = 2 ** 31;
export const EVAL_POINTS = 2000;
/** The twin draw of a built-in dataset (a stream neither training nor eval's defaults use). */
export const TWIN_SEED = 2 ** 31 + 2 ** 30;
/** Radius of a mode, in its standard deviations. */
export const MODE_RADIUS = 2;

/** What the samples are measured against. */
export type Reference = { kind: 'builtin'; name: string } | { kind: 'points'; reference: Float32Array; twin: Float32Array };

export interface SampleQuality {
  mmd: number;
  /** MMD² of the twin draw of the data. */
  floor: number;
  /** Mixtures: the in-mode share of the samples, and of the twin. */
  inMode?: number;
  inModeFloor?: number;
}

/** The in-mode share of points [n, 2] for mixture components. */
export function inModeShare(p: Float32Array, comps: { mean: [number, number]; std: number }[], radius = MODE_RADIUS): number {
  const n = p.length / 2;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const x = p[2 * i],
      y = p[2 * i + 1];
    if (comps.some((c) => (x - c.mean[0]) ** 2 + (y - c.mean[1]) ** 2 <= (radius * c.std) ** 2)) inside++;
  }
  return inside / n;
}

/** Measures `samples` [n, 2] (data units) of a model with normalisation `norm` against `ref`. */
export function sampleQuality(core: Core, samples: Float32Array, norm: Normalization, ref: Reference): SampleQuality {
  const n = samples.length / 2;
  const builtin = ref.kind === 'builtin' ? ref.name : null;
  const reference = builtin ? builtinPoints(core, builtin, EVAL_SEED, EVAL_POINTS) : (ref as { reference: Float32Array }).reference;
  const twin = builtin ? builtinPoints(core, builtin, TWIN_SEED, n) : (ref as { twin: Float32Array }).twin;
  // As eval: the model's normalize (float32), then the metrics package's mmd2.
  const std = (v: Float32Array) => ({ data: normalize(norm, v), rows: v.length / 2, cols: 2 });
  const r = std(reference);
  const mmd = (v: Float32Array) => mmd2(std(v), r, { bandwidths: [...MMD_BANDWIDTHS] }).value;
  const q: SampleQuality = { mmd: mmd(samples), floor: twin.length >= 4 ? mmd(twin) : Number.NaN };
  if (builtin && datasets[builtin as keyof typeof datasets].mixture) {
    const comps = datasetComponents(core, builtin);
    q.inMode = inModeShare(samples, comps);
    q.inModeFloor = inModeShare(twin, comps);
  }
  return q;
}
