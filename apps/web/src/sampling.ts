/**
 * Sampling a trained model for the view: the library's `sample` (the model's default sampler unless one
 * is chosen) with about FRAMES animation frames posted on the way, then the samples' quality
 * (sample-quality.ts). Runs in the sampling worker, and in Node for the tests.
 */
import { defaultSampler, plannedSteps, sample, samplers, type ScoreModel } from '@scorefield/models';
import type { FromJob, MnistSource, SampleRequest } from './protocol.js';
import type { Core } from '@scorefield/core-math';
import type { ImageAssets } from './image-quality.js';
import { imageSampleQuality, sampleQuality, type Reference, type SampleQuality } from './sample-quality.js';

/** Frames of a sampling animation. */
export const FRAMES = 120;

export type JobPost = (msg: FromJob, transfer?: Transferable[]) => void;

/** What image samples are measured with: the classifier and the test split, and the digits the run trained on. */
export type ImageInputs = (digits: MnistSource) => Promise<{ assets: ImageAssets; train: Float32Array }>;

/**
 * Samples `model` (trained to `step`) as `req` asks, posting sample-start, the frames and sample-done for run `run`.
 * 2-D samples are measured at once; image samples once `images` (the classifier, the test split and the run's
 * digits) are loaded, so the promise returned then resolves when sample-done is posted.
 */
export function sampleForView(
  core: Core,
  model: ScoreModel,
  req: SampleRequest,
  ref: Reference,
  at: { run: number; step: number },
  post: JobPost,
  images?: ImageInputs,
): void | Promise<void> {
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
  const samples = result.samples;
  const { evaluations, settings, stationarity } = result;
  const convergenceCheck = samplers[result.sampler].stationary;
  const done = (quality: SampleQuality) =>
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
  if (ref.kind !== 'mnist') return done(sampleQuality(core, samples, ref));
  if (!images) throw new Error('sampleForView: image samples are measured with the image inputs');
  return images(ref.digits)
    .then(
      ({ assets, train }) => imageSampleQuality(samples, { kind: 'mnist', imageSize: ref.digits.imageSize, train }, assets),
      // The samples stand without their metrics.
      (e: Error): SampleQuality => ({
        mmd: Number.NaN,
        floor: Number.NaN,
        image: `the classifier or the digits could not be loaded (${e.message})`,
      }),
    )
    .then(done);
}
