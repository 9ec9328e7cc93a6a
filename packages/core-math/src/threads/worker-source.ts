// The body of a pool worker, as source text: it imports nothing, so the same text runs as a Node worker_threads
// worker (eval) and as a browser Web Worker (from a Blob URL) with no file to locate and nothing for a bundler to
// follow. It gets { module, memory, pool, id }, instantiates the module on the shared memory, says it is ready
// and enters poolWorker (assembly/pool.ts) until the pool stops. If its instance traps it marks the pool failed
// (so the caller's wait throws instead of waiting for ever) and reports the message.

/** `run(message, post)`: the worker's whole job; each environment's prologue calls it. */
export const workerBody = `
function run({ module, memory, pool, id }, post) {
  const env = {
    memory,
    abort(_message, _file, line, column) { throw new Error('core-math: WASM abort at ' + line + ':' + column); },
    poolFailed(worker) { throw new Error('core-math: thread ' + worker + ' failed'); },
    poolNow() { return performance.now(); },
  };
  let instance;
  try {
    instance = new WebAssembly.Instance(module, { env });
  } catch (e) {
    post({ error: 'core-math: thread ' + id + ' could not instantiate the module: ' + (e && e.message ? e.message : e) });
    return;
  }
  post({ ready: true });
  try {
    instance.exports.poolWorker(pool, id);
    post({ stopped: true });
  } catch (e) {
    instance.exports.poolFail(pool, id);
    post({ error: 'core-math: thread ' + id + ': ' + (e && e.message ? e.message : e) });
  }
}
`;

/** What the caller sends each worker. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  pool: number;
  id: number;
}

/** What a worker sends back: ready (entering its loop), stopped, or an error message. */
export type WorkerReport = { ready: true } | { stopped: true } | { error: string };

/** A started worker, whichever the environment. */
export interface PoolThread {
  /** Resolves when the worker is in its loop; rejects with its error. */
  readonly ready: Promise<void>;
  /** The first error the worker reported, if any. */
  readonly error: () => string | undefined;
  /** Ends the thread (after poolStop, or to give up). */
  terminate(): Promise<void>;
}

/** The Promise and callbacks a spawner wires to its worker's messages. */
export function readiness(): {
  ready: Promise<void>;
  report: (r: WorkerReport) => void;
  fail: (message: string) => void;
  error: () => string | undefined;
} {
  let error: string | undefined;
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  ready.catch(() => {}); // a failure after readiness is reported through error(), not as an unhandled rejection
  const fail = (message: string) => {
    error ??= message;
    reject(new Error(message));
  };
  return {
    ready,
    report: (r) => ('ready' in r ? resolve() : 'error' in r ? fail(r.error) : undefined),
    fail,
    error: () => error,
  };
}
