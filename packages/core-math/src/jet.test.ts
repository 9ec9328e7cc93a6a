import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { activations, type Activation } from './activation.js';
import { jetRows, mlpJetBackward, mlpJetForward, mlpJetWorkspaceFloats, type JetOrder } from './jet.js';
import { finiteDifference, normRelError, randomArray, refMlpForward, refMlpJet, testRandom } from './testing/reference.js';

const CASES: { dims: number[]; batch: number; lanes: number }[] = [
  { dims: [2, 17, 2], batch: 1, lanes: 2 },
  { dims: [3, 5, 1], batch: 3, lanes: 3 },
  { dims: [5, 17, 3, 5], batch: 5, lanes: 1 },
  { dims: [2, 9, 9, 1], batch: 17, lanes: 5 },
  { dims: [3, 6, 5, 2], batch: 37, lanes: 2 }, // the fused passes' blocks of 16 samples, and a remainder
];
const ACTS = Object.keys(activations) as Activation[];
const ORDERS: JetOrder[] = [1, 2];

/** Jet input rows: x, random tangents, zero second-order inputs. */
function jetInput(dims: number[], batch: number, lanes: number, order: JetOrder, seed: number): Float32Array {
  const I = dims[0];
  const X = new Float32Array(jetRows(batch, lanes, order) * I);
  X.set(randomArray(batch * I, seed, -1.5, 1.5));
  X.set(randomArray(batch * lanes * I, seed + 1), batch * I);
  return X;
}

