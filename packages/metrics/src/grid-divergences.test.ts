import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { gridDivergences, logSumExp } from './grid-divergences.js';
import { normalCdf } from './testing/gaussian.js';

/** Cell centres of a 1-D grid on [lo, hi] with step h. */
function grid(lo: number, hi: number, h: number): number[] {
  const n = Math.round((hi - lo) / h);
  return Array.from({ length: n }, (_, i) => lo + (i + 0.5) * h);
}

describe('gridDivergences', () => {
  it('two-cell grid: P = (1/4, 3/4), Q = (1/2, 1/2), unnormalised inputs', () => {
    const r = gridDivergences([5, 5], [0, Math.log(3)], 0.5);
    expect(r.kl).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 14);
    expect(r.reverseKl).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 14);
    expect(r.tv).toBeCloseTo(0.25, 14);
    // log of the Riemann integral: log(2 e^5 * 0.5) and log(4 * 0.5)
    expect(r.logNormalizer.model).toBeCloseTo(5, 14);
    expect(r.logNormalizer.truth).toBeCloseTo(Math.log(2), 14);
  });

  it('is 0 for the same density up to a constant, and stable for huge offsets', () => {
    const l = [-1, 0.5, 2, -30];
    const r = gridDivergences(
      l.map((v) => v - 1e4),
      l.map((v) => v + 700),
      1,
    );
    expect(r.kl).toBeLessThan(1e-12);
    expect(r.reverseKl).toBeLessThan(1e-12);
    expect(r.tv).toBeLessThan(1e-12);
  });

  it('KL between discretised N(0, 1) and N(1, 1) is (mu1 - mu2)^2 / (2 s^2); TV = 2 Phi(1/2) - 1', () => {
    const h = 0.01;
    const xs = grid(-12, 12, h);
    const truth = xs.map((x) => -0.5 * x * x - 0.5 * Math.log(2 * Math.PI)); // normalised
    const model = xs.map((x) => -0.5 * (x - 1) ** 2 - 1000); // unnormalised
    const r = gridDivergences(model, truth, h);
    expect(r.kl).toBeCloseTo(0.5, 8);
    expect(r.reverseKl).toBeCloseTo(0.5, 8);
    expect(r.tv).toBeCloseTo(2 * normalCdf(0.5) - 1, 5); // midpoint rule on the kink of |p - q|: O(h^2)
    expect(r.logNormalizer.truth).toBeCloseTo(0, 10);
    expect(r.logNormalizer.model).toBeCloseTo(0.5 * Math.log(2 * Math.PI) - 1000, 8);
  });

  it('KL between N(0, 1) and N(0, 4) is asymmetric and matches the closed form', () => {
    const h = 0.01;
    const xs = grid(-30, 30, h);
    const p = xs.map((x) => -0.5 * x * x);
    const q = xs.map((x) => (-0.5 * x * x) / 4 - Math.log(2));
    const r = gridDivergences(q, p, h);
    // KL(N(0,s1^2) || N(0,s2^2)) = log(s2/s1) + s1^2 / (2 s2^2) - 1/2
    expect(r.kl).toBeCloseTo(Math.log(2) + 1 / 8 - 0.5, 8);
    expect(r.reverseKl).toBeCloseTo(Math.log(0.5) + 4 / 2 - 0.5, 8);
  });

  it('2-D grid: KL = |dmu|^2 / 2 whatever the cell area', () => {
    const h = 0.05;
    const xs = grid(-9, 9, h);
    const truth: number[] = [];
    const model: number[] = [];
    for (const x of xs) {
      for (const y of xs) {
        truth.push(-0.5 * (x * x + y * y));
        model.push(-0.5 * ((x - 0.6) ** 2 + (y + 0.8) ** 2));
      }
    }
    const r = gridDivergences(model, truth, h * h);
    expect(r.kl).toBeCloseTo(0.5, 7);
    expect(gridDivergences(model, truth, 123).kl).toBe(r.kl);
  });

  it('zero-density cells: KL is Infinity where the model misses mass', () => {
    const r = gridDivergences([0, -Infinity], [0, 0], 1);
    expect(r.kl).toBe(Infinity);
    expect(r.reverseKl).toBeCloseTo(Math.log(2), 15);
    expect(r.tv).toBeCloseTo(0.5, 15);
  });

  it('logSumExp is stable', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([-1e4, 0])).toBe(0);
  });

  it('rejects bad input with one-line MetricErrors', () => {
    expect(() => gridDivergences([0, 0], [0], 1)).toThrow(
      new MetricError('gridDivergences: modelLogDensity has length 2, trueLogDensity has length 1'),
    );
    expect(() => gridDivergences([], [], 1)).toThrow('gridDivergences: the grid is empty');
    expect(() => gridDivergences([0, Number.NaN], [0, 0], 1)).toThrow(
      'gridDivergences: modelLogDensity[1] is NaN, expected a finite number or -Infinity',
    );
    expect(() => gridDivergences([0, 0], [Infinity, 0], 1)).toThrow(
      'gridDivergences: trueLogDensity[0] is Infinity, expected a finite number or -Infinity',
    );
    expect(() => gridDivergences([0, 0], [0, 0], 0)).toThrow('gridDivergences: cellArea must be a finite number > 0, got 0');
    expect(() => gridDivergences([-Infinity], [0], 1)).toThrow(
      'gridDivergences: modelLogDensity has no mass on the grid (all values are -Infinity)',
    );
  });
});
