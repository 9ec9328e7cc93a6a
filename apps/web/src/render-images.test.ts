import { describe, expect, it } from 'vitest';
import { GRID_COLUMNS, gridPixels } from './render-images.js';

describe('the grid of images', () => {
  it('lays images out in rows of 8 with a one-pixel gap, ink white, background black, clamped; non-finite in the gap colour', () => {
    const shape = { width: 3, height: 2 };
    // Image i has value i / 10 everywhere but its pixel (1, 2), which is 1 (ink); image 9 is out of range and NaN.
    const images = new Float32Array(10 * 6);
    for (let i = 0; i < 10; i++) {
      images.fill(i / 10, 6 * i, 6 * i + 6);
      images[6 * i + 5] = 1;
    }
    images.set([-1, 2, Number.NaN, 0.5, 0.5, 0.5], 6 * 9);
    const g = gridPixels(images, shape);
    expect(GRID_COLUMNS).toBe(8);
    expect([g.width, g.height]).toEqual([8 * 4 + 1, 2 * 3 + 1]);
    const at = (x: number, y: number) => Array.from(g.data.subarray(4 * (y * g.width + x), 4 * (y * g.width + x) + 4));
    const gap = at(0, 0);
    expect(gap).toEqual([42, 48, 64, 255]);
    expect(at(1, 1)).toEqual([0, 0, 0, 255]); // image 0, pixel (0, 0)
    expect(at(3, 2)).toEqual([255, 255, 255, 255]); // image 0, pixel (1, 2): ink
    expect(at(4, 1)).toEqual(gap); // the gap after image 0
    expect(at(5, 1)).toEqual([26, 26, 26, 255]); // image 1: 0.1
    expect(at(1 + 4, 1 + 3)).toEqual([0, 0, 0, 255]); // image 9 (second row, column 1): -1 clamped to 0
    expect(at(2 + 4, 1 + 3)).toEqual([255, 255, 255, 255]); // 2 clamped to 1
    expect(at(3 + 4, 1 + 3)).toEqual(gap); // NaN
    expect(at(1 + 8, 1 + 3)).toEqual(gap); // no image 10
  });

  it('shows at most 64 images, one row for one image', () => {
    const shape = { width: 2, height: 2 };
    expect(gridPixels(new Float32Array(100 * 4), shape)).toMatchObject({ width: 25, height: 25 });
    expect(gridPixels(new Float32Array(4), shape)).toMatchObject({ width: 25, height: 4 });
  });
});
