import { Worker } from 'node:worker_threads';
import { InputError } from '@scorefield/core-math';
import type { ScoreModel } from '../model.js';
import { ODE_BLOCK } from '../samplers/ode.js';
import { stationarity, type SampleOptions, type SampleResult } from '../samplers/index.js';

/** Splits n particles into `workers` blocks on multiples of ODE_BLOCK (so every sampler gives the same bits). */
export function sampleBlocks(n: number, workers: number): { first: number; n: number }[] {
  const chunks = Math.ceil(n / ODE_BLOCK);
  const w = Math.max(1, Math.min(workers, chunks));
  return Array.from({ length: w }, (_, i) => {
    const a = Math.floor((i * chunks) / w) * ODE_BLOCK,
      b = Math.min(n, Math.floor(((i + 1) * chunks) / w) * ODE_BLOCK);
    return { first: a, n: b - a };
  });
}

/**
 * Samples with the particles split across worker threads (one core each); the result is bit for bit the
 * one a single run gives (the Stein sums too: they are kept per chunk of particles and merged in order).
 * Progress reports the mean step over the workers. One block runs in a worker too, so the main thread stays
 * free to handle SIGINT/SIGTERM however long sampling takes. The workers load the build of the model's core
 * and decode the model from `modelBytes` (its file; `source` names it in messages).
 */
export async function sampleParallel(
  model: ScoreModel,
  modelBytes: Uint8Array,
  source: string,
  options: SampleOptions,
  workers: number,
  onProgress?: (p: { step: number; steps: number; sigma?: number }) => void,
): Promise<SampleResult> {
  const parts = sampleBlocks(options.n, workers);
  const steps = new Array<number>(parts.length).fill(0);
  const build = model.core.build;
  const { onProgress: _drop, ...plain } = options;
  const results = await Promise.all(
    parts.map(
      (part, w) =>
        new Promise<SampleResult>((resolve, reject) => {
          // ../../dist/node/ from both src/node (tests) and dist/node: workers always run the compiled module.
          const worker = new Worker(new URL('../../dist/node/sample-worker.js', import.meta.url), {
            workerData: {
              bytes: modelBytes,
              source,
              build,
              options: { ...plain, n: part.n, block: { first: part.first, total: options.n } },
            },
          });
          worker.on('message', (m) => {
            if (m.type === 'progress') {
              steps[w] = m.step;
              onProgress?.({ step: Math.round(steps.reduce((a, b) => a + b, 0) / steps.length), steps: m.steps, sigma: m.sigma });
            } else if (m.type === 'done') {
              resolve(m);
              void worker.terminate();
            } else {
              reject(m.input ? new InputError(m.message) : new Error(m.message));
              void worker.terminate();
            }
          });
          worker.on('error', reject);
        }),
    ),
  );
  const d = model.dim;
  const samples = new Float32Array(options.n * d);
  results.forEach((r, w) => samples.set(r.samples, parts[w].first * d));
  const frames = results[0].trajectory.length;
  const trajectory = Array.from({ length: frames }, (_, f) => {
    const frame = new Float32Array(options.n * d);
    results.forEach((r, w) => frame.set(r.trajectory[f], parts[w].first * d));
    return frame;
  });
  const stein = { ...results[0].stein, chunks: results.flatMap((r) => r.stein.chunks) };
  return {
    samples,
    trajectory,
    sampler: results[0].sampler,
    settings: results[0].settings,
    evaluations: results[0].evaluations,
    stein,
    stationarity: stationarity(stein),
  };
}
