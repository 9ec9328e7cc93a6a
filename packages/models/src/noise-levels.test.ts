import { describe, expect, it } from 'vitest';
import {
  dataScales,
  fixedNoiseLevels,
  LOW_DIM_RATIO,
  ladderSigmas,
  noiseLadder,
  resolveObjective,
  techniqueTwoRatio,
} from './noise-levels.js';

/** Standard normal CDF by Simpson's rule on the density (an independent check of the erf approximation). */
function phi(x: number): number {
  const n = 4000,
    a = -12,
    h = (x - a) / n,
    f = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let s = f(a) + f(x);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}
const overlap = (D: number, g: number) => phi(Math.sqrt(2 * D) * (g - 1) + 3 * g) - phi(Math.sqrt(2 * D) * (g - 1) - 3 * g);

describe('technique 2 (Song & Ermon 2020): the ratio between levels from the dimension', () => {
  it('has no root with gamma > 1 up to D = 4: the overlap is 0.997 at gamma = 1 and only grows', () => {
    for (const D of [1, 2, 3, 4]) {
      expect(techniqueTwoRatio(D)).toBeUndefined();
      expect(overlap(D, 1)).toBeCloseTo(0.9973, 4);
      for (const g of [1.1, 1.5, 2, 5, 50]) expect(overlap(D, g)).toBeGreaterThan(0.99);
    }
  });

  it('solves the overlap equation where a root exists, and gives the paper-scale ratios in high dimensions', () => {
    for (const D of [5, 10, 100, 784, 3072]) {
      const g = techniqueTwoRatio(D)!;
      expect(g).toBeGreaterThan(1);
      expect(Math.abs(overlap(D, g) - 0.5)).toBeLessThan(1e-5);
    }
    expect(techniqueTwoRatio(5)).toBeGreaterThan(15); // useless at low D: the cap takes over
    expect(techniqueTwoRatio(3072)).toBeCloseTo(1.04, 2); // CIFAR-10 (3x32x32)
  });
});

describe('data scales and the ladder', () => {
  it('measures the largest pairwise distance and the median nearest-neighbour distance (duplicates skipped)', () => {
    // A 10 x 10 grid of spacing 0.5 (each point twice): max distance 4.5 sqrt 2, nearest neighbour 0.5.
    const data: number[] = [];
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) data.push(i * 0.5, j * 0.5, i * 0.5, j * 0.5);
    const s = dataScales({ data, rows: 200, cols: 2 });
    expect(s.maxDistance).toBeCloseTo(4.5 * Math.SQRT2, 12);
    expect(s.nearestNeighbour).toBeCloseTo(0.5, 12);
    expect(s.subsample).toBe(200);
    // An even stride through larger data.
    expect(dataScales({ data: new Float64Array(2 * 5000).map((_, i) => i), rows: 5000, cols: 2 }, 100).subsample).toBe(100);
  });

  it('builds a geometric ladder from sigma_1 = max distance to sigma_L = 4 x nearest neighbour with ratio at most 1.5 in 2-D', () => {
    const l = noiseLadder({ maxDistance: 4, nearestNeighbour: 0.01, subsample: 1000 }, 2);
    expect(l.sigmaMax).toBe(4);
    expect(l.sigmaMin).toBeCloseTo(0.04, 12);
    expect(l.ratio).toBeLessThanOrEqual(LOW_DIM_RATIO);
    expect(l.ratio ** (l.levels - 1)).toBeCloseTo(100, 9);
    const sigmas = ladderSigmas(l);
    expect(sigmas).toHaveLength(l.levels);
    expect(sigmas[0]).toBeCloseTo(4, 12);
    expect(sigmas.at(-1)).toBeCloseTo(0.04, 12);
    // In high dimensions technique 2's smaller ratio applies.
    expect(noiseLadder({ maxDistance: 50, nearestNeighbour: 1, subsample: 1000 }, 3072).ratio).toBeLessThan(1.05);
  });

  it('falls back to the fixed ladder for degenerate data and keeps at least two levels', () => {
    expect(noiseLadder({ maxDistance: 0, nearestNeighbour: 0, subsample: 5 }, 2)).toMatchObject({ sigmaMax: 1, sigmaMin: 0.01 });
    const close = noiseLadder({ maxDistance: 1, nearestNeighbour: 0.9, subsample: 2 }, 2);
    expect(close.levels).toBe(2);
    expect(close.sigmaMin).toBeCloseTo(1 / LOW_DIM_RATIO, 12);
  });

  it('fills in only the noise levels left out, from the data or from the fixed levels', () => {
    const l = noiseLadder({ maxDistance: 4, nearestNeighbour: 0.01, subsample: 1000 }, 2);
    expect(resolveObjective({ name: 'ncsn' }, l, 'data')).toEqual({ name: 'ncsn', sigmas: ladderSigmas(l) });
    expect(resolveObjective({ name: 'ncsn', sigmas: [2, 1] }, l, 'data')).toEqual({ name: 'ncsn', sigmas: [2, 1] });
    expect(resolveObjective({ name: 'ncsn' }, undefined, 'fixed')).toEqual({ name: 'ncsn', sigmas: fixedNoiseLevels.sigmas });
    expect(resolveObjective({ name: 'dsm' }, undefined, 'fixed')).toEqual({ name: 'dsm', sigma: 0.1 });
    expect(resolveObjective({ name: 'continuous' }, l, 'data')).toEqual({
      name: 'continuous',
      sde: 've',
      sigmaMax: 4,
      sigmaMin: l.sigmaMin,
    });
    expect(resolveObjective({ name: 'continuous', sde: 've', sigmaMax: 9 }, l, 'data')).toMatchObject({
      sigmaMax: 9,
      sigmaMin: l.sigmaMin,
    });
    // VP keeps its beta schedule; 'fixed' leaves the VE SDE to its built-in 5 -> 0.01 (the spec as given).
    expect(resolveObjective({ name: 'continuous', sde: 'vp' }, l, 'data')).toEqual({ name: 'continuous', sde: 'vp' });
    expect(JSON.stringify(resolveObjective({ name: 'continuous', sde: 've' }, undefined, 'fixed'))).toBe(
      '{"name":"continuous","sde":"ve"}',
    );
    expect(resolveObjective({ name: 'esm' }, l, 'data')).toEqual({ name: 'esm' });
    expect(() => resolveObjective({ name: 'dsm' }, l, 'paper' as 'data')).toThrow(
      "train: unknown noise-level source 'paper'; valid: data, fixed",
    );
  });
});
