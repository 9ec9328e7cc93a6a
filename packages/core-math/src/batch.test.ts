import { expect, it } from 'vitest';
import { forEachBuild } from './testing/builds.js';
import { gatherRandomRows } from './batch.js';

forEachBuild((core) => {
  it('gatherRandomRows copies whole rows, uniformly, one draw per row', () => {
    const c = core();
    const N = 5,
      d = 3;
    const data = c.f32(
      N * d,
      Array.from({ length: N * d }, (_, i) => i),
    );
    const batch = c.f32(5000 * d),
      rng = c.rng(3);
    gatherRandomRows(c, rng, data, N, d, batch);
    expect(rng.counter).toBe(5000n);
    const counts = new Array(N).fill(0);
    for (let b = 0; b < 5000; b++) {
      const r = batch.view[b * d] / d;
      expect(Array.from(batch.view.subarray(b * d, b * d + d))).toEqual([r * d, r * d + 1, r * d + 2]);
      counts[r]++;
    }
    counts.forEach((k) => expect(Math.abs(k - 1000)).toBeLessThan(120));
  });

  it('names the shape it refuses', () => {
    const c = core();
    expect(() => gatherRandomRows(c, c.rng(1), c.f32(5), 3, 2, c.f32(4))).toThrow(
      'gatherRandomRows: data has 5 floats, expected rows*d 3*2 = 6',
    );
  });
});
