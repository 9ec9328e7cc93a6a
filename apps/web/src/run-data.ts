/**
 * The worker's data for a run: the training points (a built-in dataset drawn exactly as the CLI draws it,
 * or drawn / loaded points), the points shown in the view, and the exact score of a mixture at the
 * model's noise level. Runs in the worker, and in Node for the tests.
 */
import { datasetLogDensityScore, datasetPoints, datasets, type Core } from '@scorefield/core-math';
import type { ImageShape, Points, ScoreModel } from '@scorefield/models';
import type { DataSource, MnistSource } from './protocol.js';
import { randomSubset } from './subsets.js';

export interface RunData {
  /** Identifies the points: a run with the same key reuses them. */
  key: string;
  name: string;
  points: Points;
  /** A built-in mixture: its exact score is known. */
  exact: boolean;
  /** Images (mnist): their shape, stored in the model as `scorefield train` stores it. */
  image?: ImageShape;
  /** A file's column names, stored in the model as `scorefield train` stores them. */
  columns?: string[];
}

/** The key of MNIST digits (image-data.ts loads them; a run with the same key reuses them). */
export function mnistKey(src: MnistSource): string {
  return `mnist:${src.imageSize}:${src.limit}`;
}

/** Held-out points for the Fisher divergence (drawn from a stream the training data never use). */
export const HELD_OUT = 1000;
export const HELD_OUT_SEED = 0x5eed_0000;

/**
 * Points of a source; a built-in dataset is drawn as `scorefield train` draws it (seeded by the training seed).
 * MNIST digits are fetched first (image-data.ts) and come in as `previous`.
 */
export function loadRunData(core: Core, src: DataSource, previous: RunData | null, run: number): RunData {
  if (src.kind === 'mnist') {
    if (previous?.key === mnistKey(src)) return previous;
    throw new Error('loadRunData: MNIST digits are fetched first (loadMnistRunData)');
  }
  if (src.kind === 'builtin') {
    const key = `builtin:${src.name}:${src.size}:${src.seed}`;
    if (previous?.key === key) return previous;
    const data = datasetPoints(core, src.name, src.seed, src.size);
    return { key, name: src.name, points: { data, rows: src.size, cols: 2 }, exact: datasets[src.name as keyof typeof datasets].mixture };
  }
  const columns = src.columns && { columns: src.columns };
  return { key: `points:${run}`, name: src.name, points: { data: src.points, rows: src.rows, cols: 2 }, exact: false, ...columns };
}

/** Points the view shows: a seeded random subset (an even stride would line up with how some datasets are drawn). */
export const SHOWN_POINTS = 2000;
export const SHOWN_SEED = 0x5eed_0001;

export function shownPoints(p: Points): Float32Array {
  return randomSubset(p, SHOWN_POINTS, SHOWN_SEED);
}

/** The noise level (standardised units) whose perturbed density the model learns: 0 for the exact objectives. */
export function modelNoise(model: ScoreModel): number {
  const loss = model.training!.loss;
  if (loss.name === 'dsm') return loss.sigma;
  if (loss.name === 'ncsn') return Math.min(...loss.sigmas);
  if (loss.name === 'continuous') return model.spec.conditioning === 'none' ? (loss.sigmaMin ?? 0.01) : model.defaultSigma;
  return 0;
}

/**
 * The exact score (data units) at points x [n, 2] of the data perturbed as the model's objective perturbs
 * them at noise level `sigma` (standardised units): x + sigma z for VE and the denoising objectives, and
 * alpha x + sigma z with alpha = sqrt(1 - sigma^2) for a VP SDE (Song et al. 2021, eq. 29), in standardised
 * coordinates. The noise in data units is taken isotropic, sigma sqrt(std_x std_y) (exact when std_x = std_y).
 */
export function exactScoreAt(core: Core, name: string, x: Float32Array, sigma: number, model: ScoreModel): Float32Array {
  const { mean, std } = model.normalization;
  const loss = model.training?.loss;
  const alpha = loss?.name === 'continuous' && loss.sde === 'vp' ? Math.sqrt(Math.max(1e-12, 1 - sigma * sigma)) : 1;
  // y = alpha x + (1 - alpha) mean + noise: p_y(y) = p_{x + noise / alpha}((y - (1 - alpha) mean) / alpha) / alpha^2.
  const shifted = alpha === 1 ? x : x.map((v, i) => (v - (1 - alpha) * mean[i % 2]) / alpha);
  return core.scope((s) => {
    const xb = s.f32(x.length, shifted),
      sb = s.f32(x.length);
    datasetLogDensityScore(core, name, xb, { score: sb }, (sigma * Math.sqrt(std[0] * std[1])) / alpha);
    return sb.toArray().map((v) => v / alpha);
  });
}

/** Held-out points of a mixture and its exact score there at the model's noise level (for the Fisher divergence). */
export interface HeldOut {
  x: Points;
  score: Float32Array;
  /** The model's noise level in data units (what the Fisher divergence is taken at). */
  noise: number;
}

export function heldOutScores(core: Core, d: RunData, model: ScoreModel): HeldOut {
  const std = model.normalization.std;
  const sigma = modelNoise(model);
  const x = datasetPoints(core, d.name, HELD_OUT_SEED + model.training!.seed, HELD_OUT);
  return {
    x: { data: x, rows: HELD_OUT, cols: 2 },
    score: exactScoreAt(core, d.name, x, sigma, model),
    noise: sigma * Math.sqrt(std[0] * std[1]),
  };
}
