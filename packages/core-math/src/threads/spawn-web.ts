// Pool workers in browsers and other web workers (the default condition of "#spawn"): a Web Worker from a Blob
// URL of the worker body. Shared memory needs a cross-origin isolated page (COOP: same-origin, COEP:
// require-corp); without it threadsAvailable() is false and loadCore runs one thread.
import { readiness, workerBody, type PoolThread, type WorkerStart } from './worker-source.js';

const source = `${workerBody}
self.onmessage = (e) => run(e.data, (r) => self.postMessage(r));
`;

/** A page's main thread may not sleep in Atomics.wait; a worker may. */
export const callerCanBlock = typeof document === 'undefined';

/** Whether threads can run here: SharedArrayBuffer, a cross-origin isolated context and Worker. */
export function threadsAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false && typeof Worker === 'function';
}

/** The cores the browser reports (navigator.hardwareConcurrency), 1 when it does not. */
export function availableCores(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 1;
}

export function spawnThread(start: WorkerStart): PoolThread {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: `core-math thread ${start.id}` });
  const r = readiness();
  r.ready.then(
    () => URL.revokeObjectURL(url),
    () => URL.revokeObjectURL(url),
  );
  worker.onmessage = (e: MessageEvent) => r.report(e.data);
  worker.onerror = (e: ErrorEvent) => r.fail(`core-math: thread ${start.id}: ${e.message}`);
  worker.postMessage(start);
  return {
    ready: r.ready,
    error: r.error,
    terminate: async () => worker.terminate(),
  };
}
