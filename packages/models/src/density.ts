import { InputError } from '@scorefield/core-math';
import type { ScoreModel } from './model.js';
import { normalize } from './normalization.js';
import { checkPoints, type Points } from './points.js';
import { logLikelihood } from './samplers/ode.js';
import { sdeOf } from './sde.js';
import * as detMath from '@scorefield/core-math/det-math';

/**
 * Where an energy model's density exp(-E(x; sigma)) is read. A noise-conditional energy model trained by
 * denoising score matching fixes, at a small sigma, only the shape of E inside each mode: the offsets
 * between modes that do not overlap at that sigma are not determined (a gmm3 model whose samples split
 * 0.34 / 0.34 / 0.32 read 0.00 / 0.60 / 0.40 at its smallest level). At a large sigma the offsets are
 * determined but the density is blurred. The level to read is the one whose density best predicts
 * held-out data: the largest mean log-likelihood, normalised on a grid.
 */

/** Grid cells per side for 2-D normalisation. */
export const DENSITY_GRID = 160;

/** A box in data units, [lo, hi] per coordinate. */
export type Box = [number, number][];

/**
 * A box around `points` that holds a density blurred by sigma (standardised units) as well: the points'
 * range, widened by 10% of it and by 4 sigma std on each side.
 */
export function densityBox(model: ScoreModel, points: Points, sigma: number): Box {
  const d = points.cols;
  return Array.from({ length: d }, (_, k) => {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < points.rows; i++) {
      const v = points.data[i * d + k];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const pad = 0.1 * (hi - lo) + 4 * sigma * model.normalization.std[k];
    return [lo - pad, hi + pad] as [number, number];
  });
}

/**
 * Mean log-likelihood (nats per point, data units) of `points` under an energy model's density at noise
 * level sigma, exp(-E(x; sigma)) normalised by a midpoint sum over a grid of `cells` x `cells` on `box`
 * (2-D models; mass outside the box is not counted).
 */
export function gridLogLikelihood(model: ScoreModel, points: Points, sigma: number, box: Box, cells = DENSITY_GRID): number {
  if (model.spec.kind !== 'energy') throw new InputError('density: a score model has no energy to normalise; train an energy model');
  if (model.dim !== 2) throw new InputError(`density: grid normalisation needs a 2-D model, this one has dimension ${model.dim}`);
  checkPoints(points, 'density points');
  const [[x0, x1], [y0, y1]] = box;
  const dx = (x1 - x0) / cells,
    dy = (y1 - y0) / cells;
  const grid = new Float64Array(2 * cells * cells);
  for (let j = 0; j < cells; j++)
    for (let i = 0; i < cells; i++) {
      grid[2 * (j * cells + i)] = x0 + (i + 0.5) * dx;
      grid[2 * (j * cells + i) + 1] = y0 + (j + 0.5) * dy;
    }
  const e = model.energy({ data: grid, rows: cells * cells, cols: 2 }, sigma);
  let min = Infinity;
  for (const v of e) min = Math.min(min, v);
  let z = 0;
  for (const v of e) z += detMath.exp(min - v);
  const logZ = detMath.log(z * dx * dy) - min;
  const at = model.energy(points, sigma);
  let sum = 0;
  for (const v of at) sum += -v - logZ;
  return sum / points.rows;
}

/** The held-out log-likelihood of one level. */
export interface LevelFit {
  sigma: number;
  /** Mean log-likelihood of the held-out points, nats per point, data units. */
  logLikelihood: number;
}

/**
 * The noise level at which a 2-D noise-conditional energy model's density best predicts `heldOut` (data
 * units), with the fit of every level; each level is normalised on its own {@link densityBox}.
 */
export function validatedDensityLevel(
  model: ScoreModel,
  heldOut: Points,
  sigmas: readonly number[],
): { best: LevelFit; levels: LevelFit[] } {
  const levels = sigmas.map((sigma) => ({
    sigma,
    logLikelihood: gridLogLikelihood(model, heldOut, sigma, densityBox(model, heldOut, sigma)),
  }));
  const best = levels.reduce((a, b) => (b.logLikelihood > a.logLikelihood ? b : a));
  return { best, levels };
}

/** The probability-flow log-likelihood of points, in data units. */
export interface OdeLikelihood {
  /** log p(x) of each point, nats, data units (the standardisation's -sum log std included). */
  perPoint: Float64Array;
  /** Their mean, nats per point. */
  nats: number;
  /** -nats / (d ln 2): bits per dimension. */
  bitsPerDim: number;
  /** The noise level of the density it is (the SDE's at t = eps), standardised units. */
  sigma: number;
}

/**
 * log p(x) of a continuous-time model at points in data units: the probability-flow ODE likelihood of the
 * standardised points ({@link logLikelihood}) minus sum_k log std_k, the log-Jacobian of y = (x - mean) / std.
 */
export function odeLogLikelihood(
  model: ScoreModel,
  points: Points,
  o: { rtol?: number; atol?: number; maxSteps?: number; seed?: number } = {},
): OdeLikelihood {
  checkPoints(points, 'likelihood points');
  if (points.cols !== model.dim) throw new InputError(`likelihood: points have dimension ${points.cols}, the model ${model.dim}`);
  const sde = sdeOf(model.training?.loss);
  const { logp } = logLikelihood(model, sde, normalize(model.normalization, points.data), {
    rtol: o.rtol ?? 1e-5,
    atol: o.atol ?? 1e-5,
    maxSteps: o.maxSteps ?? 20_000,
    seed: o.seed ?? 0,
  });
  const logStd = model.normalization.std.reduce((a, s) => a + detMath.log(s), 0);
  const perPoint = logp.map((v) => v - logStd);
  const nats = perPoint.reduce((a, b) => a + b, 0) / perPoint.length;
  return { perPoint, nats, bitsPerDim: -nats / (model.dim * Math.LN2), sigma: sde.sigma(sde.eps) };
}
