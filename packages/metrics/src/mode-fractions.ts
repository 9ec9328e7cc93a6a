import { fail } from './errors.js';
import { checkPoints, show, type Points } from './points.js';

/** Options of {@link modeFractions}. */
export interface ModeFractionsOptions {
  /**
   * Samples farther than `radius` (Euclidean, coordinate units; finite, >= 0) from every centre
   * are off-mode and assigned to none. Default: no radius, every sample goes to its nearest centre.
   */
  radius?: number;
}

/** Result of {@link modeFractions}. */
export interface ModeFractionsResult {
  /** fractions[k]: share of ALL samples assigned to centre k (off-mode samples count in the total). */
  fractions: number[];
  /** The target weights, normalised to sum to 1. */
  weights: number[];
  /** Share of samples farther than `radius` from every centre (0 without a radius). */
  offMode: number;
  /** max_k |fractions[k] - weights[k]|. */
  maxAbsError: number;
}

/**
 * Mode coverage of samples from a mixture with known component centres: each sample goes to its
 * nearest centre (first centre on ties), or to none when `radius` is given and every centre is
 * farther than it. Compares the assigned fractions with the mixture weights (any non-negative
 * weights with a positive sum; normalised here). A dropped mode shows as fraction 0, mode
 * imbalance as a large `maxAbsError`, samples between modes as `offMode`.
 *
 * `samples`: n >= 1 points of dimension d; `centres`: K >= 1 arrays of length d; `weights`: K
 * numbers. Cost: O(n K d).
 * see: Metz et al. (2017), "Unrolled Generative Adversarial Networks", ICLR (mode-counting on
 * mixtures of Gaussians).
 */
export function modeFractions(
  samples: Points,
  centres: number[][],
  weights: number[],
  opts: ModeFractionsOptions = {},
): ModeFractionsResult {
  const fn = 'modeFractions';
  const s = checkPoints(fn, 'samples', samples, 1);
  const d = s.cols;
  if (!Array.isArray(centres) || centres.length === 0) fail(fn, 'centres must be a non-empty array of points');
  const K = centres.length;
  const c = new Float64Array(K * d);
  centres.forEach((ctr, k) => {
    if (!Array.isArray(ctr) && !ArrayBuffer.isView(ctr)) fail(fn, `centres[${k}] must be an array of numbers`);
    if (ctr.length !== d) fail(fn, `centres[${k}] has dimension ${ctr.length}, samples have dimension ${d}`);
    for (let j = 0; j < d; j++) {
      if (typeof ctr[j] !== 'number' || !Number.isFinite(ctr[j]))
        fail(fn, `centres[${k}][${j}] is ${show(ctr[j])}, expected a finite number`);
      c[k * d + j] = ctr[j];
    }
  });
  if (!Array.isArray(weights) || weights.length !== K) {
    fail(fn, `weights has length ${Array.isArray(weights) ? weights.length : show(weights)}, expected ${K} (one per centre)`);
  }
  let wsum = 0;
  weights.forEach((w, k) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) fail(fn, `weights[${k}] is ${show(w)}, expected a finite number >= 0`);
    wsum += w;
  });
  if (!(wsum > 0)) fail(fn, 'weights sum to 0');
  const r = opts.radius;
  if (r !== undefined && (typeof r !== 'number' || !Number.isFinite(r) || r < 0))
    fail(fn, `radius must be a finite number >= 0, got ${show(r)}`);
  const r2 = r === undefined ? Infinity : r * r;

  const counts = new Float64Array(K);
  let off = 0;
  const { data, rows: n } = s;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestSq = Infinity;
    for (let k = 0; k < K; k++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const t = data[i * d + j] - c[k * d + j];
        sq += t * t;
      }
      if (sq < bestSq) {
        bestSq = sq;
        best = k;
      }
    }
    if (bestSq > r2) off++;
    else counts[best]++;
  }
  const fractions = Array.from(counts, (v) => v / n);
  const w = weights.map((v) => v / wsum);
  let maxAbsError = 0;
  for (let k = 0; k < K; k++) maxAbsError = Math.max(maxAbsError, Math.abs(fractions[k] - w[k]));
  return { fractions, weights: w, offMode: off / n, maxAbsError };
}
