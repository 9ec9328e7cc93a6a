import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import type { Core } from './core.js';
import { BoundObjective, type ObjectiveSpec } from './objectives.js';
import { modelDims, modelScore, modelEnergy, modelWorkspaceFloats, type ModelSpec } from './score-model.js';
import {
  finiteDifference,
  normRelError,
  randomArray,
  ReferenceStream,
  sameBits,
  testRandom,
  withConditioning,
} from './testing/reference.js';
import { Adam } from './adam.js';
import { refDraws, refLoss, refScore } from './testing/objective-reference.js';
import { cases, label, type Case } from './testing/objective-cases.js';

function setup(core: Core, c: Case, seed: number) {
  const spec = withConditioning(core, c.spec, c.d);
  const dims = modelDims(spec, c.d, [7, 6]);
  const net = new MlpLayout(core, dims, c.act);
  const p0 = randomArray(net.paramCount, seed, -0.6, 0.6);
  const x0 = randomArray(c.batch * c.d, seed + 1, -1.5, 1.5);
  const objective = new BoundObjective(core, c.obj, spec, net);
  return { dims, net, p0, x0, objective, spec };
}

forEachBuild((core) => {
  describe('every objective x parametrization x conditioning: value and gradient', () => {
    it.each(cases.map((c) => [label(c), c] as const))('%s', (_name, c) => {
      const k = core();
      const { dims, net, p0, x0, objective, spec } = setup(k, c, 101);
      const params = k.f32(net.paramCount, p0),
        x = k.f32(x0.length, x0),
        gparams = k.f32(net.paramCount);
      const ws = k.f32(objective.workspaceFloats(c.batch));
      const rng = k.rng(77, 5);
      const loss = objective.lossGrad(params, x, c.batch, rng, gparams, ws);
      // Replay the draws and evaluate the loss in f64 from the formulas.
      const draws = refDraws(c.obj, c.batch, c.d, new ReferenceStream(77n).skip(5));
      const xs = Array.from({ length: c.batch }, (_, b) => Array.from(x0.subarray(b * c.d, (b + 1) * c.d)));
      const ref = (p: ArrayLike<number>) => refLoss(c.obj, spec, dims, c.act, p, xs, draws);
      expect(Math.abs(loss - ref(p0)) / Math.max(1, Math.abs(ref(p0)))).toBeLessThan(1e-4);
      const rand = testRandom(7);
      const idx = Array.from({ length: 16 }, () => Math.floor(rand() * net.paramCount));
      const fd = idx.map((i) => finiteDifference(ref, Float64Array.from(p0), i, 1e-3));
      expect(
        normRelError(
          idx.map((i) => gparams.view[i]),
          fd,
        ),
      ).toBeLessThan(1e-3);
      objective.free();
    });
  });

  it('model score and energy kernels match the f64 model', () => {
    const k = core();
    for (const spec of [
      { kind: 'score', conditioning: 'both' },
      { kind: 'energy', conditioning: 'embed' },
      { kind: 'energy', conditioning: 'scale' },
    ] as ModelSpec[]) {
      const dims = modelDims(spec, 3, [9]);
      const net = new MlpLayout(k, dims, 'silu');
      const p0 = randomArray(net.paramCount, 5, -0.6, 0.6),
        x0 = randomArray(15, 6, -2, 2);
      const params = k.f32(net.paramCount, p0),
        x = k.f32(15, x0),
        out = k.f32(15),
        ws = k.f32(modelWorkspaceFloats(net, 5));
      modelScore(k, spec, net, params, x, 5, 0.3, out, ws);
      const ref = Array.from({ length: 5 }, (_, b) =>
        refScore(spec, dims, 'silu', p0, Array.from(x0.subarray(3 * b, 3 * b + 3)), 0.3),
      ).flat();
      expect(normRelError(out.view, ref)).toBeLessThan(1e-5);
      if (spec.kind === 'energy') {
        // s = -grad E: finite differences of the energy kernel.
        const e = k.f32(5);
        const energyAt = (xv: ArrayLike<number>) => {
          x.set(xv);
          modelEnergy(k, spec, net, params, x, 5, 0.3, e, ws);
          return Array.from(e.view);
        };
        const h = 1e-2;
        for (let i = 0; i < 15; i++) {
          const up = Float32Array.from(x0);
          up[i] += h;
          const down = Float32Array.from(x0);
          down[i] -= h;
          const b = Math.floor(i / 3);
          expect(-(energyAt(up)[b] - energyAt(down)[b]) / (2 * h)).toBeCloseTo(out.view[i], 2);
        }
      }
    }
  });

  it('refuses mismatched networks and options with one line naming them', () => {
    const k = core();
    const net = new MlpLayout(k, [2, 4, 2], 'silu');
    expect(() => new BoundObjective(k, { name: 'esm' }, { kind: 'energy', conditioning: 'none' }, net)).toThrow(
      "objective: a energy model with conditioning 'none' needs widths [d, ..., 1], got [2, 4, 2]",
    );
    expect(
      () => new BoundObjective(k, { name: 'ssm' }, { kind: 'score', conditioning: 'embed' }, new MlpLayout(k, [9, 4, 2], 'silu')),
    ).toThrow("objective: ssm trains an unconditional model; conditioning must be 'none', got 'embed'");
    expect(() => new BoundObjective(k, { name: 'dsm', sigma: 0 }, { kind: 'score', conditioning: 'none' }, net)).toThrow(
      'objective: sigma must be a finite positive number, got 0',
    );
    expect(
      () => new BoundObjective(k, { name: 'ssm', projection: 'cube' as 'sphere' }, { kind: 'score', conditioning: 'none' }, net),
    ).toThrow("unknown projection 'cube'; valid: gaussian, rademacher, sphere");
    expect(() => new BoundObjective(k, { name: 'continuous', sde: 'xx' as 've' }, { kind: 'score', conditioning: 'none' }, net)).toThrow(
      "unknown sde 'xx'; valid: ve, vp",
    );
    expect(() => new BoundObjective(k, { name: 'mle' } as unknown as ObjectiveSpec, { kind: 'score', conditioning: 'none' }, net)).toThrow(
      "unknown loss 'mle'; valid: esm, ssm, ssm-vr, dsm, ncsn, continuous",
    );
  });
});