forEachBuild((core) => {
  describe.each(ACTS)('%s', (act) => {
    describe.each(ORDERS)('order %i', (order) => {
      it.each(CASES)('forward = f64 reference and finite differences: $dims, batch $batch, $lanes lanes', ({ dims, batch, lanes }) => {
        const c = core();
        const net = new MlpLayout(c, dims, act);
        const p0 = randomArray(net.paramCount, 11, -0.6, 0.6),
          X0 = jetInput(dims, batch, lanes, order, 12);
        const R = jetRows(batch, lanes, order);
        const params = c.f32(net.paramCount, p0),
          X = c.f32(X0.length, X0),
          Y = c.f32(R * net.outputs);
        const ws = c.f32(mlpJetWorkspaceFloats(net, batch, lanes, order));
        mlpJetForward(net, params, X, Y, batch, lanes, order, ws);
        const ref = refMlpJet(dims, act, p0, X0, batch, lanes, order);
        expect(normRelError(Y.view, ref)).toBeLessThan(1e-5);
        // Independent check of the reference: directional finite differences of the primal network.
        const I = dims[0],
          O = net.outputs,
          h = 1e-3;
        for (let b = 0; b < batch; b++) {
          for (let j = 0; j < lanes; j++) {
            const x = Array.from(X0.subarray(b * I, (b + 1) * I)),
              v = Array.from(X0.subarray((batch + b * lanes + j) * I, (batch + b * lanes + j + 1) * I));
            const at = (t: number) =>
              refMlpForward(
                dims,
                act,
                p0,
                x.map((xi, i) => xi + t * v[i]),
                1,
              );
            const up = at(h),
              down = at(-h),
              mid = at(0);
            for (let o = 0; o < O; o++) {
              expect(ref[(batch + b * lanes + j) * O + o]).toBeCloseTo((up[o] - down[o]) / (2 * h), 4);
              if (order === 2)
                expect(ref[(batch + batch * lanes + b * lanes + j) * O + o]).toBeCloseTo((up[o] - 2 * mid[o] + down[o]) / (h * h), 2);
            }
          }
        }
      });

      it.each(CASES)('reverse pass = finite differences of <gY, jet>: $dims, batch $batch, $lanes lanes', ({ dims, batch, lanes }) => {
        const c = core();
        const net = new MlpLayout(c, dims, act);
        const R = jetRows(batch, lanes, order);
        const p0 = randomArray(net.paramCount, 21, -0.6, 0.6),
          X0 = jetInput(dims, batch, lanes, order, 22);
        const g0 = randomArray(R * net.outputs, 23);
        const params = c.f32(net.paramCount, p0),
          X = c.f32(X0.length, X0),
          gY = c.f32(g0.length, g0);
        const Y = c.f32(R * net.outputs),
          ws = c.f32(mlpJetWorkspaceFloats(net, batch, lanes, order));
        const gparams = c.f32(net.paramCount),
          gX = c.f32(X0.length);
        mlpJetForward(net, params, X, Y, batch, lanes, order, ws);
        mlpJetBackward(net, params, X, gY, gparams, gX, batch, lanes, order, ws);
        const L = (p: ArrayLike<number>, x: ArrayLike<number>) =>
          refMlpJet(dims, act, p, x, batch, lanes, order).reduce((s, v, i) => s + v * g0[i], 0);
        const rand = testRandom(24);
        const idx = Array.from({ length: 24 }, () => Math.floor(rand() * net.paramCount));
        const fdP = idx.map((i) => finiteDifference((p) => L(p, X0), Float64Array.from(p0), i, 1e-4));
        expect(
          normRelError(
            idx.map((i) => gparams.view[i]),
            fdP,
          ),
        ).toBeLessThan(1e-3);
        // Inputs: every primal and tangent coordinate (second-order rows too for order 2).
        const xi = Array.from({ length: Math.min(60, X0.length) }, (_, i) => i);
        const fdX = xi.map((i) => finiteDifference((x) => L(p0, x), Float64Array.from(X0), i, 1e-4));
        expect(
          normRelError(
            xi.map((i) => gX.view[i]),
            fdX,
          ),
        ).toBeLessThan(1e-3);
      });
    });
  });

  it('with no lanes it is the plain MLP pass', () => {
    const c = core();
    const net = new MlpLayout(c, [3, 8, 2], 'tanh');
    const params = c.f32(net.paramCount, randomArray(net.paramCount, 31)),
      x = c.f32(15, randomArray(15, 32));
    const Y = c.f32(10),
      out = c.f32(10);
    mlpJetForward(net, params, x, Y, 5, 0, 1, c.f32(mlpJetWorkspaceFloats(net, 5, 0, 1)));
    net.forward(params, x, out, 5, c.f32(net.workspaceFloats(5)));
    expect(Array.from(Y.view)).toEqual(Array.from(out.view));
  });

  it('skips the parameter gradient when gparams is null, and names the kernel on bad shapes', () => {
    const c = core();
    const net = new MlpLayout(c, [2, 4, 1], 'silu');
    const ws = c.f32(mlpJetWorkspaceFloats(net, 2, 1, 2));
    expect(() => mlpJetForward(net, c.f32(net.paramCount), c.f32(5), c.f32(6), 2, 1, 2, ws)).toThrow(
      'mlpJetForward: X has 5 floats, expected rows*inputs 6*2 = 12',
    );
    expect(() => mlpJetForward(net, c.f32(net.paramCount), c.f32(12), c.f32(6), 2, 1, 3 as JetOrder, ws)).toThrow(
      'mlpJetForward: order must be 1 or 2, got 3',
    );
  });
});

describe('jets across builds', () => {
  it('SIMD and scalar agree within 1e-5', async () => {
    const { simd, scalar } = await loadBoth();
    const run = (c: typeof simd) => {
      const net = new MlpLayout(c, [2, 33, 17, 1], 'silu');
      const X0 = jetInput(net.dims as number[], 17, 3, 2, 41);
      const params = c.f32(net.paramCount, randomArray(net.paramCount, 42)),
        X = c.f32(X0.length, X0);
      const R = jetRows(17, 3, 2),
        Y = c.f32(R),
        gY = c.f32(R, randomArray(R, 43)),
        ws = c.f32(mlpJetWorkspaceFloats(net, 17, 3, 2));
      const gp = c.f32(net.paramCount);
      mlpJetForward(net, params, X, Y, 17, 3, 2, ws);
      mlpJetBackward(net, params, X, gY, gp, null, 17, 3, 2, ws);
      return [Y.toArray(), gp.toArray()];
    };
    const [a, b] = [run(simd), run(scalar)];
    expect(normRelError(a[0], b[0])).toBeLessThan(1e-5);
    expect(normRelError(a[1], b[1])).toBeLessThan(1e-5);
  });
});
