import { InputError, type GaussianSpec } from '@scorefield/core-math';
import type { Points } from './points.js';

/**
 * The data's Gaussian for conditioning 'gaussian': the mean, the {@link GAUSSIAN_RANK} leading eigenvectors of the
 * covariance with their eigenvalues, and the mean of the other eigenvalues (probabilistic PCA's maximum-likelihood fit,
 * Tipping & Bishop 1999, section 3.2). Its blurred score is the model's skip term, the exact denoiser of the data's
 * Gaussian (a Wiener filter); the network learns the rest. Deterministic: float64 sums in a fixed order and a
 * Householder tridiagonalisation with the implicit QL method (only +, *, / and sqrt), the same bits on every engine.
 */

/** Eigenvectors kept: 64, or d when smaller (cost per score evaluation 2 k d multiply-adds: 0.1 M at d = 784). */
export const GAUSSIAN_RANK = 64;

/** Fits the Gaussian of `points` (standardised units) keeping `rank` eigenvectors (default min(d, GAUSSIAN_RANK)). */
export function fitGaussian(points: Points, rank = Math.min(points.cols, GAUSSIAN_RANK)): GaussianSpec {
  const { rows: n, cols: d, data } = points;
  if (n < 2) throw new InputError(`gaussian: fitting the data's Gaussian needs at least 2 points, got ${n}`);
  if (!(Number.isInteger(rank) && rank >= 0 && rank <= d)) throw new InputError(`gaussian: rank must be in 0..${d}, got ${rank}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Covariance (1/n), upper triangle accumulated row by row, then mirrored.
  const cov = new Float64Array(d * d);
  const e = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) e[j] = data[i * d + j] - mean[j];
    for (let j = 0; j < d; j++) {
      const ej = e[j];
      if (ej === 0) continue;
      const row = j * d;
      for (let k = j; k < d; k++) cov[row + k] += ej * e[k];
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      cov[j * d + k] /= n;
      cov[k * d + j] = cov[j * d + k];
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  // Descending order of eigenvalue (ties by index, so the order is fixed).
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  const lambda = order.map((i) => Math.max(0, values[i]));
  let rest = 0;
  for (let m = rank; m < d; m++) rest += lambda[m];
  rest = rank < d ? rest / (d - rank) : 0;
  const U = new Float32Array(rank * d);
  for (let m = 0; m < rank; m++) for (let j = 0; j < d; j++) U[m * d + j] = vectors[j * d + order[m]];
  return { mean: Float32Array.from(mean), vectors: U, variances: Float32Array.from(lambda.slice(0, rank)), rest: Math.fround(rest) };
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, row-major d x d) of a symmetric matrix a (row-major, not
 * modified): Householder reduction to tridiagonal form and the QL algorithm with implicit shifts (EISPACK tred2 and
 * tql2, as in JAMA's EigenvalueDecomposition; public domain).
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const V = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const hyp = (x: number, y: number) => Math.sqrt(x * x + y * y);
  // tred2
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
  // tql2
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      for (let iter = 0; ; iter++) {
        if (iter > 60 * n) throw new Error('gaussian: the eigendecomposition did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hyp(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hyp(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = V[k * n + i + 1];
            V[k * n + i + 1] = s * V[k * n + i] + c * h;
            V[k * n + i] = c * V[k * n + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
  return { values: d, vectors: V };
}
