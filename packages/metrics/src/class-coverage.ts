import { fail } from './errors.js';
import { checkPoints, type Points } from './points.js';

/** Result of {@link classCoverage}. */
export interface ClassCoverageResult {
  /** Share of the samples whose most probable class is c (ties go to the lower class), for each class c; sums to 1. */
  fractions: Float64Array;
  /** The smallest of `fractions`: 0 when a class is never the top class. */
  minFraction: number;
  /** Mean over the samples of the largest class probability: how confidently the classifier recognises them. */
  meanTopProbability: number;
}

/** How far a row of probabilities may sum from 1 (float32 softmax outputs are within about 1e-6). */
const SUM_TOLERANCE = 1e-4;

/**
 * Class coverage of generated samples, read through a fixed classifier: its class probabilities for n samples,
 * `[n, K]` (each row in [0, 1], summing to 1). A model that drops classes (mode collapse) has fractions near 0
 * for them; one whose samples are not recognisable has a low mean top-class probability (1 / K at worst). Compare
 * both with the same figures for real held-out data, which set what a perfect model reaches.
 * O(n K).
 * @throws {MetricError} for a bad shape, a value outside [0, 1], or a row that does not sum to 1 (within 1e-4)
 */
export function classCoverage(probabilities: Points): ClassCoverageResult {
  const fn = 'classCoverage';
  const { data, rows: n, cols: classes } = checkPoints(fn, 'probabilities', probabilities, 1);
  const counts = new Float64Array(classes);
  let top = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const p = data[i * classes + c];
      if (p < 0 || p > 1) fail(fn, `probabilities has ${p} at sample ${i}, class ${c}, outside [0, 1]`);
      sum += p;
      if (p > data[i * classes + best]) best = c;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) fail(fn, `probabilities of sample ${i} sum to ${sum}, not 1`);
    counts[best]++;
    top += data[i * classes + best];
  }
  const fractions = counts.map((c) => c / n);
  return { fractions, minFraction: Math.min(...fractions), meanTopProbability: top / n };
}
