// Objectives against cases with a known answer (docs/design.md: Gaussians and mixtures have closed forms).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from './core.js';
import { MlpLayout } from './mlp.js';
import { Adam } from './adam.js';
import { BoundObjective, type ObjectiveSpec } from './objectives.js';
import { modelDims, modelScore, modelWorkspaceFloats, type ModelSpec } from './score-model.js';
import { datasetLogDensityScore, datasetSample } from './datasets.js';
import { rngNormal } from './rng-draws.js';
import { normRelError, randomArray } from './testing/reference.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** n points of N(mu, Sigma) in 2-D via the Cholesky factor, and their sample mean and (1/n) covariance. */
function gaussianData(n: number, seed: number) {
  const mu = [1, -0.5],
    S = [
      [2, 0.6],
      [0.6, 0.5],
    ];
  const l11 = Math.sqrt(S[0][0]),
    l21 = S[1][0] / l11,
    l22 = Math.sqrt(S[1][1] - l21 * l21);
  const e = core.f32(2 * n);
  rngNormal(core, core.rng(seed), e);
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = mu[0] + l11 * e.view[2 * i];
    x[2 * i + 1] = mu[1] + l21 * e.view[2 * i] + l22 * e.view[2 * i + 1];
  }
  e.free();
  const m = [0, 1].map((j) => x.filter((_, i) => i % 2 === j).reduce((s, v) => s + v, 0) / n);
  const C = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < n; i++)
    for (const a of [0, 1]) for (const b of [0, 1]) C[a][b] += ((x[2 * i + a] - m[a]) * (x[2 * i + b] - m[b])) / n;
  return { x, mean: m, cov: C };
}

/** Adam on the full batch; returns the parameters. */
function fit(
  net: MlpLayout,
  objective: BoundObjective,
  data: Float32Array,
  n: number,
  schedule: [number, number][],
  seed: number,
): Float32Array {
  const params = core.f32(net.paramCount),
    grads = core.f32(net.paramCount),
    x = core.f32(data.length, data);
  const ws = core.f32(objective.workspaceFloats(n)),
    adam = new Adam(core, net.paramCount, { lr: 1e-2 }),
    rng = core.rng(seed);
  for (const [steps, lr] of schedule) {
    for (let t = 0; t < steps; t++) {
      grads.view.fill(0);
      objective.lossGrad(params, x, n, rng, grads, ws);
      adam.update(params, grads, lr);
    }
  }
  return params.toArray();
}

