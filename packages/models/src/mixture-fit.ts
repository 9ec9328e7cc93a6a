import { InputError, type Core, type GaussianSpec, type MixtureSpec } from '@scorefield/core-math';
import { fitGaussian, GAUSSIAN_RANK, symmetricEigen } from './gaussian-fit.js';
import type { Points } from './points.js';

/**
 * The data's Gaussian mixture for conditioning 'mixture', fitted without labels: k-means (k-means++ seeding, Arthur &
 * Vassilvitskii 2007; Lloyd's iterations) on the standardised points, then one probabilistic-PCA Gaussian per cluster in
 * the span of the data's {@link GAUSSIAN_RANK} leading eigenvectors U (each cluster's covariance projected on U and
 * diagonalised, plus its mean variance off U; Tipping & Bishop 1999), weighted by the cluster's share of the points.
 * Its blurred score is the model's skip term (core-math assembly/mixture.ts); the network learns what it misses.
 * Deterministic: the seeding draws come from the seeded stream, sums are float64 in a fixed order, the eigensolver is
 * gaussian-fit.ts's (only +, *, / and sqrt), so the same seed gives the same bits on every engine.
 * Cost: about K d n multiply-adds per Lloyd iteration (at most {@link KMEANS_ITERATIONS}, {@link KMEANS_RESTARTS} runs).
 */

/** Components at most: 10 (on 14x14 MNIST, measured: the mixture alone samples every class at 6.2-14.8%; models README). */
export const MIXTURE_COMPONENTS = 10;

/** Lloyd iterations at most (they stop earlier when no point changes cluster). */
export const KMEANS_ITERATIONS = 30;

/**
 * k-means runs from independent seedings, keeping the one of least within-cluster sum of squares: one k-means++
 * seeding can put two centres in one cluster and Lloyd's iterations never move them apart (Arthur & Vassilvitskii
 * 2007 bound the expected cost, not the worst); 4, as scikit-learn's KMeans n_init for k-means++ in older versions.
 */
export const KMEANS_RESTARTS = 4;

/**
 * Components for n points of rank-r Gaussians: min({@link MIXTURE_COMPONENTS}, n / (4 r)), at least 1 (so a component
 * has on average four points per direction of its covariance: MNIST's 9,003 points give 10, 2,000 give 7, 100 give 1).
 */
export function mixtureComponents(n: number, rank: number): number {
  return Math.max(1, Math.min(MIXTURE_COMPONENTS, Math.floor(n / (4 * Math.max(1, rank)))));
}

