import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { fisherDivergence } from './fisher-divergence.js';

describe('fisherDivergence', () => {
  it('is 1/2 the mean squared score error (hand example, d = 2)', () => {
    const model = [1, 0, 0, 0, 3, 4];
    const truth = [0, 0, 0, 0, 0, 0];
    const r = fisherDivergence(model, truth, 2);
    expect(Array.from(r.perPoint)).toEqual([0.5, 0, 12.5]);
    expect(r.overall).toBeCloseTo(13 / 3, 15);
    expect(r.topDecile).toBeUndefined();
    expect(r.bottomDecile).toBeUndefined();
    // only the difference matters
    const r2 = fisherDivergence(new Float64Array([2, -1, 5, 5]), new Float32Array([1, 1, 5, 5]), 2);
    expect(Array.from(r2.perPoint)).toEqual([2.5, 0]);
    expect(r2.overall).toBe(1.25);
  });

  it('deciles average the 10% highest / lowest log-density points', () => {
    // 20 points, d = 1: perPoint_i = i^2 / 2, log-density decreasing in i -> k = 2
    const n = 20;
    const model = Array.from({ length: n }, (_, i) => i);
    const truth = new Array<number>(n).fill(0);
    const logDensity = Array.from({ length: n }, (_, i) => -i);
    const r = fisherDivergence(model, truth, 1, logDensity);
    expect(r.overall).toBeCloseTo(2470 / 2 / 20, 12);
    expect(r.topDecile).toBeCloseTo((0 + 0.5) / 2, 15); // points 0 and 1
    expect(r.bottomDecile).toBeCloseTo((19 ** 2 / 2 + 18 ** 2 / 2) / 2, 12); // points 19 and 18
  });

  it('uses ceil(n / 10) points (at least one) and follows the log-density, not the order', () => {
    // n = 5 -> k = 1; the highest density is point 3, the lowest point 1
    const r = fisherDivergence([1, 2, 3, 4, 5], [0, 0, 0, 0, 0], 1, [0, -9, 1, 7, -2]);
    expect(r.topDecile).toBe(4 ** 2 / 2);
    expect(r.bottomDecile).toBe(2 ** 2 / 2);
    // n = 11 -> k = 2
    const m = Array.from({ length: 11 }, (_, i) => i);
    const ld = Array.from({ length: 11 }, (_, i) => i); // increasing: top = 10, 9; bottom = 0, 1
    const r11 = fisherDivergence(m, new Array<number>(11).fill(0), 1, ld);
    expect(r11.topDecile).toBe((100 / 2 + 81 / 2) / 2);
    expect(r11.bottomDecile).toBe((0 + 1 / 2) / 2);
    // ties: broken by lower index
    const rt = fisherDivergence([1, 2, 3], [0, 0, 0], 1, [0, 0, 0]);
    expect(rt.topDecile).toBe(0.5);
    expect(rt.bottomDecile).toBe(0.5);
  });

  it('rejects bad input with one-line MetricErrors', () => {
    expect(() => fisherDivergence([1, 2], [1, 2, 3], 1)).toThrow(
      new MetricError('fisherDivergence: model has length 2, truth has length 3'),
    );
    expect(() => fisherDivergence([1, 2, 3], [1, 2, 3], 2)).toThrow('fisherDivergence: model has length 3, not a multiple of d = 2');
    expect(() => fisherDivergence([], [], 2)).toThrow('fisherDivergence: no points (model and truth are empty)');
    expect(() => fisherDivergence([1, Number.NaN], [1, 2], 2)).toThrow('fisherDivergence: model[1] is NaN, expected a finite number');
    expect(() => fisherDivergence([1, 2], [1, 2], 0)).toThrow('fisherDivergence: d must be a positive integer, got 0');
    expect(() => fisherDivergence([1, 2], [1, 2], 1, [0])).toThrow('fisherDivergence: logDensity has length 1, expected 2 (one per point)');
    expect(() => fisherDivergence([1, 2], [1, 2], 1, [0, Number.NaN])).toThrow(
      'fisherDivergence: logDensity[1] is NaN, expected a finite number',
    );
  });
});
