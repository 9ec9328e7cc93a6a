import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { kid, polynomialMmd2 } from './kid.js';
import { createRng } from './rng.js';
import { gaussianPoints, meanSd, pts } from './testing/gaussian.js';

/**
 * The explicit feature map of k(a, b) = (a . b / d + 1)^3 = sum_r C(3, r) (a . b / d)^r:
 * phi(a) = [1, sqrt(3) a / sqrt(d), sqrt(3) (a (x) a) / d, (a (x) a (x) a) / d^(3/2)], so k(a, b) = phi(a) . phi(b).
 */
function phi(a: number[]): number[] {
  const d = a.length;
  const out = [1];
  for (const u of a) out.push((Math.sqrt(3) * u) / Math.sqrt(d));
  for (const u of a) for (const v of a) out.push((Math.sqrt(3) * u * v) / d);
  for (const u of a) for (const v of a) for (const w of a) out.push((u * v * w) / d ** 1.5);
  return out;
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i], 0);
const add = (a: number[], b: number[], c = 1): number[] => a.map((v, i) => v + c * b[i]);
const rowsOf = (p: { data: ArrayLike<number>; rows: number; cols: number }): number[][] =>
  Array.from({ length: p.rows }, (_, i) => Array.from(p.data).slice(i * p.cols, (i + 1) * p.cols));

/** Unbiased MMD^2 through explicit features: (|S_x|^2 - sum |phi(x_i)|^2) / (m (m - 1)) + (same for y) - 2 S_x . S_y / (m n). */
function mmd2ByFeatures(x: number[][], y: number[][]): number {
  const fx = x.map(phi);
  const fy = y.map(phi);
  const sx = fx.reduce((a, b) => add(a, b));
  const sy = fy.reduce((a, b) => add(a, b));
  const m = x.length;
  const n = y.length;
  const within = (s: number[], f: number[][], k: number) => (dot(s, s) - f.reduce((a, v) => a + dot(v, v), 0)) / (k * (k - 1));
  return within(sx, fx, m) + within(sy, fy, n) - (2 * dot(sx, sy)) / (m * n);
}

/** n points drawn from a discrete distribution: support[k] with probability weights[k]. */
function discrete(n: number, support: number[][], weights: number[], seed: number) {
  const rng = createRng(seed);
  const d = support[0].length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let u = rng.uniform();
    let k = 0;
    while (k < weights.length - 1 && u >= weights[k]) u -= weights[k++];
    data.set(support[k], i * d);
  }
  return { data, rows: n, cols: d };
}

/** The population MMD^2 of two discrete distributions on one support: |sum_k (p_k - q_k) phi(a_k)|^2. */
function discreteMmd2(support: number[][], p: number[], q: number[]): number {
  const diff = support.map(phi).reduce((acc, f, k) => add(acc, f, p[k] - q[k]), new Array(phi(support[0]).length).fill(0));
  return dot(diff, diff);
}

const SUPPORT = [
  [0, 0, 1],
  [1, 0, -1],
  [0.5, 2, 0],
  [-1, 1, 1],
];

