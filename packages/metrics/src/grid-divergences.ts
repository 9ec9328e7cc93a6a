import { fail } from './errors.js';
import { show } from './points.js';
import * as detMath from '@scorefield/core-math/det-math';

/** Result of {@link gridDivergences}. */
export interface GridDivergencesResult {
  /** KL(true || model) = sum_i P_i log(P_i / Q_i), in nats; Infinity if the model has 0 mass where the truth has some. */
  kl: number;
  /** KL(model || true) = sum_i Q_i log(Q_i / P_i), in nats. */
  reverseKl: number;
  /** Total variation 1/2 sum_i |P_i - Q_i|, in [0, 1]. */
  tv: number;
  /**
   * log of the Riemann-sum integral sum_i exp(l_i) * cellArea of each unnormalised density on the
   * grid (0 for a density that already integrates to 1 over the grid).
   */
  logNormalizer: { model: number; truth: number };
}

/**
 * KL divergences and total variation between two densities tabulated on the same grid cells.
 *
 * `modelLogDensity[i]` and `trueLogDensity[i]` are log-densities (each possibly unnormalised, by
 * any constant) at the centre of cell i; `cellArea` is the area (volume) of one cell, all cells
 * equal. Each is normalised on the grid with a stable log-sum-exp, giving cell masses
 * P_i = exp(l_i - logsumexp(l)) (truth) and Q_i (model); then KL(P || Q), KL(Q || P) and
 * TV = 1/2 sum |P_i - Q_i|. The cell area cancels from all three (it only enters
 * `logNormalizer`).
 *
 * The grid must cover essentially all the mass of both densities: mass outside the grid is
 * silently dropped by the normalisation, which biases every divergence (usually down).
 * `-Infinity` entries (zero density) are allowed; NaN and +Infinity are not. KL values are
 * clamped at 0 against rounding. Cost: O(n).
 * see: Cover & Thomas (2006), "Elements of Information Theory", 2nd ed., sec. 2.3 and 11.6.
 */
export function gridDivergences(
  modelLogDensity: ArrayLike<number>,
  trueLogDensity: ArrayLike<number>,
  cellArea: number,
): GridDivergencesResult {
  const fn = 'gridDivergences';
  checkLogDensity(fn, 'modelLogDensity', modelLogDensity);
  checkLogDensity(fn, 'trueLogDensity', trueLogDensity);
  const n = modelLogDensity.length;
  if (trueLogDensity.length !== n) fail(fn, `modelLogDensity has length ${n}, trueLogDensity has length ${trueLogDensity.length}`);
  if (n === 0) fail(fn, 'the grid is empty');
  if (typeof cellArea !== 'number' || !Number.isFinite(cellArea) || cellArea <= 0)
    fail(fn, `cellArea must be a finite number > 0, got ${show(cellArea)}`);
  const lzq = logSumExp(modelLogDensity);
  const lzp = logSumExp(trueLogDensity);
  if (lzq === -Infinity) fail(fn, 'modelLogDensity has no mass on the grid (all values are -Infinity)');
  if (lzp === -Infinity) fail(fn, 'trueLogDensity has no mass on the grid (all values are -Infinity)');
  let kl = 0;
  let rkl = 0;
  let tv = 0;
  for (let i = 0; i < n; i++) {
    const lp = trueLogDensity[i] - lzp;
    const lq = modelLogDensity[i] - lzq;
    const p = detMath.exp(lp);
    const q = detMath.exp(lq);
    // 0 log 0 = 0; p log(p / 0) = Infinity (lp - lq is Infinity there)
    if (p > 0) kl += p * (lp - lq);
    if (q > 0) rkl += q * (lq - lp);
    tv += Math.abs(p - q);
  }
  const logA = detMath.log(cellArea);
  return {
    kl: Math.max(0, kl),
    reverseKl: Math.max(0, rkl),
    tv: Math.min(1, tv / 2),
    logNormalizer: { model: lzq + logA, truth: lzp + logA },
  };
}

/** log sum_i exp(a_i), stable (shifts by the max); -Infinity when every a_i is -Infinity. */
export function logSumExp(a: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > max) max = a[i];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += detMath.exp(a[i] - max);
  return max + detMath.log(s);
}

/** Every entry a number that is finite or -Infinity. */
function checkLogDensity(fn: string, name: string, a: ArrayLike<number>): void {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') fail(fn, `${name} must be an array of numbers`);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || Number.isNaN(v) || v === Infinity)
      fail(fn, `${name}[${i}] is ${show(v)}, expected a finite number or -Infinity`);
  }
}
