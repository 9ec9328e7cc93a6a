import { MMD_BANDWIDTHS, mmd2, type Mmd2Result } from './mmd.js';
import { checkPoints, checkSameDim, type CheckedPoints, type Points } from './points.js';

/** Options of {@link standardizedMmd2}. */
export interface StandardizedMmd2Options {
  /** RBF bandwidths in standardised units (default {@link MMD_BANDWIDTHS}). */
  bandwidths?: readonly number[];
}

/**
 * `sets` standardised by the per-coordinate mean and (population) standard deviation of `reference`:
 * y = (x - mean) / std. A coordinate that is constant in the reference keeps std 1.
 */
export function standardizeBy(reference: CheckedPoints, ...sets: CheckedPoints[]): CheckedPoints[] {
  const { rows: n, cols: d, data } = reference;
  const mean = new Float64Array(d),
    std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += data[i * d + k] / n;
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) std[k] += (data[i * d + k] - mean[k]) ** 2 / n;
  for (let k = 0; k < d; k++) std[k] = std[k] > 0 ? Math.sqrt(std[k]) : 1;
  return sets.map((p) => ({ rows: p.rows, cols: d, data: Float64Array.from(p.data, (v, i) => (v - mean[i % d]) / std[i % d]) }));
}

/**
 * Unbiased MMD^2 (see {@link mmd2}) between `samples` and `reference` after standardising both by the
 * reference's per-coordinate mean and standard deviation, with fixed RBF bandwidths (default
 * {@link MMD_BANDWIDTHS}, 0.05 to 2 standard deviations). Unlike the median heuristic, whose one
 * bandwidth grows with the spread of the data and ignores structure finer than it, the small
 * bandwidths see samples smeared between narrow modes; standardising makes the numbers comparable
 * across datasets and units. Compare with the same statistic between two independent draws of the data
 * (the floor: see {@link smearingMetrics}).
 * see: Gretton et al. 2012, eq. 3; Li, Swersky & Zemel 2015 (sums of RBF kernels over fixed bandwidths).
 */
export function standardizedMmd2(samples: Points, reference: Points, opts: StandardizedMmd2Options = {}): Mmd2Result {
  const fn = 'standardizedMmd2';
  const x = checkPoints(fn, 'samples', samples, 2);
  const y = checkPoints(fn, 'reference', reference, 2);
  checkSameDim(fn, x, y, 'samples', 'reference');
  const [xs, ys] = standardizeBy(y, x, y);
  return mmd2(xs, ys, { bandwidths: opts.bandwidths ?? MMD_BANDWIDTHS });
}
