import { fail } from './errors.js';
import { checkPoints, checkSameDim, type Points } from './points.js';
import { createRng } from './rng.js';
import { wassersteinPowerSorted } from './wasserstein-1d.js';

/** Options of {@link slicedWasserstein}. */
export interface SlicedWassersteinOptions {
  /** Number of random directions L, integer >= 1. Default 128. */
  projections?: number;
  /** Seed of the direction stream (mulberry32, see `createRng`), safe integer. Default 0. */
  seed?: number;
  /** Order p of the Wasserstein distance, 1 or 2. Default 2. */
  p?: 1 | 2;
}

/**
 * Monte Carlo sliced Wasserstein-p distance between the point sets `x` (m >= 1 points) and `y`
 * (n >= 1 points) of the same dimension d:
 *
 *   SW_p = ( 1/L sum_{l=1..L} W_p^p(theta_l . x, theta_l . y) )^(1/p)
 *
 * with theta_l uniform on the unit sphere S^{d-1} (normalised standard normal vectors from the
 * seeded stream) and W_p the exact 1-D Wasserstein distance between the projected empirical
 * distributions (sorted; for m != n quantile matching over the union of the levels i/m and j/n).
 * Units: the units of the coordinates. Deterministic for a given seed.
 *
 * Useful facts for checking: if y = x + delta, each slice gives W_p = |theta . delta|, so
 * E SW_2^2 = |delta|^2 / d.
 * Cost: O(L (m log m + n log n + (m + n) d)) time, O(m + n) extra memory.
 * see: Bonneel, Rabin, Peyre & Pfister (2015), "Sliced and Radon Wasserstein barycenters of
 * measures", J. Math. Imaging Vis. 51, 22-45.
 */
export function slicedWasserstein(x: Points, y: Points, opts: SlicedWassersteinOptions = {}): number {
  const fn = 'slicedWasserstein';
  const cx = checkPoints(fn, 'x', x, 1);
  const cy = checkPoints(fn, 'y', y, 1);
  checkSameDim(fn, cx, cy);
  const L = opts.projections ?? 128;
  const p = opts.p ?? 2;
  if (!Number.isInteger(L) || L < 1) fail(fn, `projections must be an integer >= 1, got ${String(L)}`);
  if (p !== 1 && p !== 2) fail(fn, `p must be 1 or 2, got ${String(p)}`);
  const rng = createRng(opts.seed ?? 0, fn);
  const d = cx.cols;
  const theta = new Float64Array(d);
  const px = new Float64Array(cx.rows);
  const py = new Float64Array(cy.rows);
  let total = 0;
  for (let l = 0; l < L; l++) {
    // uniform direction: normalised Gaussian vector (redraw the measure-zero all-zero case)
    let norm = 0;
    do {
      norm = 0;
      for (let k = 0; k < d; k++) {
        theta[k] = rng.normal();
        norm += theta[k] * theta[k];
      }
    } while (norm === 0);
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) theta[k] /= norm;
    project(cx.data, d, theta, px);
    project(cy.data, d, theta, py);
    px.sort();
    py.sort();
    total += wassersteinPowerSorted(px, py, p);
  }
  const mean = total / L;
  return p === 1 ? mean : Math.sqrt(mean);
}

/** out[i] = theta . point_i for row-major points of dimension d. */
function project(data: Float64Array, d: number, theta: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    const o = i * d;
    for (let k = 0; k < d; k++) s += data[o + k] * theta[k];
    out[i] = s;
  }
}
