import { expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { scaleAdd } from './vector.js';
import { randomArray, sameBits } from './testing/reference.js';

const SIZES = [1, 3, 5, 17, 128];

forEachBuild((core) => {
  it.each(SIZES)('scaleAdd is a dst + b src, rounded as f32 per operation (n = %i)', (n) => {
    const c = core();
    const x = randomArray(n, 1),
      y = randomArray(n, 2);
    const dst = c.f32(n, x),
      src = c.f32(n, y);
    scaleAdd(c, dst, 0.25, src, 0.75);
    const f = Math.fround;
    expect(Array.from(dst.view)).toEqual(Array.from(x, (v, i) => f(f(f(0.25) * v) + f(f(0.75) * y[i]))));
    expect(Array.from(src.view)).toEqual(Array.from(y));
  });

  it('scaleAdd checks lengths and coefficients', () => {
    const c = core();
    expect(() => scaleAdd(c, c.f32(3), 1, c.f32(4), 1)).toThrow(/scaleAdd: src/);
    expect(() => scaleAdd(c, c.f32(3), NaN, c.f32(3), 1)).toThrow(/scaleAdd: a must be a finite number/);
  });
});

it('scaleAdd: SIMD and scalar builds agree bit for bit', async () => {
  const { simd, scalar } = await loadBoth();
  for (const n of SIZES) {
    const [a, b] = [simd, scalar].map((c) => {
      const dst = c.f32(n, randomArray(n, 3)),
        src = c.f32(n, randomArray(n, 4));
      scaleAdd(c, dst, 0.3, src, -1.7);
      return dst.toArray();
    });
    expect(sameBits(a, b)).toBe(true);
  }
});
