import { fail } from './errors.js';
import { checkPoints, checkSameDim, type CheckedPoints, type Points } from './points.js';

/** Options of {@link memorisation}. */
export interface MemorisationOptions {
  /** The held-out quantile q that defines "closer than held-out data typically are" (default 0.05, in (0, 1)). */
  quantile?: number;
}

/** Result of {@link memorisation}. */
export interface MemorisationResult {
  /** median over samples of the distance to their nearest training point / the same median over held-out points. */
  ratio: number;
  /** Share of the samples nearer to a training point than `threshold`: q in expectation without memorisation. */
  closerShare: number;
  /** The q-quantile of the held-out points' nearest-training distances. */
  threshold: number;
  /** Median nearest-training distance of the samples and of the held-out points (coordinate units). */
  sampleMedian: number;
  heldOutMedian: number;
  /** The nearest-training distance of every sample, in sample order. */
  sampleDistances: Float64Array;
}

/**
 * A memorisation check: does a model copy its training data? For each sample, the Euclidean distance to its
 * nearest training point; for each held-out point (real data the model never saw), the same distance. Held-out
 * points set the scale of "a new point from the data distribution", so two summaries compare with them:
 *
 * - `ratio` = median sample distance / median held-out distance. About 1 when samples are as new as real unseen
 *   data; towards 0 when the model reproduces its training points (exact copies give 0); above 1 when samples lie
 *   off the data (blurry or noisy images are far from every training image). The median makes it robust to a few
 *   outliers, and so blind to a model that copies only a minority of its samples; hence
 * - `closerShare` = share of samples nearer to a training point than the held-out q-quantile (q = 0.05 by
 *   default): q in expectation when samples behave like held-out data, and it rises by the share of copies (a
 *   model that copies 30% of its samples gives about 0.3 + 0.7 q).
 *
 * Distances are in whatever space the points are (pixels, or classifier features). Exact nearest neighbours by a
 * pruned brute-force search (see {@link nearestDistances}): O((n + h) N d) at worst for n samples, h held-out and N
 * training points, much less in practice.
 * see: Meehan, Chaudhuri & Dasgupta (2020), "A non-parametric test to detect data-copying in generative models"
 *   (held-out data as the reference for training-set distances).
 * @throws {MetricError} for shapes that differ or do not add up, non-finite values, empty sets, q outside (0, 1), or
 *   held-out points whose median distance to the training set is 0
 */
export function memorisation(samples: Points, train: Points, heldOut: Points, opts: MemorisationOptions = {}): MemorisationResult {
  const fn = 'memorisation';
  const q = opts.quantile ?? 0.05;
  if (typeof q !== 'number' || !(q > 0 && q < 1)) fail(fn, `quantile must be a number in (0, 1), got ${String(q)}`);
  const cs = checkPoints(fn, 'samples', samples, 1);
  const ct = checkPoints(fn, 'train', train, 1);
  const ch = checkPoints(fn, 'heldOut', heldOut, 1);
  checkSameDim(fn, cs, ct, 'samples', 'train');
  checkSameDim(fn, ch, ct, 'heldOut', 'train');
  const sampleDistances = nearestDistances(cs, ct);
  const held = nearestDistances(ch, ct).sort();
  const heldOutMedian = quantileSorted(held, 0.5);
  if (!(heldOutMedian > 0)) fail(fn, 'the median distance of the held-out points to the training points is 0 (they are training points)');
  const threshold = quantileSorted(held, q);
  const sampleMedian = quantileSorted(Float64Array.from(sampleDistances).sort(), 0.5);
  const closer = sampleDistances.reduce((a, dist) => a + (dist < threshold ? 1 : 0), 0);
  return { ratio: sampleMedian / heldOutMedian, closerShare: closer / cs.rows, threshold, sampleMedian, heldOutMedian, sampleDistances };
}

/**
 * For each point of `queries`, the Euclidean distance to the nearest point of `reference`, exactly. Three things prune
 * the brute-force search: candidates are visited outwards from the query's norm in the reference sorted by norm,
 * and a side stops once ||a| - |b||, a lower bound of |a - b|, reaches the best distance so far; a distance is
 * abandoned once its partial sum does (checked every 16 coordinates); and coordinates are summed in order of
 * decreasing variance over the reference, so partial sums grow fast (for images: the pixels where digits differ
 * first, the always-blank border last).
 */
export function nearestDistances(queries: CheckedPoints, reference: CheckedPoints): Float64Array {
  const { rows: n, cols: d } = queries;
  const m = reference.rows;
  const order = coordinatesByVariance(reference);
  const a = permuteColumns(queries.data, n, d, order);
  const sorted = permuteColumns(reference.data, m, d, order);
  const norm = (p: Float64Array, i: number) => {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += p[k] * p[k];
    return Math.sqrt(s);
  };
  // the reference sorted by norm, contiguous
  const byNorm = Array.from({ length: m }, (_, j) => j).sort((i, j) => norm(sorted, i) - norm(sorted, j));
  const b = new Float64Array(m * d);
  const norms = new Float64Array(m);
  byNorm.forEach((j, r) => {
    b.set(sorted.subarray(j * d, (j + 1) * d), r * d);
    norms[r] = norm(sorted, j);
  });
  const CHUNK = 16;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    const na = norm(a, i);
    // first reference point with norm >= na
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (norms[mid] < na) lo = mid + 1;
      else hi = mid;
    }
    let down = lo - 1;
    let up = lo;
    let best = Number.POSITIVE_INFINITY;
    while (down >= 0 || up < m) {
      const goDown = up >= m || (down >= 0 && na - norms[down] < norms[up] - na);
      const j = goDown ? down-- : up++;
      // the slack keeps rounding in the bound from ever pruning a candidate that ties the best
      if ((na - norms[j]) ** 2 > best * (1 + 1e-12)) {
        // every point further out on this side is pruned too
        if (goDown) down = -1;
        else up = m;
        continue;
      }
      const oj = j * d;
      let sq = 0;
      for (let k0 = 0; k0 < d && sq < best; k0 += CHUNK) {
        const end = Math.min(k0 + CHUNK, d);
        for (let k = k0; k < end; k++) {
          const t = a[oi + k] - b[oj + k];
          sq += t * t;
        }
      }
      if (sq < best) best = sq;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}

/** Column indices sorted by decreasing variance over the rows of `p` (ties: lower index first). */
function coordinatesByVariance(p: CheckedPoints): Uint32Array {
  const { data, rows, cols } = p;
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) mean[k] += data[i * cols + k] / rows;
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) variance[k] += (data[i * cols + k] - mean[k]) ** 2;
  return Uint32Array.from({ length: cols }, (_, k) => k).sort((i, j) => variance[j] - variance[i] || i - j);
}

/** A copy of the row-major `data` with its columns in `order`. */
function permuteColumns(data: Float64Array, rows: number, cols: number, order: Uint32Array): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) out[i * cols + k] = data[i * cols + order[k]];
  return out;
}

/** The q-quantile of sorted values, linearly interpolated between order statistics (numpy's default). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}
