import { InputError, sigmaSchedule, type ObjectiveSpec } from '@scorefield/core-math';
import type { Points } from './points.js';
import * as detMath from '@scorefield/core-math/det-math';

/**
 * Noise levels chosen from the data, in standardised units (Song & Ermon 2020, "Improved Techniques for
 * Training Score-Based Generative Models", techniques 1 and 2, measured and adapted to low-dimensional
 * data: see docs/results/README.md, "Defaults").
 */

/** Scales of the (standardised) training data that set the noise levels. */
export interface DataScales {
  /** Largest pairwise distance on the subsample (technique 1: sigma_1). */
  maxDistance: number;
  /** Median distance from a point to its nearest neighbour on the subsample (the finest scale it resolves). */
  nearestNeighbour: number;
  /** Points the scales were measured on. */
  subsample: number;
}

/** Points the scales are measured on: an even stride through the data (deterministic, no stream). */
export const SCALES_SUBSAMPLE = 1000;

/**
 * The largest pairwise distance and the median nearest-neighbour distance of `points` (standardised
 * units), on an even stride of at most {@link SCALES_SUBSAMPLE} points. Duplicate points are skipped for
 * the nearest neighbour (discrete data would otherwise give 0). O(m^2 d) for m subsampled points.
 */
export function dataScales(points: Points, maxPoints = SCALES_SUBSAMPLE): DataScales {
  const d = points.cols,
    m = Math.min(points.rows, maxPoints);
  const rows = Array.from({ length: m }, (_, i) => Math.floor((i * points.rows) / m));
  const x = new Float64Array(m * d);
  rows.forEach((r, i) => {
    for (let k = 0; k < d; k++) x[i * d + k] = points.data[r * d + k];
  });
  let max = 0;
  const nearest: number[] = [];
  for (let i = 0; i < m; i++) {
    let best = Infinity;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      let s = 0;
      for (let k = 0; k < d; k++) s += (x[i * d + k] - x[j * d + k]) ** 2;
      if (s > max) max = s;
      if (s > 0 && s < best) best = s;
    }
    if (best < Infinity) nearest.push(Math.sqrt(best));
  }
  nearest.sort((a, b) => a - b);
  return { maxDistance: Math.sqrt(max), nearestNeighbour: nearest.length ? nearest[nearest.length >> 1] : 0, subsample: m };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2,
    t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * detMath.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * erf);
}

/**
 * Technique 2's ratio gamma = sigma_{i-1} / sigma_i for data dimension D: the root of
 * Phi(sqrt(2D)(gamma - 1) + 3 gamma) - Phi(sqrt(2D)(gamma - 1) - 3 gamma) = 0.5, or undefined when there
 * is none with gamma > 1 (D <= 4: at gamma = 1 the expression is 0.997, and for sqrt(2D) <= 3 it only
 * grows with gamma). see: Song & Ermon 2020, section 4.2, technique 2.
 */
