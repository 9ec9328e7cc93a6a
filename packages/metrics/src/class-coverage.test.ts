import { describe, expect, it } from 'vitest';
import { classCoverage } from './class-coverage.js';
import { MetricError } from './errors.js';
import { pts } from './testing/gaussian.js';

describe('classCoverage', () => {
  it('counts the top class of each sample and averages the top probability', () => {
    const r = classCoverage(
      pts([
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.1],
        [0.05, 0.05, 0.9],
        [0.6, 0.3, 0.1],
      ]),
    );
    expect(Array.from(r.fractions)).toEqual([0.5, 0.25, 0.25]);
    expect(r.minFraction).toBe(0.25);
    expect(r.meanTopProbability).toBeCloseTo((0.7 + 0.8 + 0.9 + 0.6) / 4, 15);
  });

  it('sees a missing class and unrecognisable samples', () => {
    const oneHot = pts([
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const r = classCoverage(oneHot);
    expect(Array.from(r.fractions)).toEqual([2 / 3, 1 / 3, 0]);
    expect(r.minFraction).toBe(0);
    expect(r.meanTopProbability).toBe(1);
    // uniform rows: nothing recognised (1 / K), ties go to the lowest class
    const uniform = classCoverage(pts(Array.from({ length: 5 }, () => [0.25, 0.25, 0.25, 0.25])));
    expect(uniform.meanTopProbability).toBe(0.25);
    expect(Array.from(uniform.fractions)).toEqual([1, 0, 0, 0]);
  });

  it('refuses rows that are not probabilities, with one line', () => {
    const bad: [() => unknown, string][] = [
      [() => classCoverage(pts([[0.5, 0.6]])), 'classCoverage: probabilities of sample 0 sum to 1.1, not 1'],
      [() => classCoverage(pts([[1.5, -0.5]])), 'classCoverage: probabilities has 1.5 at sample 0, class 0, outside [0, 1]'],
      [() => classCoverage({ data: [], rows: 0, cols: 10 }), 'classCoverage: probabilities has 0 points, need at least 1'],
      [() => classCoverage({ data: [0.5, Number.NaN], rows: 1, cols: 2 }), 'classCoverage: probabilities has a non-finite value NaN'],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrow(MetricError);
      expect(f).toThrow(message);
    }
  });
});
