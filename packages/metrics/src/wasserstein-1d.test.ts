import { describe, expect, it } from 'vitest';
import { wassersteinPowerSorted } from './wasserstein-1d.js';

describe('wassersteinPowerSorted', () => {
  it('is the mean of |a_i - b_i|^p for equal sizes', () => {
    expect(wassersteinPowerSorted([0, 1, 2], [1, 1, 5], 1)).toBeCloseTo((1 + 0 + 3) / 3, 15);
    expect(wassersteinPowerSorted([0, 1, 2], [1, 1, 5], 2)).toBeCloseTo((1 + 0 + 9) / 3, 15);
  });

  it('integrates the quantile functions over the union of levels for different sizes', () => {
    // F_a^-1: 0 on [0, 1/2), 1 on [1/2, 1); F_b^-1: 0, 0.5, 1 on thirds. They differ by 0.5 on [1/3, 2/3).
    expect(wassersteinPowerSorted([0, 1], [0, 0.5, 1], 1)).toBeCloseTo(1 / 6, 15);
    expect(wassersteinPowerSorted([0, 1], [0, 0.5, 1], 2)).toBeCloseTo(1 / 12, 15);
    // single point against a set: mean |b_j - a|^p
    expect(wassersteinPowerSorted([1], [0, 1, 5], 1)).toBeCloseTo(5 / 3, 15);
    expect(wassersteinPowerSorted([0, 1, 5], [1], 2)).toBeCloseTo(17 / 3, 15);
  });

  it('is 0 for a set against itself replicated, and levels merge exactly', () => {
    const a = [-2, 0.5, 3];
    expect(wassersteinPowerSorted(a, [-2, -2, 0.5, 0.5, 3, 3], 2)).toBe(0);
    const b = Array.from({ length: 7 }, (_, i) => i / 7);
    const bb = b.flatMap((v) => [v, v, v]);
    expect(wassersteinPowerSorted(b, bb, 1)).toBe(0);
  });
});
