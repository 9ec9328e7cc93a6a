import { describe, expect, it } from 'vitest';
import { energyDistance } from './energy-distance.js';
import { MetricError } from './errors.js';
import { gaussianPoints, meanSd, normalCdf, pts, simpson } from './testing/gaussian.js';

/** E|Z| for Z ~ N(m, 2): 2 sqrt(1/pi) exp(-m^2/4) + m (1 - 2 Phi(-m / sqrt 2)). */
function meanAbsN2(m: number): number {
  return 2 * Math.sqrt(1 / Math.PI) * Math.exp((-m * m) / 4) + m * (1 - 2 * normalCdf(-m / Math.SQRT2));
}

/** Energy distance between N(0, 1) and N(mu, 1): X - Y ~ N(-mu, 2), X - X' ~ N(0, 2). */
function energyGauss1d(mu: number): number {
  return 2 * meanAbsN2(mu) - 2 * meanAbsN2(0);
}

describe('energyDistance', () => {
  it('matches a hand computation (unbiased within-set means)', () => {
    // E|X-Y| = (0 + 3 + 1 + 2) / 4, E|X-X'| = 1, E|Y-Y'| = 3
    expect(energyDistance(pts([[0], [1]]), pts([[0], [3]]))).toBeCloseTo(2 * 1.5 - 1 - 3, 14);
    // 2-D: Euclidean norms; x = unit segment, y = the same shifted by (3, 4)
    const x = pts([
      [0, 0],
      [1, 0],
    ]);
    const y = pts([
      [3, 4],
      [4, 4],
    ]);
    const exy = (5 + Math.hypot(4, 4) + Math.hypot(2, 4) + 5) / 4;
    expect(energyDistance(x, y)).toBeCloseTo(2 * exy - 1 - 1, 14);
  });

  it('the closed form for E|Z|, Z ~ N(m, 2), agrees with quadrature', () => {
    for (const m of [0, 0.3, 1, 2.5]) {
      const dens = (z: number) => Math.exp(-((z - m) ** 2) / 4) / Math.sqrt(4 * Math.PI);
      const quad = simpson((z) => Math.abs(z) * dens(z), m - 20, 0, 4000) + simpson((z) => z * dens(z), 0, m + 20, 4000);
      expect(meanAbsN2(m)).toBeCloseTo(quad, 6);
    }
  });

  it('matches the closed form for N(0, 1) vs N(1, 1) in 1-D', () => {
    const truth = energyGauss1d(1);
    expect(truth).toBeCloseTo(0.5418, 3);
    const values: number[] = [];
    for (let rep = 0; rep < 10; rep++) {
      values.push(energyDistance(gaussianPoints(2000, [0], 1, 10 + rep), gaussianPoints(2000, [1], 1, 50 + rep)));
    }
    const { mean, sd } = meanSd(values);
    expect(Math.abs(mean - truth)).toBeLessThan((4 * sd) / Math.sqrt(values.length));
    expect(sd).toBeLessThan(0.1 * truth);
  });

  it('is 0 in expectation for identical distributions (values of both signs)', () => {
    const values: number[] = [];
    for (let rep = 0; rep < 50; rep++) {
      values.push(energyDistance(gaussianPoints(200, [0, 0], 1, 500 + rep), gaussianPoints(150, [0, 0], 1, 600 + rep)));
    }
    const { mean, sd } = meanSd(values);
    expect(Math.abs(mean)).toBeLessThan((3 * sd) / Math.sqrt(values.length));
    expect(values.some((v) => v < 0)).toBe(true);
  });

  it('is symmetric and translation invariant', () => {
    const x = gaussianPoints(100, [0, 0], 1, 1);
    const y = gaussianPoints(120, [1, 1], 2, 2);
    const e = energyDistance(x, y);
    expect(energyDistance(y, x)).toBeCloseTo(e, 12);
    const shift = (p: typeof x) => ({ ...p, data: p.data.map((v, i) => v + (i % 2 === 0 ? 10 : -7)) });
    expect(energyDistance(shift(x), shift(y))).toBeCloseTo(e, 10);
  });

  it('rejects bad input with one-line MetricErrors', () => {
    const x = pts([
      [0, 0],
      [1, 1],
    ]);
    expect(() => energyDistance(x, pts([[0], [1]]))).toThrow(new MetricError('energyDistance: x has dimension 2, y has dimension 1'));
    expect(() => energyDistance(pts([[0, 0]]), x)).toThrow('energyDistance: x has 1 point, need at least 2');
    expect(() => energyDistance(x, { data: [0, Infinity, 1, 1], rows: 2, cols: 2 })).toThrow(
      'energyDistance: y has a non-finite value Infinity at point 0, coordinate 1 (both 0-based)',
    );
  });
});
