import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { activations, type Activation } from './activation.js';
import { finiteDifference, normRelError, randomArray, refMlpForward, sameBits, testRandom } from './testing/reference.js';

const NETS: { dims: number[]; batch: number }[] = [
  { dims: [2, 17, 2], batch: 1 },
  { dims: [3, 5, 1], batch: 3 },
  { dims: [5, 17, 3, 5], batch: 5 },
  { dims: [2, 128, 128, 2], batch: 17 },
  { dims: [1, 3, 1], batch: 128 },
];
const ACTS = Object.keys(activations) as Activation[];

forEachBuild((core) => {
  describe.each(ACTS)('%s', (act) => {
    it.each(NETS)('forward matches the f64 reference: $dims, batch $batch', ({ dims, batch }) => {
      const c = core();
      const net = new MlpLayout(c, dims, act);
      const params = c.f32(net.paramCount, randomArray(net.paramCount, 1, -0.5, 0.5));
      const x = c.f32(batch * dims[0], randomArray(batch * dims[0], 2, -2, 2));
      const out = c.f32(batch * net.outputs),
        ws = c.f32(net.workspaceFloats(batch));
      net.forward(params, x, out, batch, ws);
      expect(normRelError(out.view, refMlpForward(dims, act, params.view, x.view, batch))).toBeLessThan(1e-5);
    });

    it.each(NETS)('reverse pass matches finite differences: $dims, batch $batch', ({ dims, batch }) => {
      const c = core();
      const net = new MlpLayout(c, dims, act);
      const p0 = randomArray(net.paramCount, 3, -0.5, 0.5),
        x0 = randomArray(batch * dims[0], 4, -2, 2);
      const g0 = randomArray(batch * net.outputs, 5);
      const params = c.f32(net.paramCount, p0),
        x = c.f32(x0.length, x0),
        gout = c.f32(g0.length, g0);
      const out = c.f32(batch * net.outputs),
        ws = c.f32(net.workspaceFloats(batch));
      const gparams = c.f32(net.paramCount),
        gx = c.f32(x0.length);
      net.forward(params, x, out, batch, ws);
      net.backward(params, x, gout, gparams, gx, batch, ws);
      // L = <gout, MLP(x)> in f64 via the reference forward; check sampled parameters and every input coordinate (up to 40)
      const L = (p: ArrayLike<number>, xv: ArrayLike<number>) =>
        refMlpForward(dims, act, p, xv, batch).reduce((s, v, i) => s + v * g0[i], 0);
      const rand = testRandom(6);
      const idx = Array.from({ length: 24 }, () => Math.floor(rand() * net.paramCount));
      const fdP = idx.map((i) => finiteDifference((p) => L(p, x0), Float64Array.from(p0), i, 1e-4));
      expect(
        normRelError(
          idx.map((i) => gparams.view[i]),
          fdP,
        ),
      ).toBeLessThan(1e-3);
      const xi = Array.from({ length: Math.min(40, x0.length) }, (_, i) => i);
      const fdX = xi.map((i) => finiteDifference((xv) => L(p0, xv), Float64Array.from(x0), i, 1e-4));
      expect(
        normRelError(
          xi.map((i) => gx.view[i]),
          fdX,
        ),
      ).toBeLessThan(1e-3);
    });
  });

  it('accumulates into gparams and leaves gout unchanged', () => {
    const c = core();
    const net = new MlpLayout(c, [2, 5, 2], 'silu');
    const params = c.f32(net.paramCount, randomArray(net.paramCount, 7)),
      x = c.f32(6, randomArray(6, 8));
    const gout = c.f32(6, randomArray(6, 9)),
      ws = c.f32(net.workspaceFloats(3)),
      out = c.f32(6);
    const once = c.f32(net.paramCount),
      twice = c.f32(net.paramCount);
    net.forward(params, x, out, 3, ws);
    net.backward(params, x, gout, once, null, 3, ws);
    net.backward(params, x, gout, twice, null, 3, ws);
    net.backward(params, x, gout, twice, null, 3, ws);
    expect(
      normRelError(
        twice.view,
        once.view.map((v) => 2 * v),
      ),
    ).toBeLessThan(1e-6);
    expect(Array.from(gout.view)).toEqual(Array.from(randomArray(6, 9)));
  });

  it('initParams draws PyTorch-style U(-1/sqrt(fan_in), 1/sqrt(fan_in)) per layer', () => {
    const c = core();
    const net = new MlpLayout(c, [2, 128, 3], 'silu');
    const params = c.f32(net.paramCount);
    net.initParams(c.rng(1), params);
    const [l0, l1] = net.paramOffsets();
    const first = params.view.subarray(l0.w, l1.w),
      second = params.view.subarray(l1.w);
    expect(Math.max(...first.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(2));
    expect(Math.max(...first.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(2));
    expect(Math.max(...second.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(128));
    expect(Math.max(...second.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(128));
  });

  it('errors name the kernel and the shapes', () => {
    const c = core();
    const net = new MlpLayout(c, [2, 4, 2], 'tanh');
    expect(() => net.forward(c.f32(net.paramCount), c.f32(5), c.f32(4), 2, c.f32(net.workspaceFloats(2)))).toThrow(
      'mlpForward: x has 5 floats, expected batch*inputs 2*2 = 4',
    );
    expect(() => net.forward(c.f32(3), c.f32(4), c.f32(4), 2, c.f32(net.workspaceFloats(2)))).toThrow(
      `mlpForward: params has 3 floats, expected paramCount = ${net.paramCount}`,
    );
    expect(() => new MlpLayout(c, [2], 'tanh')).toThrow(/need at least input and output widths/);
    expect(() => new MlpLayout(c, [2, 0, 2], 'tanh')).toThrow('MlpLayout: dims[1] must be an integer >= 1, got 0');
  });
});

describe('mlp: SIMD and scalar builds', () => {
  it('agree bit for bit on forward and reverse passes', async () => {
    const { simd, scalar } = await loadBoth();
    const dims = [2, 128, 128, 2],
      B = 37;
    const [a, b] = [simd, scalar].map((c) => {
      const net = new MlpLayout(c, dims, 'silu');
      const params = c.f32(net.paramCount);
      net.initParams(c.rng(5), params);
      const x = c.f32(B * 2, randomArray(B * 2, 1, -3, 3)),
        out = c.f32(B * 2),
        ws = c.f32(net.workspaceFloats(B));
      const gp = c.f32(net.paramCount),
        gx = c.f32(B * 2);
      net.forward(params, x, out, B, ws);
      net.backward(params, x, out, gp, gx, B, ws);
      return [out, gp, gx].map((t) => t.toArray());
    });
    a.forEach((v, i) => expect(sameBits(v, b[i])).toBe(true));
  });
});
