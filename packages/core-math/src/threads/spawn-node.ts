// Pool workers in Node (the `node` condition of "#spawn"): worker_threads running the worker body as eval'd
// CommonJS, or as an ES module where the parent runs with --input-type=module (the eval inherits it; there is no
// `require` then, and the workers' execArgv cannot drop it: V8 flags such as --expose-gc are refused per worker). Workers are unref'd
// once running: an idle pool does not keep the process alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readiness, workerBody, type PoolThread, type WorkerStart } from './worker-source.js';

const source = `${workerBody}
const { parentPort } = typeof require === 'function' ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
parentPort.once('message', (m) => run(m, (r) => parentPort.postMessage(r)));
`;

/** Whether this thread may sleep in Atomics.wait (every Node thread may). */
export const callerCanBlock = true;

/** Whether threads can run here (shared WebAssembly memory). */
export function threadsAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

/** The cores this process may use. */
export function availableCores(): number {
  return availableParallelism();
}

export function spawnThread(start: WorkerStart): PoolThread {
  const worker = new Worker(source, { eval: true, name: `core-math thread ${start.id}` });
  const r = readiness();
  worker.on('message', r.report);
  worker.on('error', (e) => r.fail(`core-math: thread ${start.id}: ${e.message}`));
  worker.on('exit', (code) => r.fail(`core-math: thread ${start.id} exited (code ${code})`));
  worker.postMessage(start);
  // Referenced until it is in its loop (so that loadCore's await keeps the process alive), then not.
  r.ready.then(
    () => worker.unref(),
    () => worker.unref(),
  );
  return {
    ready: r.ready,
    error: r.error,
    terminate: async () => {
      await worker.terminate();
    },
  };
}
