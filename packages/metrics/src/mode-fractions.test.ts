import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { modeFractions } from './mode-fractions.js';
import { gaussianPoints, pts } from './testing/gaussian.js';

const centres = [
  [0, 0],
  [10, 0],
];
// distances to the nearest centre: 0.1 (c0), 1 (c1), 1 (c1), 5 (tie -> c0), ~134 (c1)
const samples = pts([
  [0.1, 0],
  [9, 0],
  [10, 1],
  [5, 0],
  [100, 100],
]);

describe('modeFractions', () => {
  it('assigns every sample to its nearest centre without a radius (first centre on ties)', () => {
    const r = modeFractions(samples, centres, [1, 3]);
    expect(r.weights).toEqual([0.25, 0.75]);
    expect(r.fractions).toEqual([0.4, 0.6]);
    expect(r.offMode).toBe(0);
    expect(r.maxAbsError).toBeCloseTo(0.15, 15);
  });

  it('counts samples farther than the radius as off-mode; fractions are over all samples', () => {
    const r = modeFractions(samples, centres, [1, 3], { radius: 1 }); // distance exactly 1 is inside
    expect(r.fractions).toEqual([0.2, 0.4]);
    expect(r.offMode).toBeCloseTo(0.4, 15);
    expect(r.maxAbsError).toBeCloseTo(0.35, 15);
    const tight = modeFractions(samples, centres, [1, 3], { radius: 0.5 });
    expect(tight.fractions).toEqual([0.2, 0]); // mode 1 dropped
    expect(tight.offMode).toBeCloseTo(0.8, 15);
    expect(tight.maxAbsError).toBe(0.75);
  });

  it('recovers the weights of a sampled mixture', () => {
    const a = gaussianPoints(3000, [-4, 0], 0.5, 1);
    const b = gaussianPoints(1000, [4, 0], 0.5, 2);
    const all = { data: Float64Array.from([...a.data, ...b.data]), rows: 4000, cols: 2 };
    const r = modeFractions(
      all,
      [
        [-4, 0],
        [4, 0],
        [0, 8],
      ],
      [0.75, 0.25, 0],
      { radius: 3 },
    );
    expect(r.fractions).toEqual([0.75, 0.25, 0]);
    expect(r.maxAbsError).toBe(0);
    expect(r.offMode).toBe(0);
  });

  it('rejects bad input with one-line MetricErrors', () => {
    expect(() => modeFractions(samples, [[0, 0, 0]], [1])).toThrow(
      new MetricError('modeFractions: centres[0] has dimension 3, samples have dimension 2'),
    );
    expect(() => modeFractions(samples, [], [])).toThrow('modeFractions: centres must be a non-empty array of points');
    expect(() => modeFractions(samples, centres, [1])).toThrow('modeFractions: weights has length 1, expected 2 (one per centre)');
    expect(() => modeFractions(samples, centres, [1, -1])).toThrow('modeFractions: weights[1] is -1, expected a finite number >= 0');
    expect(() => modeFractions(samples, centres, [0, 0])).toThrow('modeFractions: weights sum to 0');
    expect(() =>
      modeFractions(
        samples,
        [
          [0, Number.NaN],
          [1, 1],
        ],
        [1, 1],
      ),
    ).toThrow('modeFractions: centres[0][1] is NaN, expected a finite number');
    expect(() => modeFractions(samples, centres, [1, 1], { radius: -1 })).toThrow(
      'modeFractions: radius must be a finite number >= 0, got -1',
    );
    expect(() => modeFractions({ data: [], rows: 0, cols: 2 }, centres, [1, 1])).toThrow(
      'modeFractions: samples has 0 points, need at least 1',
    );
  });
});
