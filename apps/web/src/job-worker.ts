/**
 * The job worker: decodes the model file the training worker wrote (the bytes `scorefield sample` would
 * read) and samples it (sampling.ts), or computes its ODE density on the view's grid (density.ts), while
 * training goes on in the training worker. The page stops a job by terminating this worker.
 */
import { decodeModel } from '@scorefield/models';
import { gridDensity } from './density.js';
import type { FromJob, ToJob } from './protocol.js';
import { sampleForView } from './sampling.js';
import { loadWasmCore } from './wasm-core.js';

const scope = self as unknown as Worker;
const post = (msg: FromJob, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
const core = loadWasmCore();

scope.onmessage = async (ev: MessageEvent<ToJob>) => {
  const m = ev.data;
  try {
    const c = await core;
    const model = decodeModel(c, m.bytes, 'the trained model');
    try {
      if (m.type === 'sample') sampleForView(c, model, m.request, m.reference, { run: m.run, step: m.step }, post);
      else {
        const logp = gridDensity(model, m.range, m.grid);
        post({ type: 'density-done', run: m.run, step: m.step, range: m.range, grid: m.grid, logp }, [logp.buffer]);
      }
    } finally {
      model.free();
    }
  } catch (e) {
    post({ type: 'job-error', run: m.run, message: e instanceof Error ? e.message : String(e) });
  }
};
