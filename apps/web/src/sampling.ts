/**
 * Sampling a trained model for the view: the library's `sample` with about FRAMES animation frames
 * posted on the way, then the MMD² of the samples against the data.
 */
import { plannedSteps, sample, type ScoreModel } from '@scorefield/models';
import { mmd2, MMD_BANDWIDTHS } from '@scorefield/metrics';
import type { SampleRequest } from './protocol.js';
import type { Post } from './session.js';
import { shownPoints, type RunData } from './run-data.js';

/** Frames of a sampling animation. */
export const FRAMES = 120;

/** Samples `model` as `req` asks, posting sample-start, the frames and sample-done for run `run`. */
export function sampleForView(model: ScoreModel, data: RunData, req: SampleRequest, run: number, step: number, post: Post): void {
  const options = { steps: req.steps, stepSize: req.stepSize };
  const plan = plannedSteps(model, req.sampler, options);
  const every = Math.max(1, Math.round(plan / FRAMES));
  post({ type: 'sample-start', run, sampler: req.sampler, n: req.n, steps: plan });
  const t0 = performance.now();
  const result = sample(model, {
    sampler: req.sampler,
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
  // MMD² on standardised coordinates with the fixed multi-scale bandwidths (comparable across datasets and runs).
  const { mean, std } = model.normalization;
  const standardise = (v: Float32Array) => v.map((x, i) => (x - mean[i % 2]) / std[i % 2]);
  const ref = standardise(shownPoints(data.points, 1000)),
    k = Math.min(req.n, 1000);
  const mmd = mmd2(
    { data: standardise(result.samples.subarray(0, 2 * k)), rows: k, cols: 2 },
    { data: ref, rows: ref.length / 2, cols: 2 },
    { bandwidths: MMD_BANDWIDTHS },
  ).value;
  const samples = result.samples;
  post({ type: 'sample-done', run, step, samples, mmd, seconds, evaluations: result.evaluations, sampler: result.sampler }, [
    samples.buffer,
  ]);
}