describe('kid', () => {
  it('polynomialMmd2 equals the unbiased estimate through the explicit feature map', () => {
    const x = gaussianPoints(30, [0, 0, 0], 1, 1);
    const y = gaussianPoints(25, [0.5, 0, -0.5], 1.5, 2);
    expect(polynomialMmd2(x, y)).toBeCloseTo(mmd2ByFeatures(rowsOf(x), rowsOf(y)), 10);
  });

  it('gives k(a, a) + k(b, b) - 2 k(a, b) with zero standard error for constant sets, 0 when they are equal', () => {
    const a = [1, 2];
    const b = [0, -1];
    const k = (u: number[], v: number[]) => (dot(u, v) / 2 + 1) ** 3;
    const x = pts(Array.from({ length: 40 }, () => a));
    const y = pts(Array.from({ length: 50 }, () => b));
    const r = kid(x, y, { subsets: 4 });
    expect(r.value).toBeCloseTo(k(a, a) + k(b, b) - 2 * k(a, b), 10);
    expect(r.standardError).toBeCloseTo(0, 10);
    expect(r.subsetSizes).toEqual([10, 12]);
    expect(kid(x, x).value).toBe(0);
  });

  it('estimates the exact MMD^2 of two discrete distributions, within its standard error', () => {
    const p = [0.4, 0.3, 0.2, 0.1];
    const q = [0.25, 0.25, 0.25, 0.25];
    const truth = discreteMmd2(SUPPORT, p, q);
    expect(truth).toBeGreaterThan(0.1);
    const r = kid(discrete(4000, SUPPORT, p, 1), discrete(3000, SUPPORT, q, 2));
    expect(r.subsetSizes).toEqual([400, 300]);
    expect(Math.abs(r.value - truth)).toBeLessThan(3 * r.standardError);
    expect(r.standardError).toBeLessThan(0.1 * truth);
  });

  it('has a calibrated standard error: over 200 independent draws, its mean matches the spread of the values', () => {
    for (const [p, q] of [
      [
        [0.4, 0.3, 0.2, 0.1],
        [0.25, 0.25, 0.25, 0.25],
      ],
      [
        [0.25, 0.25, 0.25, 0.25],
        [0.25, 0.25, 0.25, 0.25],
      ],
    ]) {
      const truth = discreteMmd2(SUPPORT, p, q);
      const values: number[] = [];
      const errors: number[] = [];
      let outside = 0;
      for (let rep = 0; rep < 200; rep++) {
        const r = kid(discrete(300, SUPPORT, p, 2 * rep + 10), discrete(300, SUPPORT, q, 2 * rep + 11), { seed: rep });
        values.push(r.value);
        errors.push(r.standardError);
        // t distribution with 9 degrees of freedom: |t| > 2.262 with probability 5%
        if (Math.abs(r.value - truth) > 2.262 * r.standardError) outside++;
      }
      const { mean, sd } = meanSd(values);
      expect(Math.abs(mean - truth)).toBeLessThan((4 * sd) / Math.sqrt(200)); // unbiased
      expect(meanSd(errors).mean / sd).toBeGreaterThan(0.8);
      expect(meanSd(errors).mean / sd).toBeLessThan(1.2);
      expect(outside).toBeGreaterThanOrEqual(2); // 10 expected
      expect(outside).toBeLessThanOrEqual(22);
    }
  });

  it('grows with a shift of one set, from about 0 (same distribution) upwards', () => {
    const x = gaussianPoints(1000, [0, 0, 0, 0], 1, 3);
    const values = [0, 0.5, 1, 2].map((shift) => kid(x, gaussianPoints(1000, [shift, 0, 0, 0], 1, 4)));
    expect(Math.abs(values[0].value)).toBeLessThan(3 * values[0].standardError);
    for (let i = 1; i < values.length; i++) {
      expect(values[i].value).toBeGreaterThan(values[i - 1].value);
      expect(values[i].value).toBeGreaterThan(3 * values[i].standardError);
    }
  });

  it('is deterministic for a seed, caps the subset size, and accepts plain arrays', () => {
    const x = gaussianPoints(300, [0, 0], 1, 5);
    const y = gaussianPoints(500, [0.3, 0], 1, 6);
    const r = kid(x, y, { seed: 7 });
    expect(kid(x, y, { seed: 7 })).toEqual(r);
    expect(kid(x, y, { seed: 8 }).value).not.toBe(r.value);
    expect(kid({ ...x, data: Array.from(x.data) }, y, { seed: 7 }).value).toBe(r.value);
    expect(kid(x, y, { maxSubsetSize: 20, subsets: 5 }).subsetSizes).toEqual([20, 20]);
  });

  it('refuses bad input with one line', () => {
    const x = gaussianPoints(40, [0, 0], 1, 1);
    const bad: [() => unknown, string][] = [
      [() => kid(x, gaussianPoints(40, [0, 0, 0], 1, 2)), 'kid: x has dimension 2, y has dimension 3'],
      [() => kid(x, gaussianPoints(19, [0, 0], 1, 2)), 'kid: y has 19 points, need at least 20'],
      [() => kid(x, x, { subsets: 1 }), 'kid: subsets must be a whole number >= 2, got 1'],
      [() => kid(x, x, { maxSubsetSize: 1.5 }), 'kid: maxSubsetSize must be a whole number >= 2, got 1.5'],
      [() => kid(x, x, { seed: 0.5 }), 'kid: seed must be a safe integer, got 0.5'],
      [() => kid({ data: [0, Number.NaN], rows: 1, cols: 2 }, x, { subsets: 2 }), 'kid: x has 1 point, need at least 4'],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrow(MetricError);
      expect(f).toThrow(message);
    }
  });
});
