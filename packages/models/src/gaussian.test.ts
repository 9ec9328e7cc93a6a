// Conditioning 'gaussian' (gaussian-fit.ts, core-math's assembly/model.ts): the fit against known covariances, and the
// model against the case with a known answer, Gaussian data, where the skip term alone is the exact score at every
// level and the network should learn (about) nothing.
import { describe, expect, it } from 'vitest';
import { loadCore } from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors } from '@scorefield/formats';
import { decodeModel, encodeModel, fitGaussian, GAUSSIAN_RANK, symmetricEigen, Trainer } from './index.js';
import { testNormals } from './testing/normals.js';

const core = await loadCore();

/** n points of N(mu, A A^T) in d dimensions, A lower-triangular with a decaying spectrum (seeded). */
function gaussianPoints(n: number, d: number, seed: number) {
  const z = testNormals(seed).z;
  const A = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (j > i ? 0 : j === i ? 2 / (1 + i) : 0.3 * z())));
  const mu = Array.from({ length: d }, (_, j) => 0.5 - 0.2 * j);
  const data = new Float64Array(n * d);
  for (let p = 0; p < n; p++) {
    const e = Array.from({ length: d }, () => z());
    for (let i = 0; i < d; i++) data[p * d + i] = mu[i] + A[i].reduce((t, a, j) => t + a * e[j], 0);
  }
  return { data, rows: n, cols: d };
}

/** The sample covariance (1/n) of points, f64. */
function covariance(points: { data: Float64Array; rows: number; cols: number }): number[][] {
  const { data, rows: n, cols: d } = points;
  const m = Array.from({ length: d }, (_, j) => Array.from({ length: n }, (_, p) => data[p * d + j]).reduce((a, b) => a + b, 0) / n);
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let p = 0; p < n; p++) s += (data[p * d + i] - m[i]) * (data[p * d + j] - m[j]);
      return s / n;
    }),
  );
}