/** Fits the mixture of `points` (standardised units) with K components (default {@link mixtureComponents}), seeded. */
export function fitMixture(core: Core, points: Points, seed: number, components?: number): MixtureSpec {
  const { rows: n, cols: d, data } = points;
  const global = fitGaussian(points);
  const r = global.variances.length;
  const K = components ?? mixtureComponents(n, r);
  if (!(Number.isInteger(K) && K >= 1 && K <= n)) throw new InputError(`mixture: components must be in 1..${n}, got ${K}`);
  const assign = kMeans(core, points, K, seed);
  const out: GaussianSpec[] = [];
  const weights: number[] = [];
  for (let k = 0; k < K; k++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (assign[i] === k) members.push(i);
    if (members.length < 2) continue; // a cluster of one point has no covariance: its points join no component
    out.push(clusterGaussian(data, d, members, global.vectors, r));
    weights.push(members.length);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  // In float32, as the model file stores them: a model and the model loaded from its file give the same bits.
  return { components: out, weights: Float32Array.from(weights, (w) => w / total) };
}

/** The probabilistic-PCA Gaussian of the points `members` in the span of U (r rows of d). */
function clusterGaussian(data: ArrayLike<number>, d: number, members: number[], U: ArrayLike<number>, r: number): GaussianSpec {
  const m = members.length;
  const mean = new Float64Array(d);
  for (const i of members) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= m;
  const S = new Float64Array(r * r);
  const p = new Float64Array(r);
  const e = new Float64Array(d);
  let off = 0;
  for (const i of members) {
    let e2 = 0;
    for (let j = 0; j < d; j++) {
      e[j] = data[i * d + j] - mean[j];
      e2 += e[j] * e[j];
    }
    let p2 = 0;
    for (let q = 0; q < r; q++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += U[q * d + j] * e[j];
      p[q] = t;
      p2 += t * t;
    }
    off += Math.max(0, e2 - p2);
    for (let a = 0; a < r; a++) for (let b = a; b < r; b++) S[a * r + b] += p[a] * p[b];
  }
  for (let a = 0; a < r; a++) {
    for (let b = a; b < r; b++) {
      S[a * r + b] /= m;
      S[b * r + a] = S[a * r + b];
    }
  }
  const { values, vectors: V } = symmetricEigen(S, r);
  const order = Array.from({ length: r }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  // The component's eigenvectors in data space: row c = sum_q V[q, order[c]] U[q].
  const vectors = new Float32Array(r * d);
  for (let c = 0; c < r; c++) {
    for (let j = 0; j < d; j++) {
      let t = 0;
      for (let q = 0; q < r; q++) t += V[q * r + order[c]] * U[q * d + j];
      vectors[c * d + j] = t;
    }
  }
  return {
    mean: Float32Array.from(mean),
    vectors,
    variances: Float32Array.from(order, (i) => Math.max(0, values[i])),
    rest: Math.fround(r < d ? off / m / (d - r) : 0),
  };
}

/**
 * k-means cluster of every point: {@link KMEANS_RESTARTS} runs of k-means++ seeding (K draws each, in order, from the
 * stream `seed`) and Lloyd's iterations; the run of least within-cluster sum of squares (the first on a tie).
 */
export function kMeans(core: Core, points: Points, K: number, seed: number): Int32Array {
  const draws = core.scope((scope) => {
    const u = scope.f32(K * KMEANS_RESTARTS);
    core.exports.rngUniform(scope.rng(seed).ptr, u.ptr, u.length, 0, 1);
    return Float64Array.from(u.view);
  });
  let best: { assign: Int32Array; cost: number } | undefined;
  for (let run = 0; run < KMEANS_RESTARTS; run++) {
    const got = lloyd(points, K, draws.subarray(run * K, run * K + K));
    if (!best || got.cost < best.cost) best = got;
  }
  return best!.assign;
}

/** One k-means run from k-means++ seeding with the K uniform draws `draws`: the clusters and their sum of squares. */
function lloyd(points: Points, K: number, draws: Float64Array): { assign: Int32Array; cost: number } {
  const { rows: n, cols: d, data } = points;
  const centres = new Float64Array(K * d);
  const dist = new Float64Array(n).fill(Infinity);
  const sq = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - centres[c * d + j];
      s += t * t;
    }
    return s;
  };
  // k-means++: the first centre uniformly, each next with probability proportional to the squared distance.
  for (let c = 0; c < K; c++) {
    let pick = Math.min(n - 1, Math.floor(draws[c] * n));
    if (c > 0) {
      let total = 0;
      for (let i = 0; i < n; i++) total += dist[i];
      let target = draws[c] * total;
      pick = n - 1;
      for (let i = 0; i < n; i++) {
        target -= dist[i];
        if (target < 0) {
          pick = i;
          break;
        }
      }
    }
    for (let j = 0; j < d; j++) centres[c * d + j] = data[pick * d + j];
    for (let i = 0; i < n; i++) dist[i] = Math.min(dist[i], sq(i, c));
  }
  const assign = new Int32Array(n).fill(-1);
  let cost = 0;
  for (let it = 0; it < KMEANS_ITERATIONS; it++) {
    let moved = 0;
    cost = 0;
    for (let i = 0; i < n; i++) {
      let best = 0,
        bestD = Infinity;
      for (let c = 0; c < K; c++) {
        const s = sq(i, c);
        if (s < bestD) {
          bestD = s;
          best = c;
        }
      }
      if (assign[i] !== best) moved++;
      assign[i] = best;
      cost += bestD;
    }
    if (moved === 0) break;
    const counts = new Float64Array(K);
    const sums = new Float64Array(K * d);
    for (let i = 0; i < n; i++) {
      counts[assign[i]]++;
      for (let j = 0; j < d; j++) sums[assign[i] * d + j] += data[i * d + j];
    }
    // An empty cluster keeps its centre.
    for (let c = 0; c < K; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / counts[c];
  }
  return { assign, cost };
}