export function techniqueTwoRatio(dim: number): number | undefined {
  const h = (g: number) => normalCdf(Math.sqrt(2 * dim) * (g - 1) + 3 * g) - normalCdf(Math.sqrt(2 * dim) * (g - 1) - 3 * g);
  if (Math.sqrt(2 * dim) <= 3) return undefined;
  // h decreases from 0.997 at gamma = 1 towards 0; bisect on a bracket that contains the root.
  let lo = 1,
    hi = 2;
  while (h(hi) > 0.5) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (h(mid) > 0.5) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The ratio between neighbouring levels where technique 2 gives none or a larger one (D <= 20 or so):
 * measured on 2-D data with annealed Langevin (docs/results, "Defaults"), where the chain's within-level
 * relaxation, not the overlap of the noise shells, sets the error.
 */
export const LOW_DIM_RATIO = 1.5;

/** sigma_L as a multiple of the median nearest-neighbour distance (measured; docs/results, "Defaults"). */
export const SIGMA_MIN_FACTOR = 4;

/**
 * sigma_L per coordinate as a multiple of the nearest-neighbour distance per coordinate (NN / sqrt(d)) where
 * technique 2 has a root (d >= 5): the noise sigma z moves a point by sigma sqrt(d), and in high dimensions the
 * nearest neighbour is far (MNIST: 5.6 pixel units at 28x28, where NCSN's sigma_L is 0.01), so the 2-D rule
 * would blur every image beyond recognition. 0.1 x NN / sqrt(d) gives 0.02 pixel units on MNIST at 28x28 and
 * 0.015 at 14x14, the order of NCSN's 0.01 (Song & Ermon 2019, 2020).
 */
export const HIGH_DIM_SIGMA_MIN_FACTOR = 0.1;

/** sigma_L for a nearest-neighbour distance in dimension `dim`: {@link SIGMA_MIN_FACTOR} x NN up to d = 4, else 0.1 NN / sqrt(d). */
export function sigmaMinOf(nearestNeighbour: number, dim: number): number {
  return techniqueTwoRatio(dim) === undefined
    ? SIGMA_MIN_FACTOR * nearestNeighbour
    : (HIGH_DIM_SIGMA_MIN_FACTOR * nearestNeighbour) / Math.sqrt(dim);
}

/** A geometric noise ladder: its ends, ratio and number of levels. */
export interface NoiseLadder {
  sigmaMax: number;
  sigmaMin: number;
  ratio: number;
  levels: number;
}

/**
 * The noise ladder of data with these scales in dimension `dim`: sigma_1 the largest pairwise distance
 * (technique 1), sigma_L = {@link sigmaMinOf} the nearest-neighbour distance, and geometric
 * levels with technique 2's ratio, at most {@link LOW_DIM_RATIO}. Degenerate data (every point the same)
 * get the fixed ladder 1 -> 0.01 with the same ratio.
 */
export function noiseLadder(scales: DataScales, dim: number): NoiseLadder {
  const ratioCap = Math.min(LOW_DIM_RATIO, techniqueTwoRatio(dim) ?? Infinity);
  let sigmaMax = scales.maxDistance,
    sigmaMin = sigmaMinOf(scales.nearestNeighbour, dim);
  if (!(sigmaMax > 0 && sigmaMin > 0)) [sigmaMax, sigmaMin] = [1, 0.01];
  // At least two levels, and never more than 1e4 between the ends.
  sigmaMin = Math.min(Math.max(sigmaMin, sigmaMax * 1e-4), sigmaMax / ratioCap);
  const levels = 1 + Math.ceil(detMath.log(sigmaMax / sigmaMin) / detMath.log(ratioCap) - 1e-9);
  return { sigmaMax, sigmaMin, levels, ratio: detMath.pow(sigmaMax / sigmaMin, 1 / (levels - 1)) };
}

/** The levels sigma_1 > ... > sigma_L of a ladder. */
export function ladderSigmas(l: NoiseLadder): number[] {
  return sigmaSchedule('geometric', l.sigmaMax, l.sigmaMin, l.levels);
}

/**
 * An objective whose noise levels may be left out: they are then chosen from the data ({@link resolveObjective}).
 */
export type ObjectiveRequest =
  | Exclude<ObjectiveSpec, { name: 'dsm' } | { name: 'ncsn' } | { name: 'continuous' }>
  | { name: 'dsm'; sigma?: number }
  | { name: 'ncsn'; sigmas?: number[] }
  | {
      name: 'continuous';
      sde?: 've' | 'vp';
      sigmaMin?: number;
      sigmaMax?: number;
      betaMin?: number;
      betaMax?: number;
      eps?: number;
    };

/**
 * Where noise levels left out of an objective come from: `data` (the ladder of {@link noiseLadder}) or
 * `fixed` (the defaults before data-driven levels: ncsn 10 geometric levels 1 -> 0.01, dsm 0.1, the
 * VE SDE's 5 -> 0.01, all standardised).
 */
export type NoiseLevelSource = 'data' | 'fixed';

/** The fixed noise levels ({@link NoiseLevelSource} `fixed`). */
export const fixedNoiseLevels = { sigmas: sigmaSchedule('geometric', 1, 0.01, 10), dsmSigma: 0.1 };

/**
 * The objective with every noise level filled in: given values are kept; missing ones come from the data's
 * ladder (or the fixed levels). ncsn: the ladder; continuous VE: sigma_max and sigma_min of the ladder
 * (VP keeps its beta schedule, which already spans the standardised data); dsm: sigma_L of the ladder.
 */
export function resolveObjective(request: ObjectiveRequest, ladder: NoiseLadder | undefined, source: NoiseLevelSource): ObjectiveSpec {
  if (source !== 'data' && source !== 'fixed') throw new InputError(`train: unknown noise-level source '${source}'; valid: data, fixed`);
  const fromData = source === 'data' && ladder !== undefined;
  switch (request.name) {
    case 'ncsn':
      return { ...request, sigmas: request.sigmas ?? (fromData ? ladderSigmas(ladder) : fixedNoiseLevels.sigmas) };
    case 'dsm':
      return { ...request, sigma: request.sigma ?? (fromData ? ladder.sigmaMin : fixedNoiseLevels.dsmSigma) };
    case 'continuous': {
      const sde = request.sde ?? 've';
      if (sde !== 've' || !fromData) return { ...request, sde };
      return { ...request, sde, sigmaMax: request.sigmaMax ?? ladder.sigmaMax, sigmaMin: request.sigmaMin ?? ladder.sigmaMin };
    }
    default:
      return request;
  }
}
