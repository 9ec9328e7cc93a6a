import { describe, expect, it } from 'vitest';
import { dataRange, gridPoints } from './range.js';

describe('gridPoints', () => {
  it('gives cell centres, x fastest, 2·nx·ny values', () => {
    const g = gridPoints([0, 4], [10, 12], 4, 2);
    expect(g).toBeInstanceOf(Float64Array);
    expect(g.length).toBe(16);
    expect(Array.from(g)).toEqual([0.5, 10.5, 1.5, 10.5, 2.5, 10.5, 3.5, 10.5, 0.5, 11.5, 1.5, 11.5, 2.5, 11.5, 3.5, 11.5]);
  });
  it('single cell is the rectangle centre', () => {
    expect(Array.from(gridPoints([-1, 3], [2, 4], 1, 1))).toEqual([1, 3]);
  });
  it('keeps every point strictly inside the rectangle and symmetric about its centre', () => {
    const g = gridPoints([-2, 2], [-2, 2], 25, 25);
    expect(g.length).toBe(2 * 625);
    let sx = 0,
      sy = 0;
    for (let k = 0; k < g.length; k += 2) {
      expect(Math.abs(g[k])).toBeLessThan(2);
      expect(Math.abs(g[k + 1])).toBeLessThan(2);
      sx += g[k];
      sy += g[k + 1];
    }
    expect(Math.abs(sx)).toBeLessThan(1e-9);
    expect(Math.abs(sy)).toBeLessThan(1e-9);
  });
  it('rejects bad sizes and ranges', () => {
    expect(() => gridPoints([0, 1], [0, 1], 0, 3)).toThrow(/nx/);
    expect(() => gridPoints([0, 1], [0, 1], 2, 2.5)).toThrow(/ny/);
    expect(() => gridPoints([1, 1], [0, 1], 2, 2)).toThrow(/xRange/);
    expect(() => gridPoints([0, 1], [0, NaN], 2, 2)).toThrow(/yRange/);
  });
});

describe('dataRange', () => {
  it('pads by pad × span on each side, then squares about the centre', () => {
    // x in [0, 10] (span 10), y in [0, 2] (span 2)
    const r = dataRange([new Float64Array([0, 0, 10, 2])], 0.1);
    expect(r.x[0]).toBeCloseTo(-1, 12);
    expect(r.x[1]).toBeCloseTo(11, 12);
    // y widened to the same span 12, centred on 1
    expect(r.y[0]).toBeCloseTo(-5, 12);
    expect(r.y[1]).toBeCloseTo(7, 12);
  });
  it('covers all arrays and is square', () => {
    const r = dataRange([[0, 0, 1, 1], new Float32Array([-3, 0.5]), [2, 8]], 0);
    expect(r.x[1] - r.x[0]).toBeCloseTo(r.y[1] - r.y[0], 12);
    expect(r.x[0]).toBeLessThanOrEqual(-3);
    expect(r.x[1]).toBeGreaterThanOrEqual(2);
    expect(r.y[0]).toBeCloseTo(0, 12);
    expect(r.y[1]).toBeCloseTo(8, 12);
  });
  it('skips points with a non-finite coordinate', () => {
    const r = dataRange([[0, 0, 1, 1, NaN, 100, 50, Infinity, -Infinity, 0]], 0);
    expect(r.x).toEqual([0, 1]);
    expect(r.y).toEqual([0, 1]);
  });
  it('falls back to [-1, 1] for empty or all-non-finite input', () => {
    expect(dataRange([])).toEqual({ x: [-1, 1], y: [-1, 1] });
    expect(dataRange([[], new Float64Array(0)])).toEqual({ x: [-1, 1], y: [-1, 1] });
    expect(dataRange([[NaN, NaN, 1, NaN]])).toEqual({ x: [-1, 1], y: [-1, 1] });
  });
  it('gives ±1 around a single point and never an empty range', () => {
    expect(dataRange([[3, -2, 3, -2]])).toEqual({ x: [2, 4], y: [-3, -1] });
    const big = dataRange([[1e20, 1e20]]);
    expect(big.x[1]).toBeGreaterThan(big.x[0]);
    expect(big.y[1]).toBeGreaterThan(big.y[0]);
  });
  it('treats a negative pad as 0 and ignores a trailing odd value', () => {
    expect(dataRange([[0, 0, 2, 2, 99]], -1)).toEqual({ x: [0, 2], y: [0, 2] });
  });
});
