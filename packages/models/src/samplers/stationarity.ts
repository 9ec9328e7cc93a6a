import * as detMath from '@scorefield/core-math/det-math';

/**
 * A cheap check that the particles have settled into the distribution the model's score describes, from
 * Stein's identity: for y ~ p and s = grad log p, E[(y - m) s(y)^T] = -I (integration by parts; m any
 * constant, here the particles' mean). With V the particles' covariance, T = -V^(-1/2) E[(y - m) s^T] V^(1/2)
 * has the eigenvalues of V P for a Gaussian of precision P: all 1 at the target, below 1 along directions
 * where the particles are still too narrow (a chain still spreading from its start), above 1 where they are
 * too wide (a step too large). Whitening by V makes the noise of every direction alike, so a narrow
 * direction's large scores do not hide a wide direction's error. The residual is the largest |1 - t_k|
 * over the eigenvalues t_k of the symmetric part of T (up to 16 dimensions; above, per coordinate without
 * whitening), with a standard error from the spread between chunks of particles (batch means).
 * Unlike the change of the moments over the last steps, it sees slow drifts: a Langevin chain on a
 * correlated Gaussian whose covariance was 24% short moved its moments by less than their noise over the
 * last 10% of its steps, while the residual was 0.4 (docs/results, "Defaults").
 * see: Stein 1972; Gorham & Mackey 2015 (Stein discrepancies as convergence diagnostics).
 */

/** Sums over one chunk of particles y (standardised) with scores s. */
export interface SteinChunk {
  n: number;
  /** sum y [d] and sum s [d]. */
  y: number[];
  s: number[];
  /** sum y y^T and sum y s^T, row-major [d, d] (up to {@link STEIN_WHITEN_MAX_DIM}); otherwise their diagonals [d]. */
  yy: number[];
  ys: number[];
}

/** Stein sums of a run (or of a block of it), chunk by chunk in particle order. */
export interface SteinSums {
  /** The noise level the score was read at (standardised units; 0 for exact scores without noise). */
  sigma: number;
  /** Coordinates that were held (inpainting): left out of the check. */
  held?: number[];
  chunks: SteinChunk[];
}

/** The verdict of {@link stationarity}. */
export interface Stationarity {
  /** max_k |1 - t_k|: 0 when the particles match the model's law in every direction. */
  residual: number;
  /** The direction (unit vector, standardised units) of that residual. */
  direction: number[];
  /** Standard error of the residual (batch means over chunks of {@link STEIN_CHUNK} particles); NaN below {@link MIN_CHUNKS} chunks. */
  standardError: number;
  /** The noise level the score was read at. */
  sigma: number;
  /** False when the residual exceeds both {@link STEIN_TOLERANCE} and 4 standard errors (never below {@link MIN_CHUNKS} chunks). */
  settled: boolean;
}

/** Largest residual still called settled: a 10% misfit of the variance along a direction (the default steps' bias is 2.5-5%). */
export const STEIN_TOLERANCE = 0.1;

/** Particles per chunk: 256 (the ODE and pc block size) is a multiple, so worker blocks never split a chunk. */
export const STEIN_CHUNK = 64;

/** Chunks needed for a verdict (the batch-means error needs a few batches): 256 particles. */
export const MIN_CHUNKS = 4;

/** Dimensions up to which the check whitens by the full covariance (d x d sums per chunk). */
export const STEIN_WHITEN_MAX_DIM = 16;

/** Stein sums of particles y [n, d] with scores s [n, d] (standardised units), in chunks of {@link STEIN_CHUNK}. */
export function steinChunk(y: ArrayLike<number>, s: ArrayLike<number>, n: number, d: number): SteinChunk {
  const full = d <= STEIN_WHITEN_MAX_DIM;
  const c: SteinChunk = {
    n,
    y: new Array(d).fill(0),
    s: new Array(d).fill(0),
    yy: new Array(full ? d * d : d).fill(0),
    ys: new Array(full ? d * d : d).fill(0),
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const yj = y[i * d + j];
      c.y[j] += yj;
      c.s[j] += s[i * d + j];
      if (full)
        for (let k = 0; k < d; k++) {
          c.yy[j * d + k] += yj * y[i * d + k];
          c.ys[j * d + k] += yj * s[i * d + k];
        }
      else {
        c.yy[j] += yj * yj;
        c.ys[j] += yj * s[i * d + j];
      }
    }
  }
  return c;
}

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major [d, d]) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: readonly number[], d: number): { values: number[]; vectors: number[] } {
  const a = [...matrix],
    v = Array.from({ length: d * d }, (_, i): number => (i % (d + 1) === 0 ? 1 : 0));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        if (a[p * d + q] === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p],
            akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k],
            aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p],
            vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: Array.from({ length: d }, (_, i) => a[i * d + i]), vectors: v };
}

/** a [d, d] times b [d, d], row-major. */
function matmul(a: readonly number[], b: readonly number[], d: number): number[] {
  const out = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) out[i * d + j] += a[i * d + k] * b[k * d + j];
  return out;
}

