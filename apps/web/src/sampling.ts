/**
 * Sampling a trained model for the view: the library's `sample` (the model's default sampler unless one
 * is chosen) with about FRAMES animation frames posted on the way, then the samples' quality
 * (sample-quality.ts). Runs in the sampling worker, and in Node for the tests.
 */
import type { Core } from '@scorefield/core-math';
import { defaultSampler, plannedSteps, sample, samplers, type ScoreModel } from '@scorefield/models';
import type { FromJob, SampleRequest } from './protocol.js';
import { sampleQuality, type Reference } from './sample-quality.js';

/** Frames of a sampling animation. */
export const FRAMES = 120;

export type JobPost = (msg: FromJob, transfer?: Transferable[]) => void;

/** Samples `model` (trained to `step`) as `req` asks, posting sample-start, the frames and sample-done for run `run`. */
export function sampleForView(
  core: Core,
  model: ScoreModel,
  req: SampleRequest,
  ref: Reference,
  at: { run: number; step: number },
  post: JobPost,
): void {
  const { run, step } = at;
  const sampler = req.sampler ?? defaultSampler(model);
  const options = { steps: req.steps, stepSize: req.stepSize };
  const plan = plannedSteps(model, sampler, options);
  const every = Math.max(1, Math.round(plan / FRAMES));
  post({ type: 'sample-start', run, sampler, n: req.n, steps: plan });
  const t0 = performance.now();
  const result = sample(model, {
    sampler,
    n: req.n,
    seed: req.seed,
    ...options,
    progressEvery: every,
    onProgress: (p) => {
      const particles = p.particles();
      post({ type: 'sample-frame', run, step: p.step, steps: p.steps, sigma: p.sigma, particles }, [particles.buffer]);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const quality = sampleQuality(core, result.samples, ref);
  const samples = result.samples;
  const { evaluations, settings, stationarity } = result;
  const convergenceCheck = samplers[result.sampler].stationary;
  post(
    {
      type: 'sample-done',
      run,
      step,
      samples,
      quality,
      seconds,
      evaluations,
      sampler: result.sampler,
      settings,
      stationarity,
      convergenceCheck,
    },
    [samples.buffer],
  );
}
