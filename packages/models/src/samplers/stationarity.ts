/**
 * A cheap check that the particles have settled into the distribution the model's score describes, from
 * Stein's identity: for y ~ p (standardised units) and s = grad log p, E[y_j s_j(y)] = -1 for every
 * coordinate j (integration by parts). The residual r_j = 1 + mean_i y_ij s_j(y_i) is 0 at the sampler's
 * target up to sampling noise and discretisation bias; a chain that has not converged (still contracting
 * from its start, too few or too small steps) or whose step is too large (a biased stationary law) moves it
 * away from 0. Unlike the change of the moments over the last steps, it sees slow drifts: a Langevin chain
 * on a correlated Gaussian whose covariance was 24% short moved its moments by less than their noise over
 * the last 10% of its steps, while r was 0.14 at 2000 particles (docs/results, "Defaults").
 * see: Stein 1972; Gorham & Mackey 2015 (Stein discrepancies as convergence diagnostics).
 */

/** Sums over one chunk of particles (chunks are aligned to multiples of 256 of the whole run, so any split merges to the same sums). */
export interface SteinChunk {
  n: number;
  /** sum_i y_ij s_j(y_i), per coordinate. */
  ys: number[];
  /** sum_i (y_ij s_j(y_i))^2, per coordinate. */
  ys2: number[];
}

/** Stein sums of a run (or of a block of it), chunk by chunk in particle order. */
export interface SteinSums {
  /** The noise level the score was read at (standardised units; 0 for exact scores without noise). */
  sigma: number;
  chunks: SteinChunk[];
}

/** The verdict of {@link stationarity}. */
export interface Stationarity {
  /** max_j |r_j|: 0 when the particles match the model's law along every coordinate. */
  residual: number;
  /** The coordinate (0-based) where |r_j| is largest. */
  coordinate: number;
  /** Standard error of that r_j (from the spread of y_ij s_ij over the particles). */
  standardError: number;
  /** The noise level the score was read at. */
  sigma: number;
  /** False when the residual exceeds both {@link STEIN_TOLERANCE} and 4 standard errors. */
  settled: boolean;
}

/**
 * Largest residual still called settled: a 10% misfit of the covariance along a coordinate (the
 * discretisation bias of the default steps is 2.5-5%).
 */
export const STEIN_TOLERANCE = 0.1;

/** Particles per Stein chunk (the ODE and pc block size, so worker blocks never split a chunk). */
export const STEIN_CHUNK = 256;

/** Sums of y_j s_j over particles y [n, d] with scores s [n, d] (standardised units), in chunks of {@link STEIN_CHUNK}. */
export function steinChunks(y: ArrayLike<number>, s: ArrayLike<number>, n: number, d: number): SteinChunk[] {
  const chunks: SteinChunk[] = [];
  for (let c0 = 0; c0 < n; c0 += STEIN_CHUNK) {
    const c1 = Math.min(n, c0 + STEIN_CHUNK);
    const ys = new Array<number>(d).fill(0),
      ys2 = new Array<number>(d).fill(0);
    for (let i = c0; i < c1; i++)
      for (let j = 0; j < d; j++) {
        const v = y[i * d + j] * s[i * d + j];
        ys[j] += v;
        ys2[j] += v * v;
      }
    chunks.push({ n: c1 - c0, ys, ys2 });
  }
  return chunks;
}

/** The Stein residuals of (merged) sums: chunks are added in order, so any split into blocks gives the same bits. */
export function stationarity(sums: SteinSums): Stationarity {
  const d = sums.chunks[0]?.ys.length ?? 0;
  let n = 0;
  const ys = new Array<number>(d).fill(0),
    ys2 = new Array<number>(d).fill(0);
  for (const c of sums.chunks) {
    n += c.n;
    for (let j = 0; j < d; j++) {
      ys[j] += c.ys[j];
      ys2[j] += c.ys2[j];
    }
  }
  let residual = 0,
    coordinate = 0,
    standardError = 0;
  for (let j = 0; j < d; j++) {
    const mean = ys[j] / n,
      r = Math.abs(1 + mean);
    const se = Math.sqrt(Math.max(0, ys2[j] / n - mean * mean) / Math.max(1, n - 1));
    if (j === 0 || r > residual) [residual, coordinate, standardError] = [r, j, se];
  }
  return {
    residual,
    coordinate,
    standardError,
    sigma: sums.sigma,
    settled: !(residual > STEIN_TOLERANCE && residual > 4 * standardError),
  };
}
