// The WASM objectives against the independent tfjs autodiff implementation (@scorefield/tfjs), with the
// same parameters, data and draws (replayed from the stream in the kernel's documented order).
import '@tensorflow/tfjs'; // registers every tfjs gradient (plain Node cannot import tfjs-core's register_all_gradients)
import { beforeAll, describe, expect, it } from 'vitest';
import { objectiveLossAndGrad, scoreJacobianOf, tf, useBackend, type NetSpec as TfModelSpec } from '@scorefield/tfjs';
import { forEachBuild } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { jetRows, mlpJetForward, mlpJetWorkspaceFloats } from './jet.js';
import { BoundObjective, type ObjectiveSpec } from './objectives.js';
import { modelDims } from './score-model.js';
import { normRelError, randomArray, ReferenceStream, withConditioning } from './testing/reference.js';
import { refDraws, type Draws } from './testing/objective-reference.js';
import { cases, label, type Case } from './testing/objective-cases.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // no Node.js banner
  await useBackend('cpu');
});

/** The oracle's objective name and inputs for our draws (its projections are slice-major [M, B, d]). */
function oracleInputs(obj: ObjectiveSpec, x: Float32Array, batch: number, d: number, draws: Draws) {
  if (obj.name === 'esm') return { objective: 'esm' as const, inputs: { x, batch } };
  if (obj.name === 'ssm' || obj.name === 'ssm-vr') {
    const M = obj.slices ?? 1,
      v = new Float32Array(M * batch * d);
    draws.v.forEach((perSample, b) => perSample.forEach((vm, m) => v.set(vm, (m * batch + b) * d)));
    return { objective: obj.name, inputs: { x, batch, v, slices: M } };
  }
  return {
    objective: 'denoising' as const,
    inputs: { x, batch, z: Float32Array.from(draws.z.flat()), alpha: draws.alpha, sigma: draws.sigma, lambda: draws.lambda },
  };
}

forEachBuild((core) => {
  describe('every objective against the tfjs oracle (relative error <= 1e-3)', () => {
    it.each(cases.map((c) => [label(c), c] as const))('%s', (_name, c: Case) => {
      const k = core();
      const model = withConditioning(k, c.spec, c.d);
      const dims = modelDims(model, c.d, [7, 6]);
      const net = new MlpLayout(k, dims, c.act);
      const p0 = randomArray(net.paramCount, 202, -0.6, 0.6),
        x0 = randomArray(c.batch * c.d, 203, -1.5, 1.5);
      const objective = new BoundObjective(k, c.obj, model, net);
      const g = k.f32(net.paramCount);
      const loss = objective.lossGrad(
        k.f32(net.paramCount, p0),
        k.f32(x0.length, x0),
        c.batch,
        k.rng(9),
        g,
        k.f32(objective.workspaceFloats(c.batch)),
      );
      const draws = refDraws(c.obj, c.batch, c.d, new ReferenceStream(9n));
      const { objective: name, inputs } = oracleInputs(c.obj, x0, c.batch, c.d, draws);
      const spec: TfModelSpec = {
        kind: c.spec.kind,
        dims,
        activation: c.act,
        conditioning: c.spec.conditioning as TfModelSpec['conditioning'],
        ...(model.gaussian && { gaussian: model.gaussian.spec }),
        ...(model.fourier && { fourier: model.fourier.spec }),
      };
      const oracle = objectiveLossAndGrad(spec, p0, name, inputs);
      expect(Math.abs(loss - oracle.loss) / Math.max(1, Math.abs(oracle.loss))).toBeLessThan(1e-3);
      expect(normRelError(g.view, oracle.grad)).toBeLessThan(1e-3);
      objective.free();
    });
  });
});

forEachBuild((core) => {
  it.each(['silu', 'softplus', 'tanh', 'elu'] as const)(
    'jet passes against the tfjs Jacobian (%s): tangent lanes = J v, Taylor-2 lanes of an energy = v^T H v',
    (act) => {
      const k = core();
      const B = 5,
        d = 3,
        lanes = 2;
      for (const kind of ['score', 'energy'] as const) {
        const dims = [d, 9, 7, kind === 'score' ? d : 1];
        const net = new MlpLayout(k, dims, act);
        const p0 = randomArray(net.paramCount, 301, -0.6, 0.6);
        const order = kind === 'score' ? 1 : 2;
        const R = jetRows(B, lanes, order);
        const X0 = new Float32Array(R * d);
        X0.set(randomArray(B * d, 302, -1.5, 1.5));
        X0.set(randomArray(B * lanes * d, 303), B * d);
        const Y = k.f32(R * net.outputs);
        mlpJetForward(
          net,
          k.f32(net.paramCount, p0),
          k.f32(X0.length, X0),
          Y,
          B,
          lanes,
          order,
          k.f32(mlpJetWorkspaceFloats(net, B, lanes, order)),
        );
        // tfjs: J[b] = grad_x s(x_b) (for the energy model s = -grad E, so v^T H v = -v^T J v).
        const spec: TfModelSpec = { kind, dims, activation: act, conditioning: 'none' };
        const J = scoreJacobianOf(spec, p0, X0.subarray(0, B * d), B);
        const got: number[] = [],
          want: number[] = [];
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < lanes; j++) {
            const v = X0.subarray((B + b * lanes + j) * d, (B + b * lanes + j + 1) * d);
            const Jv = [0, 1, 2].map((i) => v.reduce((s, vj, jj) => s + J[(b * d + i) * d + jj] * vj, 0));
            if (kind === 'score') {
              got.push(...Y.view.subarray((B + b * lanes + j) * d, (B + b * lanes + j + 1) * d));
              want.push(...Jv);
            } else {
              got.push(Y.view[B + B * lanes + b * lanes + j]);
              want.push(-v.reduce((s, vi, i) => s + vi * Jv[i], 0));
            }
          }
        }
        expect(normRelError(got, want)).toBeLessThan(1e-4);
      }
    },
  );
});
