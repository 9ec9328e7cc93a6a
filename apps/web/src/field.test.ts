import { describe, expect, it } from 'vitest';
import { fieldSignature, gridPoints, viewRange } from './field.js';

describe('field helpers', () => {
  it('grid points are cell centres, row-major from the bottom', () => {
    const g = gridPoints({ x0: 0, x1: 4, y0: -2, y1: 2 }, 4);
    expect(g.rows).toBe(16);
    expect(Array.from(g.data.subarray(0, 4))).toEqual([0.5, -1.5, 1.5, -1.5]);
    expect(Array.from(g.data.subarray(8, 10))).toEqual([0.5, -0.5]);
  });

  it('the view box is square and holds the data', () => {
    const data = new Float32Array(2000);
    for (let i = 0; i < 1000; i++) {
      data[2 * i] = (i % 100) / 10;
      data[2 * i + 1] = Math.floor(i / 100) / 10 - 0.5;
    }
    const r = viewRange({ data, rows: 1000 });
    expect(r.x1 - r.x0).toBeCloseTo(r.y1 - r.y0, 9);
    expect(r.x0).toBeLessThan(0);
    expect(r.x1).toBeGreaterThan(9.9);
  });

  it('the field signature changes when the field does', () => {
    const a = new Float32Array([1, 2, 3, 4]),
      b = new Float32Array([1, 2, 3, 4.01]);
    expect(fieldSignature(a).hash).not.toBe(fieldSignature(b).hash);
    expect(fieldSignature(a).meanNorm).toBeCloseTo((Math.hypot(1, 2) + Math.hypot(3, 4)) / 2, 6);
  });
});
