import '@tensorflow/tfjs'; // registers every tfjs gradient (plain Node cannot import tfjs-core's register_all_gradients)
import { beforeAll, expect, it } from 'vitest';
import { scoreDivergenceOf, scoreOf, tf, useBackend, type NetSpec as TfModelSpec } from '@scorefield/tfjs';
import { forEachBuild } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { modelDims, modelDivergenceWorkspaceFloats, modelScoreDivergence, type ModelSpec } from './score-model.js';
import { normRelError, randomArray, withConditioning } from './testing/reference.js';
import { refJacobian, refScore } from './testing/objective-reference.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await useBackend('cpu');
});

const specs: ModelSpec[] = [
  { kind: 'score', conditioning: 'none' },
  { kind: 'score', conditioning: 'both' },
  { kind: 'score', conditioning: 'precond' },
  { kind: 'score', conditioning: 'gaussian' },
  { kind: 'score', conditioning: 'fourier' },
  { kind: 'energy', conditioning: 'none' },
  { kind: 'energy', conditioning: 'embed' },
  { kind: 'energy', conditioning: 'scale' },
];

forEachBuild((core) => {
  it.each(specs.map((s) => [`${s.kind}/${s.conditioning}`, s] as const))(
    'exact divergence and score (%s) = f64 reference and tfjs oracle',
    (_n, given) => {
      const k = core();
      for (const [d, B] of [
        [1, 3],
        [2, 5],
        [3, 17],
      ]) {
        const spec = withConditioning(k, given, d);
        const dims = modelDims(spec, d, [9, 7]);
        const net = new MlpLayout(k, dims, 'silu');
        const p0 = randomArray(net.paramCount, 401, -0.6, 0.6),
          x0 = randomArray(B * d, 402, -1.5, 1.5);
        const score = k.f32(B * d),
          divergence = k.f32(B);
        modelScoreDivergence(
          k,
          spec,
          net,
          k.f32(net.paramCount, p0),
          k.f32(x0.length, x0),
          B,
          0.4,
          { score, divergence },
          k.f32(modelDivergenceWorkspaceFloats(spec, net, B)),
        );
        const refDiv: number[] = [],
          refS: number[] = [];
        for (let b = 0; b < B; b++) {
          const xb = Array.from(x0.subarray(b * d, (b + 1) * d));
          const f = (p: number[]) => refScore(spec, dims, 'silu', p0, p, 0.4);
          refS.push(...f(xb));
          refDiv.push(refJacobian(f, xb).reduce((t, row, i) => t + row[i], 0));
        }
        expect(normRelError(score.view, refS)).toBeLessThan(1e-5);
        expect(normRelError(divergence.view, refDiv)).toBeLessThan(1e-4);
        const tfSpec: TfModelSpec = {
          kind: spec.kind,
          dims,
          activation: 'silu',
          conditioning: spec.conditioning as TfModelSpec['conditioning'],
          ...(spec.gaussian && { gaussian: spec.gaussian.spec }),
          ...(spec.fourier && { fourier: spec.fourier.spec }),
        };
        expect(normRelError(divergence.view, scoreDivergenceOf(tfSpec, p0, x0, B, 0.4))).toBeLessThan(1e-3);
        expect(normRelError(score.view, scoreOf(tfSpec, p0, x0, B, 0.4))).toBeLessThan(1e-3);
      }
    },
  );

  it.each(specs.map((s) => [`${s.kind}/${s.conditioning}`, s] as const))(
    'Hutchinson probes (%s): sqrt(d) e_j recover the exact trace; Gaussian probes average to it',
    (_n, given) => {
      const k = core();
      const d = 3,
        B = 4;
      const spec = withConditioning(k, given, d);
      const net = new MlpLayout(k, modelDims(spec, d, [8]), 'tanh');
      const params = k.f32(net.paramCount, randomArray(net.paramCount, 403, -0.6, 0.6)),
        x = k.f32(B * d, randomArray(B * d, 404));
      const exact = { score: k.f32(B * d), divergence: k.f32(B) };
      modelScoreDivergence(k, spec, net, params, x, B, 0.7, exact, k.f32(modelDivergenceWorkspaceFloats(spec, net, B)));
      const units = new Float32Array(B * d * d);
      for (let b = 0; b < B; b++) for (let j = 0; j < d; j++) units[(b * d + j) * d + j] = Math.sqrt(d);
      const est = { score: k.f32(B * d), divergence: k.f32(B) };
      modelScoreDivergence(k, spec, net, params, x, B, 0.7, est, k.f32(modelDivergenceWorkspaceFloats(spec, net, B, d)), {
        v: k.f32(units.length, units),
        count: d,
      });
      expect(normRelError(est.divergence.view, exact.divergence.view)).toBeLessThan(1e-5);
      expect(normRelError(est.score.view, exact.score.view)).toBeLessThan(1e-6);
      const M = 20000,
        v = k.f32(B * M * d);
      k.exports.rngNormal(k.rng(5).ptr, v.ptr, v.length, 0, 1);
      modelScoreDivergence(k, spec, net, params, x, B, 0.7, est, k.f32(modelDivergenceWorkspaceFloats(spec, net, B, M)), { v, count: M });
      expect(normRelError(est.divergence.view, exact.divergence.view)).toBeLessThan(0.05);
    },
  );
});