/** The Stein residual of (merged) sums; chunks are added in order, so any split into blocks gives the same bits. */
export function stationarity(sums: SteinSums): Stationarity {
  const chunks = sums.chunks,
    d = chunks[0]?.y.length ?? 0;
  const free = Array.from({ length: d }, (_, j) => j).filter((j) => !sums.held?.includes(j));
  const n = chunks.reduce((a, c) => a + c.n, 0);
  const mean = free.map((j) => chunks.reduce((a, c) => a + c.y[j], 0) / n);
  // Fewer than MIN_CHUNKS batches cannot estimate the noise: no verdict (settled, standard error unknown).
  const judged = chunks.length >= MIN_CHUNKS;
  const unsettled = (residual: number, direction: number[], standardError: number): Stationarity => ({
    residual,
    direction,
    standardError: judged ? standardError : Number.NaN,
    sigma: sums.sigma,
    settled: !judged || !(residual > STEIN_TOLERANCE && residual > 4 * standardError),
  });
  if (!free.length || n < 2) return unsettled(0, [], 0);
  const full = d <= STEIN_WHITEN_MAX_DIM,
    f = free.length;
  // Per-chunk values of a linear functional g of a chunk's mean (y - m) s^T, and their batch-means error.
  const batch = (g: (c: SteinChunk) => number) => {
    const values = chunks.map(g),
      weights = chunks.map((c) => c.n / n);
    const avg = values.reduce((a, v, i) => a + weights[i] * v, 0);
    const spread = values.reduce((a, v, i) => a + weights[i] * (v - avg) ** 2, 0);
    return { value: avg, standardError: Math.sqrt(spread / Math.max(1, chunks.length - 1)) };
  };
  // E[(y_a - m_a) s_b] over one chunk.
  const cross = (c: SteinChunk, a: number, b: number) =>
    (full ? c.ys[free[a] * d + free[b]] : c.ys[free[a]]) / c.n - (mean[a] * c.s[free[b]]) / c.n;
  if (!full) {
    let best = unsettled(0, [], 0);
    free.forEach((j, a) => {
      const r = batch((c) => 1 + cross(c, a, a));
      const direction = free.map((k) => (k === j ? 1 : 0));
      if (Math.abs(r.value) > best.residual) best = unsettled(Math.abs(r.value), direction, r.standardError);
    });
    return best;
  }
  // Whitening by the particles' covariance V (in the free coordinates).
  const V = new Array<number>(f * f).fill(0);
  for (let a = 0; a < f; a++)
    for (let b = 0; b < f; b++) V[a * f + b] = chunks.reduce((s, c) => s + c.yy[free[a] * d + free[b]], 0) / n - mean[a] * mean[b];
  const ev = symmetricEigen(V, f);
  const root = (power: number) => {
    const diag = ev.values.map((l) => detMath.pow(Math.max(l, 1e-300), power));
    const q = ev.vectors,
      out = new Array<number>(f * f).fill(0);
    for (let i = 0; i < f; i++)
      for (let j = 0; j < f; j++) for (let k = 0; k < f; k++) out[i * f + j] += q[i * f + k] * diag[k] * q[j * f + k];
    return out;
  };
  const vInvHalf = root(-0.5),
    vHalf = root(0.5);
  const whitened = (c: SteinChunk | undefined) => {
    const B = new Array<number>(f * f);
    for (let a = 0; a < f; a++)
      for (let b = 0; b < f; b++) B[a * f + b] = c ? cross(c, a, b) : chunks.reduce((s, ch) => s + ch.n * cross(ch, a, b), 0) / n;
    const T = matmul(matmul(vInvHalf, B, f), vHalf, f).map((v) => -v);
    return T.map((_, i) => (T[i] + T[(i % f) * f + Math.floor(i / f)]) / 2);
  };
  const S = whitened(undefined);
  const eig = symmetricEigen(S, f);
  let best = unsettled(0, [], 0);
  for (let k = 0; k < f; k++) {
    const u = Array.from({ length: f }, (_, i) => eig.vectors[i * f + k]);
    const along = (M: number[]) => u.reduce((a, ui, i) => a + ui * u.reduce((b, uj, j) => b + M[i * f + j] * uj, 0), 0);
    const r = batch((c) => 1 - along(whitened(c)));
    if (Math.abs(r.value) > best.residual) {
      // The direction in standardised coordinates: V^(1/2) u, normalised, with the held coordinates at 0.
      const w = Array.from({ length: f }, (_, i) => u.reduce((a, uj, j) => a + vHalf[i * f + j] * uj, 0));
      const norm = Math.sqrt(w.reduce((a, v) => a + v * v, 0)) || 1;
      const direction = new Array<number>(d).fill(0);
      free.forEach((j, i) => {
        direction[j] = w[i] / norm;
      });
      best = unsettled(Math.abs(r.value), direction, r.standardError);
    }
  }
  return best;
}
