/**
 * @scorefield/metrics: sample-quality and score-quality metrics for score-based models.
 * Two-sample distances (MMD, energy distance, sliced Wasserstein), score error (Fisher divergence),
 * mode coverage, in-mode share, smearing metrics beside their data floors, grid KL / TV, and image metrics on a
 * fixed feature map (KID, class coverage, memorisation). Pure TypeScript, no dependencies, no global randomness.
 */
export { MetricError } from './errors.js';
export type { Points } from './points.js';
export { createRng, type Rng } from './rng.js';
export { medianHeuristic, MEDIAN_HEURISTIC_MAX_POINTS, type MedianHeuristicOptions } from './median-heuristic.js';
export { mmd2, MMD_BANDWIDTHS, type Mmd2Options, type Mmd2Result } from './mmd.js';
export { energyDistance } from './energy-distance.js';
export { slicedWasserstein, type SlicedWassersteinOptions } from './sliced-wasserstein.js';
export { fisherDivergence, type FisherDivergenceResult } from './fisher-divergence.js';
export { modeFractions, type ModeFractionsOptions, type ModeFractionsResult } from './mode-fractions.js';
export { gridDivergences, type GridDivergencesResult } from './grid-divergences.js';
export { sampleMetrics, type SampleMetricsOptions, type SampleMetricsResult } from './sample-metrics.js';
export { standardizedMmd2, standardizeBy, type StandardizedMmd2Options } from './standardized-mmd.js';
export { inModeShare, type ModeComponent, type InModeShareOptions } from './in-mode-share.js';
export { smearingMetrics, type SmearingOptions, type SmearingResult, type WithFloor } from './smearing.js';
export { kid, type KidOptions, type KidResult } from './kid.js';
export { classCoverage, type ClassCoverageResult } from './class-coverage.js';
export { memorisation, type MemorisationOptions, type MemorisationResult } from './memorisation.js';
