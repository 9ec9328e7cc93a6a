import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { medianHeuristic } from './median-heuristic.js';
import { MMD_BANDWIDTHS, mmd2 } from './mmd.js';
import { gaussianPoints, meanSd, pts } from './testing/gaussian.js';

/**
 * Closed-form MMD^2 between N(m1, s^2 I) and N(m2, s^2 I) in d dims for one RBF bandwidth h:
 * E k(X, X') = c, E k(X, Y) = c exp(-|dm|^2 / (2 (h^2 + 2 s^2))), c = (h^2 / (h^2 + 2 s^2))^(d/2).
 */
function mmd2Gauss(dm2: number, s: number, d: number, h: number): number {
  const v = h * h + 2 * s * s;
  const c = ((h * h) / v) ** (d / 2);
  return 2 * c * (1 - Math.exp(-dm2 / (2 * v)));
}

describe('mmd2', () => {
  it('matches a hand computation (unbiased: diagonal excluded)', () => {
    const x = pts([[0], [1]]);
    const y = pts([[0], [2]]);
    const e = Math.exp;
    const expected = e(-0.5) + e(-2) - (1 + e(-2) + 2 * e(-0.5)) / 2;
    const r = mmd2(x, y, { bandwidths: [1] });
    expect(r.value).toBeCloseTo(expected, 14);
    expect(r.bandwidths).toEqual([1]);
    // mixture kernel is the sum of the single-bandwidth kernels, so MMD^2 adds up
    const a = mmd2(x, y, { bandwidths: [0.5] }).value;
    const b = mmd2(x, y, { bandwidths: [2] }).value;
    expect(mmd2(x, y, { bandwidths: [0.5, 2] }).value).toBeCloseTo(a + b, 14);
  });

  it('is symmetric and accepts plain number arrays', () => {
    const x = gaussianPoints(50, [0, 0], 1, 1);
    const y = gaussianPoints(60, [1, 0], 1, 2);
    const xy = mmd2(x, y).value;
    expect(mmd2(y, x).value).toBeCloseTo(xy, 12);
    expect(mmd2({ ...x, data: Array.from(x.data) }, y).value).toBe(xy);
  });

  it('matches the closed form for two Gaussians (2000 + 2000 points, one bandwidth)', () => {
    const d = 2;
    const s = 1;
    const h = 1;
    const truth = mmd2Gauss(1, s, d, h); // |m1 - m2| = 1
    const values: number[] = [];
    for (let rep = 0; rep < 8; rep++) {
      const x = gaussianPoints(2000, [0, 0], s, 100 + rep);
      const y = gaussianPoints(2000, [1, 0], s, 200 + rep);
      values.push(mmd2(x, y, { bandwidths: [h] }).value);
    }
    const { mean, sd } = meanSd(values);
    // each estimate within 4 standard errors, the mean within 4 standard errors of the mean
    for (const v of values) expect(Math.abs(v - truth)).toBeLessThan(4 * sd);
    expect(Math.abs(mean - truth)).toBeLessThan((4 * sd) / Math.sqrt(values.length));
    expect(sd).toBeLessThan(0.1 * truth); // and the estimator is actually informative at this size
  });

  it('matches the closed form with a mixture of bandwidths in 3-D', () => {
    const hs = [0.5, 1, 2];
    const dm = [0.5, -0.5, 0.25];
    const dm2 = dm.reduce((a, b) => a + b * b, 0);
    const truth = hs.reduce((a, h) => a + mmd2Gauss(dm2, 0.7, 3, h), 0);
    const values: number[] = [];
    for (let rep = 0; rep < 6; rep++) {
      const x = gaussianPoints(1500, [0, 0, 0], 0.7, 300 + rep);
      const y = gaussianPoints(1500, dm, 0.7, 400 + rep);
      values.push(mmd2(x, y, { bandwidths: hs }).value);
    }
    const { mean, sd } = meanSd(values);
    expect(Math.abs(mean - truth)).toBeLessThan((4 * sd) / Math.sqrt(values.length));
  });

  it('is unbiased: mean over 50 repetitions for identical distributions is within noise of 0', () => {
    const values: number[] = [];
    for (let rep = 0; rep < 50; rep++) {
      const x = gaussianPoints(200, [0, 0], 1, 1000 + rep);
      const y = gaussianPoints(200, [0, 0], 1, 2000 + rep);
      values.push(mmd2(x, y, { bandwidths: [1] }).value);
    }
    const { mean, sd } = meanSd(values);
    expect(Math.abs(mean)).toBeLessThan((3 * sd) / Math.sqrt(values.length));
    expect(values.some((v) => v < 0)).toBe(true);
    expect(values.some((v) => v > 0)).toBe(true);
  });

  it('uses the median heuristic of the pooled sample by default', () => {
    const x = gaussianPoints(100, [0, 0], 1, 5);
    const y = gaussianPoints(80, [2, 0], 1, 6);
    const pooled = { data: Float64Array.from([...x.data, ...y.data]), rows: 180, cols: 2 };
    const r = mmd2(x, y);
    expect(r.bandwidths).toEqual([medianHeuristic(pooled)]);
    expect(r.value).toBe(mmd2(x, y, { bandwidths: r.bandwidths }).value);
  });

  it('computes the median on at most 1000 pooled points, first points of each set in proportion', () => {
    const x = gaussianPoints(2000, [0, 0], 1, 7);
    const y = gaussianPoints(1000, [3, 0], 1, 8);
    // 1000 * 2000 / 3000 = 666.7 -> 667 from x, 333 from y
    const data = new Float64Array(1000 * 2);
    data.set(x.data.subarray(0, 667 * 2), 0);
    data.set(y.data.subarray(0, 333 * 2), 667 * 2);
    const r = mmd2(x, y);
    expect(r.bandwidths[0]).toBe(medianHeuristic({ data, rows: 1000, cols: 2 }));
  });

  it('keeps at least one point of the smaller set in the pooled median subset', () => {
    const x = gaussianPoints(5000, [0, 0], 1, 13);
    const y = gaussianPoints(2, [50, 0], 1, 14);
    // round(1000 * 5000 / 5002) = 1000 is capped at 999 so y contributes its first point
    const data = new Float64Array(1000 * 2);
    data.set(x.data.subarray(0, 999 * 2), 0);
    data.set(y.data.subarray(0, 2), 999 * 2);
    expect(mmd2(x, y).bandwidths[0]).toBe(medianHeuristic({ data, rows: 1000, cols: 2 }));
  });

  it('MMD_BANDWIDTHS is a frozen, increasing set of positive bandwidths', () => {
    expect(MMD_BANDWIDTHS).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
    expect(Object.isFrozen(MMD_BANDWIDTHS)).toBe(true);
    const x = gaussianPoints(100, [0, 0], 1, 9);
    const y = gaussianPoints(100, [0.5, 0], 1, 10);
    const r = mmd2(x, y, { bandwidths: MMD_BANDWIDTHS });
    expect(r.bandwidths).toEqual([...MMD_BANDWIDTHS]);
    expect(r.value).toBeGreaterThan(0);
  });

  it('runs 2000 x 2000 points in 2-D with the fixed set (the size eval uses)', () => {
    const x = gaussianPoints(2000, [0, 0], 1, 11);
    const y = gaussianPoints(2000, [0, 0], 1, 12);
    const r = mmd2(x, y, { bandwidths: MMD_BANDWIDTHS });
    expect(Number.isFinite(r.value)).toBe(true);
  });

  it('rejects bad input with one-line MetricErrors', () => {
    const x = pts([
      [0, 0],
      [1, 1],
    ]);
    expect(() =>
      mmd2(
        x,
        pts([
          [0, 0, 0],
          [1, 1, 1],
        ]),
      ),
    ).toThrow(new MetricError('mmd2: x has dimension 2, y has dimension 3'));
    expect(() => mmd2(x, pts([[0, 0]]))).toThrow('mmd2: y has 1 point, need at least 2');
    expect(() => mmd2({ data: [], rows: 0, cols: 2 }, x)).toThrow('mmd2: x has 0 points, need at least 2');
    expect(() =>
      mmd2(
        x,
        pts([
          [0, Number.NaN],
          [1, 1],
        ]),
      ),
    ).toThrow('mmd2: y has a non-finite value NaN at point 0, coordinate 1 (both 0-based)');
    expect(() => mmd2(x, x, { bandwidths: [] })).toThrow("mmd2: bandwidths must be 'median' or a non-empty array of positive numbers");
    expect(() => mmd2(x, x, { bandwidths: [1, 0] })).toThrow('mmd2: bandwidths[1] must be a finite number > 0, got 0');
    expect(() => mmd2(pts([[0], [0], [0]]), pts([[0], [0]]))).toThrow('mmd2: median pairwise distance is 0');
    try {
      mmd2(x, pts([[1], [2]]));
    } catch (e) {
      expect(e).toBeInstanceOf(MetricError);
      expect((e as MetricError).code).toBe('E_INPUT');
      expect((e as Error).message).not.toContain('\n');
    }
  });
});