describe('the data Gaussian', () => {
  it('symmetricEigen: a matrix built from known eigenpairs gives them back, orthonormal', () => {
    const n = 7;
    // Q: a product of Givens rotations; A = Q diag(lambda) Q^T.
    const Q = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
    for (let k = 0; k < n - 1; k++) {
      const c = Math.cos(0.3 + k),
        s = Math.sin(0.3 + k);
      for (const row of Q) [row[k], row[k + 1]] = [c * row[k] - s * row[k + 1], s * row[k] + c * row[k + 1]];
    }
    const lambda = [5, 3, 3, 1, 0.5, 0, -2];
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = lambda.reduce((t, l, m) => t + l * Q[i][m] * Q[j][m], 0);
    const { values, vectors } = symmetricEigen(a, n);
    expect(Array.from(values).sort((x, y) => y - x)).toEqual(lambda.map((l) => expect.closeTo(l, 12)));
    for (let c = 0; c < n; c++) {
      for (let i = 0; i < n; i++) {
        const av = Array.from({ length: n }, (_, k) => a[i * n + k] * vectors[k * n + c]).reduce((x, y) => x + y, 0);
        expect(av).toBeCloseTo(values[c] * vectors[i * n + c], 12);
      }
      for (let c2 = 0; c2 < n; c2++) {
        const dot = Array.from({ length: n }, (_, k) => vectors[k * n + c] * vectors[k * n + c2]).reduce((x, y) => x + y, 0);
        expect(dot).toBeCloseTo(c === c2 ? 1 : 0, 12);
      }
    }
  });

  it('fitGaussian: full rank rebuilds the sample covariance; lower rank keeps the leading directions and the trace', () => {
    const pts = gaussianPoints(400, 6, 1);
    const C = covariance(pts);
    const full = fitGaussian(pts);
    expect(full.variances.length).toBe(6);
    expect(full.rest).toBe(0);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        const got = Array.from(full.variances).reduce((t, l, m) => t + l * full.vectors[m * 6 + i] * full.vectors[m * 6 + j], 0);
        expect(got).toBeCloseTo(C[i][j], 5);
      }
    }
    const variances = Array.from(full.variances);
    expect(variances).toEqual([...variances].sort((x, y) => y - x));
    const low = fitGaussian(pts, 2);
    expect(Array.from(low.variances)).toEqual(variances.slice(0, 2));
    const trace = C.reduce((t, row, i) => t + row[i], 0);
    expect(low.variances[0] + low.variances[1] + 4 * low.rest).toBeCloseTo(trace, 5);
    expect(low.rest).toBeCloseTo(variances.slice(2).reduce((x, y) => x + y, 0) / 4, 6);
    expect(GAUSSIAN_RANK).toBe(64);
    expect(fitGaussian(gaussianPoints(100, 70, 2)).variances.length).toBe(64);
  });

  it('Gaussian data: the skip term is the exact score, and the trained network stays near zero at every level', () => {
    const pts = gaussianPoints(2000, 8, 3);
    const t = new Trainer(core, pts, {
      loss: { name: 'ncsn' },
      conditioning: 'gaussian',
      hidden: [32, 32],
      steps: 400,
      seed: 4,
      standardize: false,
    });
    expect(t.model.spec.conditioning).toBe('gaussian');
    const g = t.model.spec.gaussian!.spec;
    const d = 8;
    // The exact score of N(mu, C) blurred by sigma, -(C + sigma^2 I)^-1 (x - mu), by Gaussian elimination on C.
    const C = Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) =>
        Array.from(g.variances).reduce((s, l, m) => s + l * g.vectors[m * d + i] * g.vectors[m * d + j], 0),
      ),
    );
    const exact = (x: number[], sigma: number) => {
      const M = C.map((row, i) => [...row.map((v, j) => v + (i === j ? sigma * sigma : 0)), -(x[i] - g.mean[i])]);
      for (let c = 0; c < d; c++)
        for (let r = c + 1; r < d; r++) {
          const f = M[r][c] / M[c][c];
          for (let j = c; j <= d; j++) M[r][j] -= f * M[c][j];
        }
      const out = new Array<number>(d).fill(0);
      for (let r = d - 1; r >= 0; r--) out[r] = (M[r][d] - M[r].slice(r + 1, d).reduce((s, v, j) => s + v * out[r + 1 + j], 0)) / M[r][r];
      return out;
    };
    const x = Array.from({ length: 16 * d }, (_, i) => pts.data[i] + 0.5 * Math.sin(i));
    const error = () => {
      const sigmas = (t.loss as { sigmas: number[] }).sigmas;
      const all = sigmas.map((sigma) => {
        const got = t.model.score({ data: Float64Array.from(x), rows: 16, cols: d }, sigma);
        let num = 0,
          den = 0;
        for (let p = 0; p < 16; p++) {
          const want = exact(x.slice(p * d, p * d + d), sigma);
          want.forEach((w, j) => {
            num += (got[p * d + j] - w) ** 2;
            den += w * w;
          });
        }
        return Math.sqrt(num / den);
      });
      return all;
    };
    const before = error();
    t.run(400);
    const after = error();
    // Relative error |s - exact| / |exact| by level (17 levels 16.6 -> 0.028). Measured: 0.12-0.89 at the initial weights
    // (the network's random output), 0.028-0.050 from sigma_1 down to 0.094 after 400 steps, 0.14 at sigma_L (where
    // c_out / sigma^2 is largest). Each level at least 2x closer, and all within 0.2.
    after.forEach((e, i) => expect(e, `level ${i}`).toBeLessThan(before[i] / 2));
    expect(Math.max(...after)).toBeLessThan(0.2);
    expect(Math.max(...after.slice(0, -3))).toBeLessThan(0.06);
    t.free();
  });

  it('the model file keeps the Gaussian (same scores bit for bit) and refuses a missing or misshapen one in one line', () => {
    const t = new Trainer(core, gaussianPoints(200, 6, 5), {
      loss: { name: 'ncsn' },
      conditioning: 'gaussian',
      hidden: [8],
      steps: 5,
      seed: 1,
    });
    t.run(5);
    const bytes = encodeModel(t.model);
    const back = decodeModel(core, bytes, 'g.safetensors');
    expect(back.spec.conditioning).toBe('gaussian');
    const x = { data: Float64Array.from({ length: 18 }, (_, i) => Math.cos(i)), rows: 3, cols: 6 };
    expect(back.score(x, 0.7)).toEqual(t.model.score(x, 0.7));
    const { tensors, metadata } = decodeSafetensors(bytes);
    const without = Object.fromEntries(Object.entries(tensors).filter(([k]) => k !== 'gaussian.variances'));
    expect(() => decodeModel(core, encodeSafetensors(without as never, metadata), 'g.safetensors')).toThrow(
      /^g\.safetensors: conditioning 'gaussian' needs tensor gaussian\.variances$/,
    );
    const short = { ...tensors, 'gaussian.mean': { dtype: 'F32', shape: [5], data: new Float32Array(5) } };
    expect(() => decodeModel(core, encodeSafetensors(short as never, metadata), 'g.safetensors')).toThrow(/do not fit dimension 6/);
    const negative = { ...tensors, 'gaussian.rest': { dtype: 'F32', shape: [1], data: Float32Array.of(-1) } };
    expect(() => decodeModel(core, encodeSafetensors(negative as never, metadata), 'g.safetensors')).toThrow(/must be finite and >= 0/);
    back.free();
    t.free();
  });
});
