import { fail } from './errors.js';
import { checkPoints, type CheckedPoints, type Points } from './points.js';

/** Default cap on the number of points {@link medianHeuristic} looks at (keeps it O(1e6) pairs). */
export const MEDIAN_HEURISTIC_MAX_POINTS = 1000;

/** Options of {@link medianHeuristic}. */
export interface MedianHeuristicOptions {
  /** Use only the first `maxPoints` points (deterministic subset). Default 1000; integer >= 2. */
  maxPoints?: number;
}

/**
 * The median heuristic bandwidth: the median Euclidean distance |p_i - p_j| over all pairs
 * i < j of the first `min(rows, maxPoints)` points (mean of the two middle values for an even
 * number of pairs). Units: the units of the coordinates. O(k^2 log k) for k points used.
 *
 * Throws a {@link MetricError} for fewer than 2 points, non-finite values, or a median of 0
 * (more than half the pairs coincide: no usable length scale).
 * see: Gretton et al. (2012), JMLR 13, sec. 8; Garreau, Jitkrittum & Kanagawa (2017), arXiv:1707.07269.
 */
export function medianHeuristic(points: Points, opts: MedianHeuristicOptions = {}): number {
  const fn = 'medianHeuristic';
  const maxPoints = opts.maxPoints ?? MEDIAN_HEURISTIC_MAX_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) fail(fn, `maxPoints must be an integer >= 2, got ${String(maxPoints)}`);
  return medianOf(fn, checkPoints(fn, 'points', points, 2), maxPoints);
}

/** {@link medianHeuristic} on already-checked points; `fn` names the caller in messages. */
export function medianOf(fn: string, p: CheckedPoints, maxPoints: number): number {
  const n = Math.min(p.rows, maxPoints);
  const d = p.cols;
  const { data } = p;
  const dist = new Float64Array((n * (n - 1)) / 2);
  let c = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let sq = 0;
      for (let k = 0; k < d; k++) {
        const t = data[i * d + k] - data[j * d + k];
        sq += t * t;
      }
      dist[c++] = sq; // sort squared distances, take sqrt of the middle ones only
    }
  }
  dist.sort(); // typed-array sort is numeric
  const m = dist.length;
  const med = m % 2 === 1 ? Math.sqrt(dist[(m - 1) / 2]) : (Math.sqrt(dist[m / 2 - 1]) + Math.sqrt(dist[m / 2])) / 2;
  if (!(med > 0)) fail(fn, `median pairwise distance is 0 (more than half of the ${n} points coincide)`);
  return med;
}