describe('known answers', () => {
  it.each<[string, ObjectiveSpec]>([
    ['esm', { name: 'esm' }],
    ['ssm', { name: 'ssm', projection: 'gaussian', slices: 8 }],
    ['ssm-vr', { name: 'ssm-vr', projection: 'rademacher', slices: 8 }],
  ])('%s fits a linear score s = A x + c to the Gaussian maximum-likelihood answer A = -inv(Sigma), c = inv(Sigma) mu', (_n, obj) => {
    const n = 2000;
    const { x, mean, cov } = gaussianData(n, 1);
    const net = new MlpLayout(core, [2, 2], 'silu');
    const objective = new BoundObjective(core, obj, { kind: 'score', conditioning: 'none' }, net);
    // esm's gradient is exact (no randomness): it converges to the optimum; the sliced objectives are
    // stochastic, so their final steps use a small learning rate.
    const p = fit(
      net,
      objective,
      x,
      n,
      [
        [1000, 0.05],
        [600, 0.005],
        [400, 0.0005],
      ],
      2,
    );
    const det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
    const inv = [
      [cov[1][1] / det, -cov[0][1] / det],
      [-cov[1][0] / det, cov[0][0] / det],
    ];
    // s = x W + b with W input-major, so A = W^T: A[o][i] = W[i][o] = p[i * 2 + o].
    const A = [
        [p[0], p[2]],
        [p[1], p[3]],
      ],
      c = [p[4], p[5]];
    const expectedA = inv.map((row) => row.map((v) => -v));
    const expectedC = [0, 1].map((o) => inv[o][0] * mean[0] + inv[o][1] * mean[1]);
    const tol = obj.name === 'esm' ? 1e-4 : 0.03;
    expect(normRelError(A.flat(), expectedA.flat())).toBeLessThan(tol);
    expect(normRelError(c, expectedC)).toBeLessThan(tol);
    objective.free();
  });

  it.each<ModelSpec['kind']>(['score', 'energy'])(
    'esm of any %s model on gmm3 = 1/2 E|s - grad log p|^2 - 1/2 E|grad log p|^2 (integration by parts)',
    (kind) => {
      const n = 40_000,
        chunk = 200;
      const spec: ModelSpec = { kind, conditioning: 'none' };
      const net = new MlpLayout(core, modelDims(spec, 2, [16, 16]), 'silu');
      const params = core.f32(net.paramCount, randomArray(net.paramCount, 3, -0.5, 0.5));
      const data = datasetSample(core, 'gmm3', core.rng(4), n);
      const truth = core.f32(2 * n),
        s = core.f32(2 * n);
      datasetLogDensityScore(core, 'gmm3', data, { score: truth });
      const mws = core.f32(modelWorkspaceFloats(net, n));
      modelScore(core, spec, net, params, data, n, 1, s, mws);
      const objective = new BoundObjective(core, { name: 'esm' }, spec, net);
      const ws = core.f32(objective.workspaceFloats(chunk)),
        g = core.f32(net.paramCount),
        rng = core.rng(0);
      // Per chunk: esm loss minus the right-hand side; their difference has mean zero (Stein's identity).
      const diffs: number[] = [];
      for (let c0 = 0; c0 < n; c0 += chunk) {
        const esm = objective.lossGrad(params, data.subarray(2 * c0, 2 * (c0 + chunk)), chunk, rng, g, ws);
        let rhs = 0;
        for (let i = 2 * c0; i < 2 * (c0 + chunk); i++) rhs += 0.5 * (s.view[i] - truth.view[i]) ** 2 - 0.5 * truth.view[i] ** 2;
        diffs.push(esm - rhs / chunk);
      }
      const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
      const se = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1) / diffs.length);
      expect(Math.abs(mean)).toBeLessThan(4 * se);
      expect(se).toBeLessThan(0.05); // the test has power: the identity is checked to about 0.2 in a loss of order 4
      objective.free();
    },
  );

  it.each<[ModelSpec['kind'], 'gaussian' | 'rademacher' | 'sphere']>([
    ['score', 'gaussian'],
    ['score', 'rademacher'],
    ['energy', 'sphere'],
    ['energy', 'gaussian'],
  ])('ssm and ssm-vr average to esm over many projections (%s model, %s)', (kind, projection) => {
    const spec: ModelSpec = { kind, conditioning: 'none' };
    const net = new MlpLayout(core, modelDims(spec, 3, [12, 12]), 'tanh');
    const B = 4,
      M = 4000;
    const params = core.f32(net.paramCount, randomArray(net.paramCount, 5, -0.6, 0.6)),
      x = core.f32(3 * B, randomArray(3 * B, 6, -1, 1));
    const run = (obj: ObjectiveSpec) => {
      const o = new BoundObjective(core, obj, spec, net),
        g = core.f32(net.paramCount);
      const loss = o.lossGrad(params, x, B, core.rng(9), g, core.f32(o.workspaceFloats(B)));
      o.free();
      return { loss, g: g.toArray() };
    };
    const esm = run({ name: 'esm' });
    for (const name of ['ssm', 'ssm-vr'] as const) {
      const sliced = run({ name, projection, slices: M });
      expect(Math.abs(sliced.loss - esm.loss) / Math.max(1, Math.abs(esm.loss))).toBeLessThan(0.03);
      expect(normRelError(sliced.g, esm.g)).toBeLessThan(0.05);
    }
  });

  it(
    'dsm at the exact noisy score of a Gaussian equals its closed-form minimum d s0^2 / (2 sigma^2 (s0^2 + sigma^2)), with ' +
      'zero gradient',
    () => {
      const n = 200_000,
        d = 2,
        s0 = 0.7,
        sigma = 0.4,
        mu = [1.5, -2];
      const v = s0 * s0 + sigma * sigma;
      const e = core.f32(d * n);
      rngNormal(core, core.rng(11), e, 0, s0);
      const x = core.f32(
        d * n,
        e.view.map((u, i) => u + mu[i % d]),
      );
      const net = new MlpLayout(core, [2, 2], 'silu');
      // s(x~) = -(x~ - mu) / v: W = -I / v, b = mu / v.
      const params = core.f32(net.paramCount, [-1 / v, 0, 0, -1 / v, mu[0] / v, mu[1] / v]);
      const objective = new BoundObjective(core, { name: 'dsm', sigma }, { kind: 'score', conditioning: 'none' }, net);
      const g = core.f32(net.paramCount);
      const loss = objective.lossGrad(params, x, n, core.rng(12), g, core.f32(objective.workspaceFloats(n)));
      const expected = (d * s0 * s0) / (2 * sigma * sigma * v);
      expect(Math.abs(loss - expected) / expected).toBeLessThan(0.01);
      // At the optimum the gradient is Monte-Carlo noise; away from it, it is not.
      const away = core.f32(
        net.paramCount,
        params.view.map((p, i) => (i < 4 ? p * 1.2 : p)),
      );
      const g2 = core.f32(net.paramCount);
      objective.lossGrad(away, x, n, core.rng(12), g2, core.f32(objective.workspaceFloats(n)));
      const norm = (a: Float32Array) => Math.hypot(...a);
      expect(norm(g.view)).toBeLessThan(0.05 * norm(g2.view));
      objective.free();
    },
  );
});
