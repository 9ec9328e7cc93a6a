import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { slicedWasserstein } from './sliced-wasserstein.js';
import { gaussianPoints, pts } from './testing/gaussian.js';

function shifted(p: { data: Float64Array; rows: number; cols: number }, delta: number[]) {
  return { ...p, data: p.data.map((v, i) => v + delta[i % p.cols]) };
}

describe('slicedWasserstein', () => {
  it('SW2^2 of a shifted copy is |delta|^2 / d (2-D and 3-D, many projections)', () => {
    const x2 = gaussianPoints(200, [0, 0], 1, 1);
    const d2 = [0.6, -0.8]; // |delta|^2 = 1
    const sw2 = slicedWasserstein(x2, shifted(x2, d2), { projections: 20_000, seed: 3 });
    expect(sw2 ** 2).toBeCloseTo(1 / 2, 2); // relative SE ~ 0.5%
    expect(Math.abs(sw2 ** 2 - 0.5)).toBeLessThan(0.5 * 0.025);

    const x3 = gaussianPoints(150, [0, 0, 0], 1, 2);
    const d3 = [1, 2, 2]; // |delta|^2 = 9
    const sw3 = slicedWasserstein(x3, shifted(x3, d3), { projections: 20_000, seed: 4 });
    expect(Math.abs(sw3 ** 2 - 9 / 3)).toBeLessThan(3 * 0.03);
  });

  it('p = 1 on a shifted copy: E|theta . delta| = 2 |delta| / pi in 2-D', () => {
    const x = gaussianPoints(200, [0, 0], 1, 5);
    const sw1 = slicedWasserstein(x, shifted(x, [3, 4]), { projections: 20_000, seed: 6, p: 1 });
    expect(Math.abs(sw1 - (2 * 5) / Math.PI)).toBeLessThan(0.02 * 5);
  });

  it('in 1-D every direction is +-1, so a shift gives exactly |delta| for p = 1 and 2', () => {
    const x = gaussianPoints(100, [0], 1, 7);
    const y = shifted(x, [0.75]);
    expect(slicedWasserstein(x, y, { projections: 5 })).toBeCloseTo(0.75, 12);
    expect(slicedWasserstein(x, y, { projections: 5, p: 1 })).toBeCloseTo(0.75, 12);
  });

  it('handles different sample sizes by quantile matching (exact 1-D cases)', () => {
    const a = pts([[0], [1]]);
    const b = pts([[0], [0.5], [1]]);
    expect(slicedWasserstein(a, b, { projections: 3, p: 1 })).toBeCloseTo(1 / 6, 14);
    expect(slicedWasserstein(a, b, { projections: 3 })).toBeCloseTo(Math.sqrt(1 / 12), 14);
    // a set against itself replicated: 0 on every slice, in any dimension
    const x = gaussianPoints(40, [0, 0], 1, 8);
    const xx = { data: Float64Array.from([...x.data, ...x.data]), rows: 80, cols: 2 };
    expect(slicedWasserstein(x, xx, { projections: 50 })).toBeLessThan(1e-12);
    // large vs small Gaussian sets: finite, and small vs a far shift large
    const y = gaussianPoints(300, [0, 0], 1, 9);
    const z = gaussianPoints(70, [4, 0], 1, 10);
    expect(slicedWasserstein(y, z)).toBeGreaterThan(2);
  });

  it('is deterministic for a seed, varies with it, and is symmetric', () => {
    const x = gaussianPoints(100, [0, 0], 1, 11);
    const y = gaussianPoints(80, [1, 0], 1.5, 12);
    const a = slicedWasserstein(x, y, { seed: 42 });
    expect(slicedWasserstein(x, y, { seed: 42 })).toBe(a);
    expect(slicedWasserstein(x, y, { seed: 43 })).not.toBe(a);
    expect(slicedWasserstein(y, x, { seed: 42 })).toBeCloseTo(a, 12);
    expect(slicedWasserstein(x, y)).toBe(slicedWasserstein(x, y, { seed: 0, projections: 128, p: 2 }));
  });

  it('rejects bad input with one-line MetricErrors', () => {
    const x = pts([
      [0, 0],
      [1, 1],
    ]);
    expect(() => slicedWasserstein(x, pts([[0, 0, 0]]))).toThrow(
      new MetricError('slicedWasserstein: x has dimension 2, y has dimension 3'),
    );
    expect(() => slicedWasserstein(x, { data: [], rows: 0, cols: 2 })).toThrow('slicedWasserstein: y has 0 points, need at least 1');
    expect(() => slicedWasserstein(x, x, { projections: 0 })).toThrow('slicedWasserstein: projections must be an integer >= 1, got 0');
    expect(() => slicedWasserstein(x, x, { p: 3 as 2 })).toThrow('slicedWasserstein: p must be 1 or 2, got 3');
    expect(() => slicedWasserstein(x, x, { seed: 0.5 })).toThrow('slicedWasserstein: seed must be a safe integer, got 0.5');
    expect(() => slicedWasserstein(pts([[Number.NaN, 0]]), x)).toThrow(
      'slicedWasserstein: x has a non-finite value NaN at point 0, coordinate 0 (both 0-based)',
    );
  });
});
