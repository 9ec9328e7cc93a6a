import { datasetPoints, loadCore } from '@scorefield/core-math';
import { describe, expect, it } from 'vitest';
import type { ScoreSource, Stepper } from '../score-source.js';
import { Trainer } from '../train.js';
import { sdeOf } from '../sde.js';
import { adaptiveDefaults, sample, solveReverseSdeAdaptive } from './index.js';

/**
 * The model behind a stepper that counts the particles it runs the network on; with `reuse` false it never takes a
 * score the sampler already has (no levels read alike, no given score), as the samplers did before they reused them.
 */
function counting(model: ScoreSource, reuse: boolean) {
  const count = { evaluations: 0 };
  const source: ScoreSource = Object.create(model);
  source.stepper = (chunk: number): Stepper => {
    const s = model.stepper(chunk);
    return {
      level: reuse ? s.level : () => Number.NaN,
      steps(x, k, rule, sigma, rng, first, total, hold, score) {
        const given = reuse ? score : undefined;
        if (!given) count.evaluations += k * (x.length / model.dim);
        s.steps(x, k, rule, sigma, rng, first, total, hold, given);
      },
      score(x, n, sigma, out) {
        count.evaluations += n;
        s.score(x, n, sigma, out);
      },
      scoreDivergence(x, n, sigma, score, divergence, probes) {
        count.evaluations += n;
        s.scoreDivergence(x, n, sigma, score, divergence, probes);
      },
      free: () => s.free(),
    };
  };
  return { source, count };
}

describe('samplers reuse the scores they already have: the same bits, fewer network evaluations', async () => {
  const core = await loadCore();
  const points = { data: datasetPoints(core, 'gmm3', 0, 500), rows: 500, cols: 2 };
  const train = (loss: { name: 'dsm'; sigma: number } | { name: 'continuous' }) => {
    const trainer = new Trainer(core, points, { loss, hidden: [8], steps: 30 });
    trainer.run(30);
    return trainer.model;
  };
  const dsm = train({ name: 'dsm', sigma: 0.3 }),
    continuous = train({ name: 'continuous' });
  const hold = { coords: [1], points: { data: points.data.subarray(0, 600), rows: 300, cols: 2 } };

  // Network evaluations per particle saved: the final denoising step reads the Stein check's score (langevin,
  // annealed, adaptive, dpm, dpm-sde, ode) and the Stein check reads the ODE solver's last stage (ode: two saved); pc has
  // nothing to reuse.
  it.each([
    ['langevin (dsm, final denoising step)', dsm, { sampler: 'langevin' }, 1],
    ['langevin with inpainting', dsm, { sampler: 'langevin', steps: 20, hold }, 1],
    ['langevin without denoising', dsm, { sampler: 'langevin', steps: 20, denoise: false }, 0],
    ['annealed', continuous, { sampler: 'annealed', steps: 10 }, 1],
    ['ode (the Stein check reads the last stage, the denoising step the Stein check)', continuous, { sampler: 'ode' }, 2],
    ['ode without denoising', continuous, { sampler: 'ode', denoise: false }, 1],
    ['adaptive', continuous, { sampler: 'adaptive' }, 1],
    ['pc', continuous, { sampler: 'pc', steps: 50 }, 0],
    ['dpm (final denoising step)', continuous, { sampler: 'dpm' }, 1],
    ['dpm without denoising', continuous, { sampler: 'dpm', denoise: false }, 0],
    ['dpm-sde (final denoising step)', continuous, { sampler: 'dpm-sde' }, 1],
  ] as const)('%s', (_name, model, options, saved) => {
    const runs = [false, true].map((reuse) => {
      const { source, count } = counting(model, reuse);
      const r = sample(source, { n: 300, seed: 4, recordEvery: 7, ...options });
      return { r, evaluations: count.evaluations / 300 };
    });
    const [before, after] = runs;
    expect(Buffer.from(after.r.samples.buffer).equals(Buffer.from(before.r.samples.buffer))).toBe(true);
    expect(after.r.trajectory.map((f) => Buffer.from(f.buffer).toString('base64'))).toEqual(
      before.r.trajectory.map((f) => Buffer.from(f.buffer).toString('base64')),
    );
    expect(after.r.stein).toEqual(before.r.stein);
    expect(after.r.evaluations).toBe(before.r.evaluations);
    expect(before.evaluations - after.evaluations).toBeCloseTo(saved, 9);
  });

  it('the adaptive solver runs the network twice per accepted step and once per rejected attempt', () => {
    const { source, count } = counting(continuous, true);
    const sde = sdeOf(continuous.training?.loss);
    const n = 256,
      x = new Float32Array(n * 2).map((_, i) => 3 * Math.sin(i));
    let accepted = 0;
    const evaluations = core.scope((scope) => {
      const rng = scope.rng(5);
      const e = solveReverseSdeAdaptive(
        source,
        sde,
        x,
        rng,
        { first: 0, total: n },
        {
          ...adaptiveDefaults,
          rtol: 1e-3,
          atol: 1e-3,
          onProgress: () => accepted++,
        },
      );
      // Attempt i draws its noise from i * n * d: the stream tells the attempts.
      const attempts = Number(rng.counter) / (n * 2);
      expect(attempts).toBeGreaterThan(accepted); // some attempts were rejected
      expect(e).toBe(attempts + accepted);
      return e;
    });
    expect(count.evaluations / n).toBe(evaluations);
  });
});
