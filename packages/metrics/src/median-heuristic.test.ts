import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { medianHeuristic } from './median-heuristic.js';
import { pts } from './testing/gaussian.js';

describe('medianHeuristic', () => {
  it('is the median pairwise distance on a line (even number of pairs)', () => {
    // 0..4: distances 1 x4, 2 x3, 3 x2, 4 x1 -> sorted middle pair (2, 2)
    expect(medianHeuristic(pts([[0], [1], [2], [3], [4]]))).toBe(2);
    // 0..3: 1,1,1,2,2,3 -> (1 + 2) / 2
    expect(medianHeuristic(pts([[0], [1], [2], [3]]))).toBe(1.5);
  });

  it('is the median pairwise distance of a square and a triangle (odd)', () => {
    // unit square: four sides 1, two diagonals sqrt 2 -> 1
    expect(
      medianHeuristic(
        pts([
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ]),
      ),
    ).toBe(1);
    // 3-4-5 triangle: 3, 4, 5 -> 4
    expect(
      medianHeuristic(
        pts([
          [0, 0],
          [3, 0],
          [0, 4],
        ]),
      ),
    ).toBe(4);
  });

  it('looks only at the first maxPoints points', () => {
    const p = pts([[0], [1], [2], [3], [100], [200], [300]]);
    expect(medianHeuristic(p, { maxPoints: 4 })).toBe(1.5);
    expect(medianHeuristic(p, { maxPoints: 2 })).toBe(1);
    expect(medianHeuristic(p)).toBe(100); // all 21 pairs: 1,1,1,2,2,3,97,98,99,100,[100],...
  });

  it('rejects degenerate input', () => {
    expect(() => medianHeuristic(pts([[1, 1]]))).toThrow(new MetricError('medianHeuristic: points has 1 point, need at least 2'));
    expect(() => medianHeuristic(pts([[1], [1], [1], [1], [5]]))).toThrow(
      'medianHeuristic: median pairwise distance is 0 (more than half of the 5 points coincide)',
    );
    expect(() => medianHeuristic(pts([[0], [1]]), { maxPoints: 1 })).toThrow('medianHeuristic: maxPoints must be an integer >= 2, got 1');
  });
});
