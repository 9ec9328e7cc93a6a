import { beforeAll, describe, expect, it } from 'vitest';
import { datasetLogDensityScore, datasetSample, loadCore, rngNormal, type Core } from '@scorefield/core-math';
import { densityBox, gridLogLikelihood, odeLogLikelihood, validatedDensityLevel } from './density.js';
import { normalize } from './normalization.js';
import { logLikelihood } from './samplers/ode.js';
import { sdeOf } from './sde.js';
import { Trainer } from './train.js';
import { modelSigmas } from './samplers/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

function train(data: { data: ArrayLike<number>; rows: number; cols: number }, o: ConstructorParameters<typeof Trainer>[2]) {
  const t = new Trainer(core, data, { hidden: [32, 32], seed: 1, ...o });
  t.run(t.options.steps);
  t.free();
  return t.model;
}

describe('log-likelihoods in data units', () => {
  it('the ODE log-likelihood of a continuous model includes -sum log std, and matches a Gaussian in data units', () => {
    // N((100, -50), diag(40^2, 0.5^2)): far from unit scale, so a missing log-Jacobian would be off by log(40 * 0.5) = 3 nats.
    const n = 3000,
      b = core.f32(2 * n);
    rngNormal(core, core.rng(4), b, 0, 1);
    const z = b.toArray();
    b.free();
    const data = Float64Array.from(z, (v, i) => (i % 2 ? -50 + 0.5 * v : 100 + 40 * v));
    const model = train({ data, rows: n, cols: 2 }, { loss: { name: 'continuous' }, steps: 3000 });
    const held = { data: data.subarray(0, 400), rows: 200, cols: 2 };
    const l = odeLogLikelihood(model, held, { rtol: 1e-4, atol: 1e-4 });
    const { logp } = logLikelihood(model, sdeOf(model.training!.loss), normalize(model.normalization, held.data), {
      rtol: 1e-4,
      atol: 1e-4,
      maxSteps: 20_000,
      seed: 0,
    });
    const logStd = Math.log(model.normalization.std[0] * model.normalization.std[1]);
    for (let i = 0; i < 200; i++) expect(l.perPoint[i]).toBeCloseTo(logp[i] - logStd, 9);
    let truth = 0;
    for (let i = 0; i < 200; i++) {
      const u = (held.data[2 * i] - 100) / 40,
        v = (held.data[2 * i + 1] + 50) / 0.5;
      truth += (-Math.log(2 * Math.PI * 40 * 0.5) - (u * u + v * v) / 2) / 200;
    }
    expect(Math.abs(l.nats - truth)).toBeLessThan(0.15);
    expect(l.bitsPerDim).toBeCloseTo(-l.nats / (2 * Math.LN2), 12);
    const sde = sdeOf(model.training!.loss);
    expect(l.sigma).toBe(sde.sigma(sde.eps));
    model.free();
  });

  it('in 2-D the ODE log-density of a grid cell has no estimator noise: the same bits for any seed, for any block', () => {
    // What `plot --kind density` and the web page's heat map compute for a continuous model. The trace is exact up to
    // EXACT_TRACE_MAX_DIM dimensions, so no probe (and no seed) enters; the tolerance the plots use (1e-4) is converged
    // far below the cell-to-cell structure of a model's density. Cell-to-cell speckle in the picture is the model's
    // (apps/cli README, "Density plots of continuous models").
    const x = datasetSample(core, 'gmm3', core.rng(1), 3000);
    const model = train({ data: x.toArray(), rows: 3000, cols: 2 }, { loss: { name: 'continuous' }, steps: 1500 });
    x.free();
    const sde = sdeOf(model.training!.loss),
      g = 12;
    const grid = new Float64Array(2 * g * g);
    for (let k = 0; k < g * g; k++) grid.set([-4 + (8 * ((k % g) + 0.5)) / g, -4 + (8 * (Math.floor(k / g) + 0.5)) / g], 2 * k);
    const y = normalize(model.normalization, grid);
    const at = (o: { tol?: number; seed?: number; from?: number; to?: number } = {}) =>
      logLikelihood(model, sde, y.subarray(2 * (o.from ?? 0), 2 * (o.to ?? g * g)), {
        rtol: o.tol ?? 1e-4,
        atol: o.tol ?? 1e-4,
        maxSteps: 20_000,
        seed: o.seed ?? 0,
      }).logp;
    const plot = at();
    expect(at({ seed: 7 })).toEqual(plot);
    const tight = at({ tol: 1e-7 });
    const far = (a: Float64Array, b: Float64Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(far(plot, tight)).toBeLessThan(0.05); // measured 0.015 on a grid spanning 26 nats
    // A cell solved alone (its own adaptive steps) against the same cell solved with the whole grid.
    for (const k of [0, 40, 77]) expect(Math.abs(at({ from: k, to: k + 1 })[0] - plot[k])).toBeLessThan(0.01); // measured <= 0.002
    model.free();
  });
});

describe('where an energy model is read: the level whose density predicts held-out data best', () => {
  it('gmm3: an interior level, close to the true log-likelihood; the smallest level, with undetermined offsets, is worse', () => {
    const draw = (seed: number, n: number) => {
      const x = datasetSample(core, 'gmm3', core.rng(seed), n);
      const data = x.toArray();
      x.free();
      return { data, rows: n, cols: 2 };
    };
    const model = train(draw(1, 4000), { loss: { name: 'ncsn' }, kind: 'energy', steps: 3000 });
    const held = draw(2, 1000);
    const sigmas = modelSigmas(model);
    const { best, levels } = validatedDensityLevel(model, held, sigmas);
    expect(levels.map((l) => l.sigma)).toEqual(sigmas);
    expect(best.sigma).toBeLessThan(sigmas[0]);
    expect(best.sigma).toBeGreaterThan(sigmas.at(-1)!);
    const x = core.f32(2000, held.data),
      logp = core.f32(1000);
    datasetLogDensityScore(core, 'gmm3', x, { logp });
    const truth = logp.view.reduce((a, b) => a + b, 0) / 1000;
    x.free();
    logp.free();
    expect(Math.abs(best.logLikelihood - truth)).toBeLessThan(0.3);
    expect(levels.at(-1)!.logLikelihood).toBeLessThan(best.logLikelihood - 0.2);
    // The grid is wide enough: a larger box changes the answer by little.
    const box = densityBox(model, held, best.sigma).map(([lo, hi]) => [lo - 2, hi + 2] as [number, number]);
    expect(Math.abs(gridLogLikelihood(model, held, best.sigma, box) - best.logLikelihood)).toBeLessThan(0.02);
    model.free();
  });
});
