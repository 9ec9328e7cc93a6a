import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { modelDims, modelScore, modelWorkspaceFloats, type ModelSpec } from './score-model.js';
import { checkFourier, drawFourier, FourierBlock } from './fourier-features.js';
import { InputError } from './errors.js';
import { randomArray, sameBits, testFourier } from './testing/reference.js';
import type { Core } from './core.js';

/** A 'fourier' score model of d = 2 over frequencies B [m, 2] and the given network widths. */
function fourierModel(core: Core, frequencies: number[], hidden: number[]) {
  const spec: ModelSpec = { kind: 'score', conditioning: 'fourier', fourier: new FourierBlock(core, { frequencies }, 2) };
  const net = new MlpLayout(core, modelDims(spec, 2, hidden), 'silu');
  return { spec, net };
}

function scoreAt(
  core: Core,
  spec: ModelSpec,
  net: MlpLayout,
  params: ArrayLike<number>,
  x: ArrayLike<number>,
  sigma: number,
): Float32Array {
  const B = x.length / 2;
  const out = core.f32(B * 2);
  modelScore(
    core,
    spec,
    net,
    core.f32(net.paramCount, params),
    core.f32(x.length, x),
    B,
    sigma,
    out,
    core.f32(modelWorkspaceFloats(net, B)),
  );
  return out.toArray();
}

forEachBuild((core) => {
  it('a linear network reading one sine and one cosine feature gives the closed form', () => {
    // Widths [2 + 2m + 7, 2] with m = 3: output 0 = sin(theta_0), output 1 = cos(theta_2) (rows 2 + 0 and 2 + 3 + 2 of W),
    // theta = 2 pi B y, y = x / sqrt(1 + sigma^2); s = -x / (1 + sigma^2) + f / (sigma sqrt(1 + sigma^2)).
    const k = core();
    const B = [0.5, -1.25, 2, 0.75, -0.3, 1.1];
    const { spec, net } = fourierModel(k, B, []);
    expect(net.dims).toEqual([15, 2]);
    const params = new Float32Array(net.paramCount); // W [15, 2] input-major, then b [2]
    params[2 * 2 + 0] = 1;
    params[(2 + 3 + 2) * 2 + 1] = 1;
    const x = [0.3, -0.7, 1.9, 0.05, -2.2, 1.4];
    for (const sigma of [0.02, 0.4, 3]) {
      const s = scoreAt(k, spec, net, params, x, sigma);
      const c = Math.sqrt(1 + sigma * sigma);
      for (let b = 0; b < 3; b++) {
        const y = [x[2 * b] / c, x[2 * b + 1] / c];
        const theta = (i: number) => 2 * Math.PI * (B[2 * i] * y[0] + B[2 * i + 1] * y[1]);
        const want = [Math.sin(theta(0)), Math.cos(theta(2))].map((f, j) => -x[2 * b + j] / (c * c) + f / (sigma * c));
        want.forEach((w, j) => expect(s[2 * b + j]).toBeCloseTo(w, Math.abs(w) > 10 ? 3 : 5));
      }
    }
  });

  it('refuses energy models, a missing block and frequencies that do not fit d', () => {
    const k = core();
    const net = new MlpLayout(k, [2 + 6 + 7, 4, 1], 'silu');
    const energy: ModelSpec = { kind: 'energy', conditioning: 'fourier', fourier: new FourierBlock(k, testFourier(2), 2) };
    expect(() => scoreAt(k, energy, net, new Float32Array(net.paramCount), [0, 0], 1)).toThrow(/'fourier' is for score models/);
    const bare: ModelSpec = { kind: 'score', conditioning: 'fourier' };
    const scoreNet = new MlpLayout(k, [2 + 6 + 7, 4, 2], 'silu');
    expect(() => scoreAt(k, bare, scoreNet, new Float32Array(scoreNet.paramCount), [0, 0], 1)).toThrow(
      /needs the input features' frequencies/,
    );
    expect(() => checkFourier({ frequencies: [1, 2, 3] }, 2)).toThrow(InputError);
    expect(() => checkFourier({ frequencies: [1, Number.NaN] }, 2)).toThrow(/finite/);
  });

  it('drawFourier: m x d seeded N(0, scale^2) draws, the same for the same stream', () => {
    const k = core();
    const a = drawFourier(k, k.rng(7), 3, 16, 2);
    expect(a.frequencies.length).toBe(48);
    expect(Array.from(drawFourier(k, k.rng(7), 3, 16, 2).frequencies)).toEqual(Array.from(a.frequencies));
    const sd = Math.sqrt(Array.from(a.frequencies).reduce((t, v) => t + v * v, 0) / 48);
    expect(sd).toBeGreaterThan(1.4);
    expect(sd).toBeLessThan(2.6);
  });
});

describe('fourier features across builds', () => {
  it('the SIMD and scalar builds give the same bits (input widths with SIMD remainders)', async () => {
    const { simd, scalar } = await loadBoth();
    for (const m of [1, 3, 16]) {
      const B = Array.from(randomArray(2 * m, 31 + m, -2, 2));
      const run = (k: Core) => {
        const { spec, net } = fourierModel(k, B, [9, 7]);
        const params = randomArray(net.paramCount, 41, -0.6, 0.6);
        return scoreAt(k, spec, net, params, randomArray(2 * 19, 43, -2, 2), 0.3);
      };
      expect(sameBits(run(simd), run(scalar)), `m = ${m}`).toBe(true);
    }
  });
});
