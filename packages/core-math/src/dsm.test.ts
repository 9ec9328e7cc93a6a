import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { Adam } from './adam.js';
import { dsmLossGrad, gatherRandomRows } from './dsm.js';
import { rngNormal } from './rng-draws.js';
import type { Core } from './core.js';
import { finiteDifference, normRelError, randomArray, refMlpForward, sameBits, testRandom } from './testing/reference.js';

function setup(c: Core, dims: number[], batch: number) {
  const net = new MlpLayout(c, dims, 'softplus');
  const d = dims[0];
  const params = c.f32(net.paramCount);
  net.initParams(c.rng(11), params);
  const bufs = { noisy: c.f32(batch * d), score: c.f32(batch * d), gscore: c.f32(batch * d), ws: c.f32(net.workspaceFloats(batch)) };
  return { net, params, bufs, gparams: c.f32(net.paramCount) };
}

forEachBuild((core) => {
  it.each([[[2, 17, 2], 1], [[3, 5, 3], 5], [[2, 128, 128, 2], 17], [[5, 3, 5], 128]] as const)(
    'loss and gradient match the f64 reference and finite differences: %j, batch %i', (dims, batch) => {
      const c = core();
      const { net, params, bufs, gparams } = setup(c, [...dims], batch);
      const d = dims[0], sigma = 0.3;
      const x0 = randomArray(batch * d, 3, -2, 2), x = c.f32(x0.length, x0);
      const rng = c.rng(5);
      const loss = dsmLossGrad(c, net, params, x, batch, sigma, rng, gparams, bufs);
      expect(rng.counter).toBe(BigInt(batch * d)); // one normal per coordinate
      // replay the noise: z = (x~ - x) / sigma, from the same stream position
      const z = c.f32(batch * d);
      rngNormal(c, c.rng(5), z);
      const noisy = Float64Array.from(x0, (v, i) => Math.fround(v + Math.fround(sigma * z.view[i])));
      expect(normRelError(bufs.noisy.view, noisy)).toBeLessThan(1e-7);
      const refLoss = (p: ArrayLike<number>) => {
        const s = refMlpForward([...dims], 'softplus', p, noisy, batch);
        let sum = 0;
        for (let i = 0; i < s.length; i++) sum += (s[i] + (noisy[i] - x0[i]) / sigma ** 2) ** 2;
        return (0.5 * sum) / batch;
      };
      const p0 = Float64Array.from(params.view);
      expect(Math.abs(loss - refLoss(p0)) / refLoss(p0)).toBeLessThan(1e-4);
      const rand = testRandom(9);
      const idx = Array.from({ length: 20 }, () => Math.floor(rand() * net.paramCount));
      const fd = idx.map((i) => finiteDifference(refLoss, p0, i, 1e-4));
      expect(normRelError(idx.map((i) => gparams.view[i]), fd)).toBeLessThan(1e-3);
    });

  it('fits the known optimum on Gaussian data: s(x~) = -(x~ - mu) / (s0^2 + sigma^2)', () => {
    // Data N(mu, s0^2 I); the noisy marginal is N(mu, (s0^2 + sigma^2) I), whose score is the DSM minimiser.
    const c = core();
    const N = 4096, batch = 256, sigma = 0.5, s0 = 0.8, mu = [1.5, -0.5];
    const data = c.f32(N * 2);
    rngNormal(c, c.rng(1), data, 0, s0);
    for (let i = 0; i < N; i++) { data.view[2 * i] += mu[0]; data.view[2 * i + 1] += mu[1]; }
    // use the sample moments so the target is exact for this finite data set
    const m = [0, 1].map((k) => data.view.filter((_, i) => i % 2 === k).reduce((s, v) => s + v, 0) / N);
    const v = [0, 1].map((k) => data.view.filter((_, i) => i % 2 === k).reduce((s, x) => s + (x - m[k]) ** 2, 0) / N);
    const { net, params, bufs, gparams } = setup(c, [2, 2], batch);
    const adam = new Adam(c, net.paramCount, { lr: 0.01 });
    const x = c.f32(batch * 2), rng = c.rng(2);
    for (let t = 0; t < 4000; t++) {
      gatherRandomRows(c, rng, data, N, 2, x);
      gparams.view.fill(0);
      dsmLossGrad(c, net, params, x, batch, sigma, rng, gparams, bufs);
      adam.update(params, gparams, t < 3000 ? 0.01 : 0.001);
    }
    const [w00, w01, w10, w11, b0, b1] = params.view; // W input-major [2,2], then b
    for (const k of [0, 1]) {
      const lam = 1 / (v[k] + sigma * sigma);
      expect([w00, w11][k]).toBeCloseTo(-lam, 1);
      expect(Math.abs([w00, w11][k] + lam) / lam).toBeLessThan(0.05);
      expect(Math.abs([b0, b1][k] - m[k] * lam)).toBeLessThan(0.05);
    }
    expect(Math.abs(w01)).toBeLessThan(0.03);
    expect(Math.abs(w10)).toBeLessThan(0.03);
  });

  it('gatherRandomRows copies whole rows, uniformly', () => {
    const c = core();
    const N = 5, d = 3;
    const data = c.f32(N * d, Array.from({ length: N * d }, (_, i) => i));
    const batch = c.f32(5000 * d);
    gatherRandomRows(c, c.rng(3), data, N, d, batch);
    const counts = new Array(N).fill(0);
    for (let b = 0; b < 5000; b++) {
      const r = batch.view[b * d] / d;
      expect(Array.from(batch.view.subarray(b * d, b * d + d))).toEqual([r * d, r * d + 1, r * d + 2]);
      counts[r]++;
    }
    counts.forEach((k) => expect(Math.abs(k - 1000)).toBeLessThan(120));
  });

  it('rejects a non-positive sigma and a network that is not d -> d', () => {
    const c = core();
    const { net, params, bufs, gparams } = setup(c, [2, 3, 2], 4);
    expect(() => dsmLossGrad(c, net, params, c.f32(8), 4, 0, c.rng(1), gparams, bufs)).toThrow('dsmLossGrad: sigma must be a finite positive number, got 0');
    const bad = new MlpLayout(c, [2, 3, 1], 'silu');
    expect(() => dsmLossGrad(c, bad, c.f32(bad.paramCount), c.f32(8), 4, 1, c.rng(1), c.f32(bad.paramCount), bufs)).toThrow(/maps R\^d to R\^d, got 2 -> 1/);
  });
});

describe('dsm: SIMD and scalar builds', () => {
  it('agree bit for bit over 20 training steps', async () => {
    const { simd, scalar } = await loadBoth();
    const [a, b] = [simd, scalar].map((c) => {
      const { net, params, bufs, gparams } = setup(c, [2, 64, 64, 2], 33);
      const adam = new Adam(c, net.paramCount, { lr: 1e-3 });
      const x = c.f32(66, randomArray(66, 1)), rng = c.rng(4);
      const losses: number[] = [];
      for (let t = 0; t < 20; t++) {
        gparams.view.fill(0);
        losses.push(dsmLossGrad(c, net, params, x, 33, 0.1, rng, gparams, bufs));
        adam.update(params, gparams);
      }
      return { params: params.toArray(), losses };
    });
    expect(sameBits(a.params, b.params)).toBe(true);
    expect(a.losses).toEqual(b.losses);
  });
});
