import { beforeAll, describe, expect, it } from 'vitest';
import { datasetLogDensityScore, datasetSample, loadCore, sigmaSchedule, type Core } from '@scorefield/core-math';
import { ExactScore } from '../score-source.js';
import { sdeOf } from '../sde.js';
import { trainScoreModel } from '../train.js';
import { sample } from './index.js';
import { logLikelihood } from './ode.js';
import type { ScoreModel } from '../model.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Fraction of 2-D points closer to (5, 5) than to (-5, -5). */
const upperMode = (x: Float32Array) => {
  let k = 0;
  for (let i = 0; i < x.length; i += 2) if (x[i] + x[i + 1] > 0) k++;
  return k / (x.length / 2);
};

describe('samplers on the exact score (the sampler alone)', () => {
  it('annealed Langevin recovers the 0.2/0.8 weights of ncsn-mix where plain Langevin cannot (NCSN, Fig. 3)', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    const sigmas = sigmaSchedule('geometric', 20, 1, 10);
    const base = { n: 1280, init: { uniform: [-8, 8] as [number, number] } };
    const annealed = [0, 1, 2].map((seed) =>
      upperMode(sample(exact, { ...base, sampler: 'annealed', sigmas, steps: 100, stepSize: 0.1, seed }).samples),
    );
    const mean = annealed.reduce((s, v) => s + v, 0) / 3;
    expect(Math.abs(mean - 0.8)).toBeLessThan(0.03);
    const plain = upperMode(sample(exact, { ...base, sampler: 'langevin', sigma: 1, steps: 1000, stepSize: 0.1, seed: 0 }).samples);
    expect(Math.abs(plain - 0.8)).toBeGreaterThanOrEqual(0.15);
  });

  it('pc and the probability-flow ODE sample a VE SDE from its prior to the data', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    // sigma_max far above the data scale: the prior N(0, sigma_max^2) is then the true p_1 (mean 3 vs 300).
    const sde = sdeOf({ name: 'continuous', sde: 've', sigmaMin: 0.01, sigmaMax: 300 });
    const pc = sample(exact, { n: 2000, sampler: 'pc', sde, steps: 300, seed: 1 });
    expect(Math.abs(upperMode(pc.samples) - 0.8)).toBeLessThan(0.03);
    const ode = sample(exact, { n: 2000, sampler: 'ode', sde, seed: 1, rtol: 1e-4, atol: 1e-4 });
    expect(Math.abs(upperMode(ode.samples) - 0.8)).toBeLessThan(0.03);
    // Samples of the upper mode have the mode's spread (std 1).
    const up = Array.from({ length: 2000 }, (_, i) => [ode.samples[2 * i], ode.samples[2 * i + 1]]).filter(([a, b]) => a + b > 0);
    const varX = up.reduce((s, [a]) => s + (a - 5) ** 2, 0) / up.length;
    expect(Math.abs(varX - 1)).toBeLessThan(0.15);
  });

  it('the adaptive reverse SDE solver samples it too, with fewer score evaluations than pc with its corrector', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    const sde = sdeOf({ name: 'continuous', sde: 've', sigmaMin: 0.01, sigmaMax: 300 });
    const pc = sample(exact, { n: 256, sampler: 'pc', sde, seed: 1, snr: 0.16 });
    expect(pc.evaluations).toBe(1000);
    const adaptive = sample(exact, { n: 2000, sampler: 'adaptive', sde, seed: 1 });
    expect(Math.abs(upperMode(adaptive.samples) - 0.8)).toBeLessThan(0.03);
    const up = Array.from({ length: 2000 }, (_, i) => [adaptive.samples[2 * i], adaptive.samples[2 * i + 1]]).filter(([a, b]) => a + b > 0);
    const varX = up.reduce((s, [a]) => s + (a - 5) ** 2, 0) / up.length;
    expect(Math.abs(varX - 1)).toBeLessThan(0.15);
    // Two evaluations per accepted step and one per rejected attempt (from sigma 300 to 0.01), against pc's 500
    // predictor + 500 corrector steps.
    expect(adaptive.settings).toEqual({ rtol: 1e-2, atol: 1e-2, denoise: true });
    expect(adaptive.evaluations).toBeLessThan(pc.evaluations);
    // Tighter tolerances take more steps.
    expect(sample(exact, { n: 256, sampler: 'adaptive', sde, seed: 1, rtol: 1e-3, atol: 1e-3 }).evaluations).toBeGreaterThan(
      adaptive.evaluations,
    );
  });

  it('DPM-Solver-2 integrates the probability-flow ODE in 20 steps (40 evaluations, + the denoising step) as RK45 in ~150', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    const sde = sdeOf({ name: 'continuous', sde: 've', sigmaMin: 0.01, sigmaMax: 300 });
    const dpm = sample(exact, { n: 2000, sampler: 'dpm', sde, seed: 1 });
    expect(dpm.evaluations).toBe(41);
    expect(dpm.settings).toEqual({ steps: 20, denoise: true });
    expect(Math.abs(upperMode(dpm.samples) - 0.8)).toBeLessThan(0.03);
    const up = Array.from({ length: 2000 }, (_, i) => [dpm.samples[2 * i], dpm.samples[2 * i + 1]]).filter(([a, b]) => a + b > 0);
    const meanX = up.reduce((s, [a]) => s + a, 0) / up.length;
    const varX = up.reduce((s, [a]) => s + (a - meanX) ** 2, 0) / up.length;
    expect(Math.abs(meanX - 5)).toBeLessThan(0.05);
    expect(Math.abs(varX - 1)).toBeLessThan(0.1);
    // Deterministic: the same prior gives the same samples as the ODE to within its discretisation error.
    const ode = sample(exact, { n: 256, sampler: 'ode', sde, seed: 1, rtol: 1e-6, atol: 1e-6 }).samples;
    const fine = sample(exact, { n: 256, sampler: 'dpm', sde, seed: 1, steps: 200 }).samples;
    let worst = 0;
    for (let i = 0; i < ode.length; i++) worst = Math.max(worst, Math.abs(fine[i] - ode[i]));
    expect(worst).toBeLessThan(0.02);
  });

  it('SDE-DPM-Solver++(2M) samples it in 50 steps + the denoising step (51 evaluations), stochastic, seeded', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    const sde = sdeOf({ name: 'continuous', sde: 've', sigmaMin: 0.01, sigmaMax: 300 });
    const run = sample(exact, { n: 2000, sampler: 'dpm-sde', sde, seed: 1 });
    expect(run.evaluations).toBe(51);
    expect(run.settings).toEqual({ steps: 50, denoise: true });
    expect(Math.abs(upperMode(run.samples) - 0.8)).toBeLessThan(0.03);
    const up = Array.from({ length: 2000 }, (_, i) => [run.samples[2 * i], run.samples[2 * i + 1]]).filter(([a, b]) => a + b > 0);
    const meanX = up.reduce((s, [a]) => s + a, 0) / up.length;
    const varX = up.reduce((s, [a]) => s + (a - meanX) ** 2, 0) / up.length;
    expect(Math.abs(meanX - 5)).toBeLessThan(0.1);
    expect(Math.abs(varX - 1)).toBeLessThan(0.15);
    // The same seed gives the same bits; another seed other samples; 5 steps are too few for the modes' weights.
    expect(
      Buffer.from(sample(exact, { n: 2000, sampler: 'dpm-sde', sde, seed: 1 }).samples.buffer).equals(Buffer.from(run.samples.buffer)),
    ).toBe(true);
    expect(Array.from(sample(exact, { n: 8, sampler: 'dpm-sde', sde, seed: 2 }).samples)).not.toEqual(
      Array.from(run.samples.subarray(0, 16)),
    );
    expect(Math.abs(upperMode(sample(exact, { n: 2000, sampler: 'dpm-sde', sde, seed: 1, steps: 5 }).samples) - 0.8)).toBeGreaterThan(0.05);
  });

  it('the ODE log-likelihood equals the exact log-density of the data', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    const sde = sdeOf({ name: 'continuous', sde: 've', sigmaMin: 0.01, sigmaMax: 1000 });
    const x = datasetSample(core, 'ncsn-mix', core.rng(3), 40);
    const truth = core.f32(40);
    datasetLogDensityScore(core, 'ncsn-mix', x, { logp: truth }, 0.01);
    const { logp } = logLikelihood(exact, sde, x.toArray(), { rtol: 1e-5, atol: 1e-5, maxSteps: 10_000, seed: 0 });
    for (let i = 0; i < 40; i++) expect(Math.abs(logp[i] - truth.view[i])).toBeLessThan(0.05);
  });
});

