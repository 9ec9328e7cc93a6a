import { describe, expect, it } from 'vitest';
import { formatPow10, formatTick, logTickExponents, niceTicks } from './ticks.js';

/** m such that step = m × 10^k, m in [1, 10). */
function mantissa(step: number): number {
  return step / 10 ** Math.floor(Math.log10(step) + 1e-12);
}

describe('niceTicks', () => {
  const ranges: [number, number][] = [
    [0, 1],
    [0, 10],
    [0, 7],
    [-3.2, 4.9],
    [-1, 1],
    [1e-6, 3e-6],
    [0.0012, 0.0013],
    [-250, -20],
    [1234, 98765],
    [-5e7, 5e7],
    [0.1, 0.3],
    [2.04, 2.06],
  ];
  for (const [lo, hi] of ranges) {
    it(`[${lo}, ${hi}]: step 1/2/5 × 10^k, inside the range, sensible count`, () => {
      const t = niceTicks(lo, hi);
      expect(t.length).toBeGreaterThanOrEqual(3);
      expect(t.length).toBeLessThanOrEqual(11);
      for (const v of t) {
        expect(v).toBeGreaterThanOrEqual(lo - 1e-12 * Math.abs(lo));
        expect(v).toBeLessThanOrEqual(hi + 1e-12 * Math.abs(hi));
      }
      const step = t[1] - t[0];
      for (let i = 1; i < t.length; i++) expect((t[i] - t[i - 1]) / step).toBeCloseTo(1, 6);
      const m = mantissa(step);
      expect([1, 2, 5].some((c) => Math.abs(m - c) < 1e-6)).toBe(true);
      // Each tick is a whole multiple of the step.
      for (const v of t) expect(Math.abs(v / step - Math.round(v / step))).toBeLessThan(1e-6);
    });
  }
  it('gives exact decimals (no 0.30000000000000004)', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.1, 0.3, 4)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Object.is(niceTicks(-1, 1, 4)[2], 0)).toBe(true);
  });
  it('accepts reversed ends, handles degenerate and non-finite input', () => {
    expect(niceTicks(10, 0)).toEqual(niceTicks(0, 10));
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(NaN, 1)).toEqual([]);
    expect(niceTicks(0, Infinity)).toEqual([]);
  });
  it('follows count roughly', () => {
    expect(niceTicks(0, 100, 10)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(niceTicks(0, 100, 2)).toEqual([0, 50, 100]);
  });
});

describe('formatTick', () => {
  it('uses the decimals the step needs and a real minus sign', () => {
    expect(formatTick(0.4, 0.2)).toBe('0.4');
    expect(formatTick(-1.5, 0.5)).toBe('−1.5');
    expect(formatTick(150, 50)).toBe('150');
    expect(formatTick(0, 0.01)).toBe('0');
    expect(formatTick(0.0012, 0.0001)).toBe('0.0012');
  });
  it('switches to exponents for extreme magnitudes', () => {
    expect(formatTick(2e-6, 1e-6)).toBe('2e-6');
    expect(formatTick(3e7, 1e7)).toBe('3e7');
    expect(formatTick(1.5e-6, 5e-7)).toBe('1.5e-6');
  });
});

describe('log ticks', () => {
  it('lists the decades inside the range', () => {
    expect(logTickExponents(0.005, 20)).toEqual([-2, -1, 0, 1]);
    expect(logTickExponents(1e-3, 1)).toEqual([-3, -2, -1, 0]);
  });
  it('thins out long ranges but keeps 10^0', () => {
    const e = logTickExponents(1e-12, 1e8, 8);
    expect(e.length).toBeLessThanOrEqual(8);
    expect(e).toContain(0);
    for (let i = 1; i < e.length; i++) expect(e[i] - e[i - 1]).toBe(e[1] - e[0]);
  });
  it('returns nothing for non-positive ranges', () => {
    expect(logTickExponents(0, 10)).toEqual([]);
    expect(logTickExponents(-1, 10)).toEqual([]);
  });
  it('labels decades readably', () => {
    expect(formatPow10(0)).toBe('1');
    expect(formatPow10(2)).toBe('100');
    expect(formatPow10(-3)).toBe('0.001');
    expect(formatPow10(-5)).toBe('10⁻⁵');
    expect(formatPow10(12)).toBe('10¹²');
  });
});
