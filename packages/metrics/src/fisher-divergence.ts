import { fail } from './errors.js';
import { show } from './points.js';

/** Result of {@link fisherDivergence}. */
export interface FisherDivergenceResult {
  /** 1/2 mean_i |s_model(x_i) - s_true(x_i)|^2 over all n points (units of score^2 = 1/length^2). */
  overall: number;
  /** The same mean over the ceil(n / 10) points with the highest log-density (only with `logDensity`). */
  topDecile?: number;
  /** The same mean over the ceil(n / 10) points with the lowest log-density (only with `logDensity`). */
  bottomDecile?: number;
  /** 1/2 |s_model(x_i) - s_true(x_i)|^2 for each point i, length n. */
  perPoint: Float64Array;
}

/**
 * Empirical Fisher divergence (score-matching loss against the true score) at n points:
 *
 *   F = 1/2 * 1/n sum_i |s_model(x_i) - s_true(x_i)|^2
 *
 * `model` and `truth` are the two scores (gradients of log-density) at the same n points,
 * row-major n x d (`length = n d`, n >= 1). When `logDensity` (length n, the true log-density at
 * the points) is given, also returns the mean over the top and bottom deciles of log-density:
 * the k = max(1, ceil(n / 10)) points with the highest / lowest values, ties broken by lower index.
 * Score errors usually concentrate in the low-density tail, which `bottomDecile` exposes and
 * `overall` (weighted by where samples fall) hides.
 *
 * Points should be drawn from the data distribution to estimate the Fisher divergence
 * E_p 1/2 |s_model - grad log p|^2. Cost: O(n d + n log n).
 * see: Hyvarinen (2005), "Estimation of non-normalized statistical models by score matching",
 * JMLR 6, 695-709; Song & Ermon (2019), arXiv:1907.05600 (score errors in low-density regions).
 */
export function fisherDivergence(
  model: ArrayLike<number>,
  truth: ArrayLike<number>,
  d: number,
  logDensity?: ArrayLike<number>,
): FisherDivergenceResult {
  const fn = 'fisherDivergence';
  if (!Number.isInteger(d) || d < 1) fail(fn, `d must be a positive integer, got ${show(d)}`);
  checkArray(fn, 'model', model);
  checkArray(fn, 'truth', truth);
  if (model.length !== truth.length) fail(fn, `model has length ${model.length}, truth has length ${truth.length}`);
  if (model.length === 0) fail(fn, 'no points (model and truth are empty)');
  if (model.length % d !== 0) fail(fn, `model has length ${model.length}, not a multiple of d = ${d}`);
  const n = model.length / d;
  const perPoint = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let k = 0; k < d; k++) {
      const t = model[i * d + k] - truth[i * d + k];
      sq += t * t;
    }
    perPoint[i] = sq / 2;
    sum += sq / 2;
  }
  const result: FisherDivergenceResult = { overall: sum / n, perPoint };
  if (logDensity !== undefined) {
    checkArray(fn, 'logDensity', logDensity);
    if (logDensity.length !== n) fail(fn, `logDensity has length ${logDensity.length}, expected ${n} (one per point)`);
    const k = Math.max(1, Math.ceil(n / 10));
    // indices by ascending log-density, ties by index (stable)
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logDensity[a] - logDensity[b] || a - b);
    let lo = 0;
    for (let r = 0; r < k; r++) lo += perPoint[order[r]];
    // top decile: the k largest, ties by lower index, i.e. scan descending density, ascending index
    const desc = Array.from({ length: n }, (_, i) => i).sort((a, b) => logDensity[b] - logDensity[a] || a - b);
    let hi = 0;
    for (let r = 0; r < k; r++) hi += perPoint[desc[r]];
    result.topDecile = hi / k;
    result.bottomDecile = lo / k;
  }
  return result;
}

/** Checks that `a` is array-like with only finite numbers. */
function checkArray(fn: string, name: string, a: ArrayLike<number>): void {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') fail(fn, `${name} must be an array of numbers`);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) fail(fn, `${name}[${i}] is ${show(a[i])}, expected a finite number`);
  }
}
