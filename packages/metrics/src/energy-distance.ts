import { checkPoints, checkSameDim, type Points } from './points.js';
import { sumCross, sumWithin } from './pairwise.js';

/**
 * Energy distance between the distributions of `x` (m points) and `y` (n points), same
 * dimension, m, n >= 2 (Szekely & Rizzo):
 *
 *   E = 2 E|X - Y| - E|X - X'| - E|Y - Y'|
 *
 * estimated with the cross mean over all m n pairs and unbiased U-statistics (means over i != j)
 * within each set, so it is 0 in expectation when x and y share a distribution (single values
 * can be slightly negative). |.| is the Euclidean norm; the result has the units of the
 * coordinates. It is >= 0 for distributions, and 0 only when they are equal.
 *
 * Cost: O((m + n)^2 d) time, O(1) extra memory.
 * see: Szekely & Rizzo (2013), "Energy statistics: A class of statistics based on distances",
 * J. Stat. Plan. Inference 143(8), 1249-1272.
 */
export function energyDistance(x: Points, y: Points): number {
  const fn = 'energyDistance';
  const cx = checkPoints(fn, 'x', x, 2);
  const cy = checkPoints(fn, 'y', y, 2);
  checkSameDim(fn, cx, cy);
  const m = cx.rows;
  const n = cy.rows;
  const exy = sumCross(cx, cy, Math.sqrt) / (m * n);
  const exx = (2 * sumWithin(cx, Math.sqrt)) / (m * (m - 1));
  const eyy = (2 * sumWithin(cy, Math.sqrt)) / (n * (n - 1));
  return 2 * exy - exx - eyy;
}
