import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { checkPoints, type Points } from './points.js';

describe('checkPoints', () => {
  it('returns the same Float64Array or copies other array-likes', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    expect(checkPoints('f', 'x', { data, rows: 2, cols: 2 }).data).toBe(data);
    const c = checkPoints('f', 'x', { data: [1, 2, 3, 4], rows: 2, cols: 2 });
    expect(c.data).toBeInstanceOf(Float64Array);
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4]);
  });

  it.each<[Points, number, string]>([
    [{ data: [1, 2, 3], rows: 2, cols: 2 }, 1, 'f: x.data has length 3, expected rows * cols = 4'],
    [{ data: [], rows: 0, cols: 2 }, 1, 'f: x has 0 points, need at least 1'],
    [{ data: [1, 2], rows: 1, cols: 2 }, 2, 'f: x has 1 point, need at least 2'],
    [{ data: [1, Number.NaN, 3, 4], rows: 2, cols: 2 }, 1, 'f: x has a non-finite value NaN at point 0, coordinate 1 (both 0-based)'],
    [{ data: [1, 2, 3, -Infinity], rows: 2, cols: 2 }, 1, 'f: x has a non-finite value -Infinity at point 1, coordinate 1 (both 0-based)'],
    [{ data: [1, 2], rows: 2, cols: 0 }, 1, 'f: x.cols must be a positive integer, got 0'],
    [{ data: [1, 2], rows: 1.5, cols: 1 }, 1, 'f: x.rows must be a non-negative integer, got 1.5'],
  ])('rejects %j', (p, minRows, message) => {
    expect(() => checkPoints('f', 'x', p, minRows)).toThrow(new MetricError(message));
  });

  it('rejects a non-object', () => {
    expect(() => checkPoints('f', 'x', null as unknown as Points)).toThrow('f: x must be { data, rows, cols }, got null');
  });
});
