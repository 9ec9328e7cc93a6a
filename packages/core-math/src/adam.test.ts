import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { Adam } from './adam.js';
import { maxRelError, randomArray, sameBits } from './testing/reference.js';

/** Adam, Algorithm 1 of Kingma & Ba 2015, in f64. */
function refAdam(p: number[], grads: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = p.map(() => 0),
    v = p.map(() => 0);
  grads.forEach((g, t) => {
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mh = m[i] / (1 - b1 ** (t + 1)),
        vh = v[i] / (1 - b2 ** (t + 1));
      p[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return p;
}

forEachBuild((core) => {
  it.each([1, 3, 5, 17, 128])('matches the reference over 10 steps (n = %i)', (n) => {
    const c = core();
    const p0 = randomArray(n, 1),
      params = c.f32(n, p0),
      grads = c.f32(n);
    const adam = new Adam(c, n, { lr: 0.01 });
    const gs = Array.from({ length: 10 }, (_, t) => Array.from(randomArray(n, 10 + t)));
    for (const g of gs) {
      grads.set(g);
      adam.update(params, grads);
    }
    expect(maxRelError(params.view, refAdam(Array.from(p0), gs, 0.01))).toBeLessThan(1e-5);
    expect(adam.step).toBe(10);
  });

  it('minimises a quadratic', () => {
    const c = core();
    const params = c.f32(3, [5, -3, 1]),
      grads = c.f32(3);
    const adam = new Adam(c, 3, { lr: 0.05 });
    for (let t = 0; t < 2000; t++) {
      grads.set(Array.from(params.view, (v, i) => 2 * (v - i))); // minimum at (0, 1, 2)
      adam.update(params, grads);
    }
    Array.from(params.view).forEach((v, i) => expect(v).toBeCloseTo(i, 2));
  });

  it('rejects bad hyper-parameters and sizes', () => {
    const c = core();
    expect(() => new Adam(c, 3, { lr: 0 })).toThrow('Adam: lr must be a finite positive number, got 0');
    expect(() => new Adam(c, 3, { lr: 1e-3, beta1: 1 })).toThrow(/beta1 must be in \[0, 1\)/);
    expect(() => new Adam(c, 3, { lr: 1e-3 }).update(c.f32(2), c.f32(3))).toThrow('adamStep: params has 2 floats, expected size = 3');
  });
});

describe('adam: SIMD and scalar builds', () => {
  it('agree bit for bit (n = 17: vector body and scalar tail)', async () => {
    const { simd, scalar } = await loadBoth();
    const [a, b] = [simd, scalar].map((c) => {
      const params = c.f32(17, randomArray(17, 1)),
        grads = c.f32(17),
        adam = new Adam(c, 17, { lr: 0.1 });
      for (let t = 0; t < 5; t++) {
        grads.set(randomArray(17, t));
        adam.update(params, grads);
      }
      return params.toArray();
    });
    expect(sameBits(a, b)).toBe(true);
  });
});
