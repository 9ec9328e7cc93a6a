/**
 * The worker's data for a run: the training points (a built-in dataset drawn exactly as the CLI draws it,
 * or drawn / loaded points), the points shown in the view, and the exact score of a mixture at the
 * model's noise level. Runs in the worker, and in Node for the tests.
 */
import { datasetLogDensityScore, datasetSample, datasets, type Core } from '@scorefield/core-math';
import type { Points, ScoreModel } from '@scorefield/models';
import type { DataSource } from './protocol.js';

export interface RunData {
  /** Identifies the points: a run with the same key reuses them. */
  key: string;
  name: string;
  points: Points;
  /** A built-in mixture: its exact score is known. */
  exact: boolean;
}

/** Held-out points for the Fisher divergence (drawn from a stream the training data never use). */
export const HELD_OUT = 1000;
export const HELD_OUT_SEED = 0x5eed_0000;

/** Draws `n` points of a built-in dataset from the stream of `seed` (as the CLI does). */
export function builtinPoints(core: Core, name: string, seed: number, n: number): Float32Array {
  const rng = core.rng(seed);
  const buf = datasetSample(core, name, rng, n);
  const out = buf.toArray();
  buf.free();
  rng.free();
  return out;
}

/** Points of a source; a built-in dataset is drawn as `scorefield train` draws it (seeded by the training seed). */
export function loadRunData(core: Core, src: DataSource, previous: RunData | null, run: number): RunData {
  if (src.kind === 'builtin') {
    const key = `builtin:${src.name}:${src.size}:${src.seed}`;
    if (previous?.key === key) return previous;
    const data = builtinPoints(core, src.name, src.seed, src.size);
    return { key, name: src.name, points: { data, rows: src.size, cols: 2 }, exact: datasets[src.name as keyof typeof datasets].mixture };
  }
  return { key: `points:${run}`, name: src.name, points: { data: src.points, rows: src.rows, cols: 2 }, exact: false };
}

/** At most `max` points to draw (an even stride through the data). */
export function shownPoints(p: Points, max: number): Float32Array {
  const n = Math.min(p.rows, max),
    out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = Math.floor((i * p.rows) / n);
    out[2 * i] = p.data[2 * r];
    out[2 * i + 1] = p.data[2 * r + 1];
  }
  return out;
}

/** The noise level (standardised units) whose perturbed density the model learns: 0 for the exact objectives. */
export function modelNoise(model: ScoreModel): number {
  const loss = model.training!.loss;
  if (loss.name === 'dsm') return loss.sigma;
  if (loss.name === 'ncsn') return Math.min(...loss.sigmas);
  if (loss.name === 'continuous') return model.spec.conditioning === 'none' ? (loss.sigmaMin ?? 0.01) : model.defaultSigma;
  return 0;
}

/** The exact score of a mixture (plus N(0, noise^2 I)) at points [n, 2] in data units. */
export function exactScoreAt(core: Core, name: string, x: Float32Array, noise: number): Float32Array {
  const xb = core.f32(x.length, x),
    sb = core.f32(x.length);
  datasetLogDensityScore(core, name, xb, { score: sb }, noise);
  const out = sb.toArray();
  xb.free();
  sb.free();
  return out;
}

export interface ExactScores {
  /** On the view's grid. */
  grid: Float32Array;
  /** Held-out points and the exact score there (the Fisher divergence). */
  x: Points;
  score: Float32Array;
  /** Data units. */
  noise: number;
}

/** Exact score of the (noise-perturbed) mixture on the grid and at held-out points. */
export function exactScores(core: Core, d: RunData, model: ScoreModel, grid: Float32Array): ExactScores {
  const std = model.normalization.std;
  const noise = modelNoise(model) * Math.sqrt(std[0] * std[1]);
  const x = builtinPoints(core, d.name, HELD_OUT_SEED + model.training!.seed, HELD_OUT);
  return {
    grid: exactScoreAt(core, d.name, grid, noise),
    x: { data: x, rows: HELD_OUT, cols: 2 },
    score: exactScoreAt(core, d.name, x, noise),
    noise,
  };
}