describe('samplers on trained models', () => {
  let ncsn: ScoreModel, ve: ScoreModel;
  beforeAll(() => {
    const data = datasetSample(core, 'gmm3', core.rng(1), 3000).toArray();
    const points = { data, rows: 3000, cols: 2 };
    ncsn = trainScoreModel(core, points, {
      hidden: [32, 32],
      steps: 300,
      loss: { name: 'ncsn', sigmas: sigmaSchedule('geometric', 2, 0.05, 6) },
      seed: 1,
    }).model;
    ve = trainScoreModel(core, points, {
      hidden: [32, 32],
      steps: 300,
      loss: { name: 'continuous', sde: 've', sigmaMax: 3 },
      kind: 'energy',
      seed: 1,
    }).model;
  });

  it.each(['annealed', 'langevin', 'pc', 'ode', 'adaptive', 'dpm', 'dpm-sde'] as const)(
    '%s: the same samples whether run at once or split into blocks',
    (sampler) => {
      const model = sampler === 'annealed' || sampler === 'langevin' ? ncsn : ve;
      const o = { sampler, n: 600, seed: 4, steps: 20 } as const;
      const whole = sample(model, o).samples;
      const split = [
        [0, 256],
        [256, 600],
      ].map(([a, b]) => sample(model, { ...o, n: b - a, block: { first: a, total: 600 } }).samples);
      expect(Array.from(Float32Array.from([...split[0], ...split[1]]))).toEqual(Array.from(whole));
    },
  );

  it('records trajectories, reports progress with the noise level, and holds inpainted coordinates', () => {
    const seen: { step: number; sigma?: number }[] = [];
    const held = { data: Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 1.5 : 0)), rows: 10, cols: 2 };
    const r = sample(ncsn, {
      sampler: 'annealed',
      n: 10,
      steps: 10,
      recordEvery: 5,
      seed: 2,
      hold: { coords: [0], points: held },
      onProgress: (p) => seen.push({ step: p.step, sigma: p.sigma }),
      progressEvery: 10,
    });
    expect(r.trajectory).toHaveLength(13); // the start, then 6 levels x 10 steps / 5 (the denoising step records none)
    expect(seen.map((p) => p.step)).toEqual([10, 20, 30, 40, 50, 60, 61]);
    expect(seen[0].sigma).toBeCloseTo(2, 5);
    for (let i = 0; i < 10; i++) expect(r.samples[2 * i]).toBeCloseTo(1.5, 5);
    for (const frame of r.trajectory) for (let i = 0; i < 10; i++) expect(frame[2 * i]).toBeCloseTo(1.5, 5);
  });

  it('samples 10,000 particles on a fresh core (memory grows while the initial block is copied)', async () => {
    const fresh = await loadCore();
    const { model } = trainScoreModel(
      fresh,
      { data: datasetSample(fresh, 'gmm3', fresh.rng(1), 500).toArray(), rows: 500, cols: 2 },
      { hidden: [8], steps: 2 },
    );
    const r = sample(model, { n: 10_000, steps: 1, seed: 1 });
    expect(r.samples.length).toBe(20_000);
    expect(r.samples.every(Number.isFinite)).toBe(true);
  });

  it('refuses what does not apply, in one line', () => {
    expect(() => sample(ncsn, { n: 5, sampler: 'pc' })).toThrow('this sampler needs a model trained with --loss continuous, not ncsn');
    expect(() => sample(ncsn, { n: 5, sampler: 'gibbs' as 'pc' })).toThrow(
      "unknown sampler 'gibbs'; valid: langevin, annealed, pc, ode, adaptive, dpm, dpm-sde",
    );
    expect(() => sample(ve, { n: 300, sampler: 'ode', block: { first: 100, total: 600 } })).toThrow(
      'sample: ode blocks must start at a multiple of 256, got 100',
    );
    expect(() => sample(ncsn, { n: 5, init: { uniform: [3, 1] } })).toThrow('sample: init box needs lo < hi, got [3, 1]');
  });
});
