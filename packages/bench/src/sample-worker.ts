// A worker of the bench's copy of apps/cli's sampleParallel (see sampling.ts): the same job, except that it
// reserves WASM memory before sampling (a workaround for the detached-view bug described there).
import { parentPort, workerData } from 'node:worker_threads';
import { loadCore } from '@scorefield/core-math';
import { decodeModel, sample, type SampleOptions } from '@scorefield/models';

const job = workerData as { bytes: Uint8Array; options: SampleOptions; reserveFloats: number };
try {
  const core = await loadCore({ build: 'simd' });
  core.f32(job.reserveFloats).free();
  const model = decodeModel(core, job.bytes, 'bench');
  const r = sample(model, job.options);
  parentPort!.postMessage({ type: 'done', samples: r.samples });
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message });
}
