// A worker thread of parallel sampling (parallel-sample.ts): loads the core and the model, samples its block of particles.
import { parentPort, workerData } from 'node:worker_threads';
import { isInputError, loadCore } from '@scorefield/core-math';
import { decodeModel } from '../checkpoint.js';
import { sample, type SampleOptions } from '../samplers/index.js';

interface Job {
  bytes: Uint8Array;
  source: string;
  build: 'simd' | 'scalar' | 'auto';
  options: SampleOptions;
}

const job = workerData as Job;
try {
  const core = await loadCore({ build: job.build });
  const model = decodeModel(core, job.bytes, job.source);
  const result = sample(model, {
    ...job.options,
    onProgress: (p) => parentPort!.postMessage({ type: 'progress', step: p.step, steps: p.steps, sigma: p.sigma }),
  });
  // Transferred, not copied: a long trajectory is held once on its way to the main thread.
  parentPort!.postMessage(
    {
      type: 'done',
      samples: result.samples,
      trajectory: result.trajectory,
      evaluations: result.evaluations,
      sampler: result.sampler,
      settings: result.settings,
      stein: result.stein,
    },
    [result.samples.buffer, ...result.trajectory.map((f) => f.buffer)] as ArrayBuffer[],
  );
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message, input: isInputError(e) });
}