describe('objectives across builds', () => {
  it('dsm training is bit for bit the same in both builds over 20 Adam steps', async () => {
    const { simd, scalar } = await loadBoth();
    const [a, b] = [simd, scalar].map((k) => {
      const net = new MlpLayout(k, [2, 64, 64, 2], 'softplus');
      const params = k.f32(net.paramCount),
        g = k.f32(net.paramCount);
      net.initParams(k.rng(11), params);
      const objective = new BoundObjective(k, { name: 'dsm', sigma: 0.1 }, { kind: 'score', conditioning: 'none' }, net);
      const adam = new Adam(k, net.paramCount, { lr: 1e-3 }),
        x = k.f32(66, randomArray(66, 1)),
        rng = k.rng(4),
        ws = k.f32(objective.workspaceFloats(33));
      const losses: number[] = [];
      for (let t = 0; t < 20; t++) {
        g.view.fill(0);
        losses.push(objective.lossGrad(params, x, 33, rng, g, ws));
        adam.update(params, g);
      }
      return { params: params.toArray(), losses };
    });
    expect(sameBits(a.params, b.params)).toBe(true);
    expect(a.losses).toEqual(b.losses);
  });

  it('SIMD and scalar give the same loss and gradient within 1e-5', async () => {
    const { simd, scalar } = await loadBoth();
    for (const c of cases.filter((_, i) => i % 3 === 0)) {
      const run = (k: Core) => {
        const { net, p0, x0, objective } = setup(k, c, 5);
        const gp = k.f32(net.paramCount);
        const loss = objective.lossGrad(
          k.f32(net.paramCount, p0),
          k.f32(x0.length, x0),
          c.batch,
          k.rng(3),
          gp,
          k.f32(objective.workspaceFloats(c.batch)),
        );
        return { loss, g: gp.toArray() };
      };
      const a = run(simd),
        b = run(scalar);
      expect(Math.abs(a.loss - b.loss) / Math.max(1, Math.abs(b.loss))).toBeLessThan(1e-5);
      expect(normRelError(a.g, b.g)).toBeLessThan(1e-5);
    }
  });
});
