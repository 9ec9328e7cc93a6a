import { energyDistance } from './energy-distance.js';
import { MMD_BANDWIDTHS, mmd2 } from './mmd.js';
import type { Points } from './points.js';
import { slicedWasserstein } from './sliced-wasserstein.js';

/** Options of {@link sampleMetrics}. */
export interface SampleMetricsOptions {
  /** Bandwidths of `mmd2Fixed`. Default {@link MMD_BANDWIDTHS}. */
  bandwidths?: readonly number[];
  /** Sliced Wasserstein projections. Default 128. */
  projections?: number;
  /** Sliced Wasserstein seed. Default 0. */
  seed?: number;
  /** Sliced Wasserstein order. Default 2. */
  p?: 1 | 2;
}

/** Result of {@link sampleMetrics}. */
export interface SampleMetricsResult {
  /** Unbiased MMD^2 with the median-heuristic RBF bandwidth. */
  mmd2Median: number;
  /** The median-heuristic bandwidth used for `mmd2Median` (coordinate units). */
  medianBandwidth: number;
  /** Unbiased MMD^2 with the fixed mixture of RBFs (`bandwidths`, default {@link MMD_BANDWIDTHS}). */
  mmd2Fixed: number;
  /** Energy distance (coordinate units). */
  energyDistance: number;
  /** Sliced Wasserstein-p distance (coordinate units). */
  slicedWasserstein: number;
}

/**
 * The standard sample-quality panel in one call: `samples` (model output, m >= 2 points) against
 * `reference` (data, n >= 2 points) of the same dimension. See {@link mmd2},
 * {@link energyDistance} and {@link slicedWasserstein}; inputs are validated by each.
 * Cost: O((m + n)^2 d (2 + B)) for B fixed bandwidths, plus the sliced Wasserstein sorts.
 */
export function sampleMetrics(samples: Points, reference: Points, opts: SampleMetricsOptions = {}): SampleMetricsResult {
  const median = mmd2(samples, reference, { bandwidths: 'median' });
  const fixed = mmd2(samples, reference, { bandwidths: opts.bandwidths ?? MMD_BANDWIDTHS });
  return {
    mmd2Median: median.value,
    medianBandwidth: median.bandwidths[0],
    mmd2Fixed: fixed.value,
    energyDistance: energyDistance(samples, reference),
    slicedWasserstein: slicedWasserstein(samples, reference, { projections: opts.projections, seed: opts.seed, p: opts.p }),
  };
}
