import { fail } from './errors.js';
import { MEDIAN_HEURISTIC_MAX_POINTS, medianOf } from './median-heuristic.js';
import { checkPoints, checkSameDim, type CheckedPoints, type Points } from './points.js';
import { rbfMixtureSum } from './pairwise.js';

/**
 * A fixed set of RBF bandwidths for standardised 2-D toy data (each coordinate with mean 0 and
 * standard deviation 1, so typical pairwise distances are about 2): from 0.05, which resolves narrow
 * modes and thin rings a few hundredths wide, up to 2, which sees the global location and scale.
 * Roughly log-spaced (factor 2 to 2.5). Use it as `mmd2(x, y, { bandwidths: MMD_BANDWIDTHS })`
 * to compare models on one fixed scale (the median heuristic adapts to each pair of sets and
 * ignores fine structure). For other scales, rescale the data or pass your own set.
 */
export const MMD_BANDWIDTHS: readonly number[] = Object.freeze([0.05, 0.1, 0.2, 0.5, 1, 2]);

/** Options of {@link mmd2}. */
export interface Mmd2Options {
  /**
   * RBF bandwidths h (same units as the coordinates; each finite and > 0). Several bandwidths make
   * the kernel their sum. `'median'` (default): one bandwidth, the median pairwise distance of the
   * pooled sample, computed on at most 1000 pooled points (see {@link mmd2}).
   */
  bandwidths?: readonly number[] | 'median';
}

/** Result of {@link mmd2}. */
export interface Mmd2Result {
  /** The unbiased MMD^2 estimate; dimensionless (kernel units), can be slightly negative. */
  value: number;
  /** The bandwidths used (the computed median for `'median'`). */
  bandwidths: number[];
}

/**
 * Unbiased estimate of the squared maximum mean discrepancy between the distributions of `x`
 * (m points) and `y` (n points), same dimension, m, n >= 2 (Gretton et al. 2012, eq. 3):
 *
 *   MMD_u^2 = 1/(m(m-1)) sum_{i!=j} k(x_i,x_j) + 1/(n(n-1)) sum_{i!=j} k(y_i,y_j) - 2/(mn) sum_{i,j} k(x_i,y_j)
 *
 * with the kernel k(a, b) = sum_h exp(-|a - b|^2 / (2 h^2)) (a mixture of Gaussian RBFs; with a
 * single bandwidth k(a, a) = 1). The estimate is 0 in expectation when x and y come from the same
 * distribution, so single values may be negative.
 *
 * With `bandwidths: 'median'` (default) h is the median pairwise distance of the pooled sample
 * restricted to a deterministic subset of at most 1000 points: the first points of x and of y in
 * proportion to m and n (so both sets are represented).
 *
 * Cost: O((m + n)^2 d B) time for B bandwidths, O(1) extra memory (plus O(1000^2) for the median).
 * see: Gretton, Borgwardt, Rasch, Schoelkopf & Smola (2012), "A Kernel Two-Sample Test", JMLR 13, 723-773.
 */
export function mmd2(x: Points, y: Points, opts: Mmd2Options = {}): Mmd2Result {
  const fn = 'mmd2';
  const cx = checkPoints(fn, 'x', x, 2);
  const cy = checkPoints(fn, 'y', y, 2);
  checkSameDim(fn, cx, cy);
  const spec = opts.bandwidths ?? 'median';
  let hs: number[];
  if (spec === 'median') {
    hs = [medianOf(fn, pooledHead(cx, cy, MEDIAN_HEURISTIC_MAX_POINTS), MEDIAN_HEURISTIC_MAX_POINTS)];
  } else {
    if (!Array.isArray(spec) || spec.length === 0) fail(fn, `bandwidths must be 'median' or a non-empty array of positive numbers`);
    spec.forEach((h, i) => {
      if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0)
        fail(fn, `bandwidths[${i}] must be a finite number > 0, got ${String(h)}`);
    });
    hs = [...spec];
  }
  return { value: mmd2Checked(cx, cy, hs), bandwidths: hs };
}

/** The estimator on checked inputs with explicit bandwidths. */
function mmd2Checked(x: CheckedPoints, y: CheckedPoints, hs: readonly number[]): number {
  const m = x.rows;
  const n = y.rows;
  const c = Float64Array.from(hs, (h) => -1 / (2 * h * h)); // k = sum_h exp(c_h |a - b|^2)
  // within-set sums run over i < j; the i != j sums are twice that
  const kxx = (2 * rbfMixtureSum(x, null, c)) / (m * (m - 1));
  const kyy = (2 * rbfMixtureSum(y, null, c)) / (n * (n - 1));
  const kxy = rbfMixtureSum(x, y, c) / (m * n);
  return kxx + kyy - 2 * kxy;
}

/**
 * The first points of x and y, at most `cap` in all, split in proportion to their sizes (at least
 * one from each): the deterministic pooled subset for the median heuristic.
 */
export function pooledHead(x: CheckedPoints, y: CheckedPoints, cap: number): CheckedPoints {
  const total = x.rows + y.rows;
  let kx = x.rows;
  let ky = y.rows;
  if (total > cap) {
    kx = Math.min(x.rows, Math.max(1, Math.min(cap - 1, Math.round((cap * x.rows) / total))));
    ky = Math.min(y.rows, cap - kx);
    kx = Math.min(x.rows, cap - ky); // hand back any rounding slack
  }
  const d = x.cols;
  const data = new Float64Array((kx + ky) * d);
  data.set(x.data.subarray(0, kx * d), 0);
  data.set(y.data.subarray(0, ky * d), kx * d);
  return { data, rows: kx + ky, cols: d };
}
