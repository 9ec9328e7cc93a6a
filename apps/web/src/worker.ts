/**
 * The training worker: loads the WASM core, holds the current training session (session.ts), and the
 * one before it until the next change (so a change that discarded a trained model can be undone), and
 * trains in chunks of a few milliseconds scheduled through a MessageChannel, so messages from the page
 * get through between chunks. Files of points are read here too (file-points.ts).
 */
import type { Core } from '@scorefield/core-math';
import type { FromWorker, MnistSource, ToWorker } from './protocol.js';
import { readPointsFile } from './file-points.js';
import { loadMnistRunData } from './image-data.js';
import type { RunData } from './run-data.js';
import { RunFailure, Session } from './session.js';
import { allCores, loadWasmCore } from './wasm-core.js';

/** The worker's global scope, typed through the DOM lib's Worker (postMessage with transfer, onmessage). */
const scope = self as unknown as Worker;
const post = (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
/** File progress messages at most this often. */
const FILE_PROGRESS_MS = 50;

let core: Core | null = null;
let session: Session | null = null;
let previous: Session | null = null;
/** The run of the latest configure (errors are reported against it, even when its session failed to start). */
let latestRun = 0;
let scheduled = false;

function fail(e: unknown): void {
  if (session) session.running = false;
  // A RunFailure is already said for the page; anything else is a bug worth its own words.
  const message =
    e instanceof RunFailure ? e.message : `Something went wrong in the training worker: ${e instanceof Error ? e.message : String(e)}`;
  post({ type: 'error', run: latestRun, message });
  session?.postProgress(true);
}

// Messages are handled in order, after the core has loaded.
// Training takes every core (the threaded core splits each step; same bits as one thread).
let queue: Promise<void> = loadWasmCore(allCores()).then(
  (c) => {
    core = c;
    post({ type: 'ready', build: c.build, threads: c.threads });
  },
  (e) => fail(e),
);

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'load-file') {
    // Independent of runs and of the core: read while training goes on.
    let last = 0;
    const progress = (fraction: number) => {
      const now = performance.now();
      if (now - last < FILE_PROGRESS_MS) return;
      last = now;
      post({ type: 'file-progress', id: msg.id, fraction });
    };
    readPointsFile(msg.file, progress).then(
      (m) =>
        post({ type: 'file-points', id: msg.id, name: msg.file.name, data: m.data, rows: m.rows, cols: m.cols, names: m.names }, [
          m.data.buffer,
        ]),
      (e) => post({ type: 'file-error', id: msg.id, message: (e as Error).message.split('\n')[0] }),
    );
    return;
  }
  queue = queue.then(async () => {
    try {
      await handle(msg);
    } catch (e) {
      fail(e);
    }
  });
};

/** MNIST digits for a run (fetched once; the page's files are cached by its service worker for offline use). */
async function mnistData(src: MnistSource, previous: RunData | null): Promise<RunData> {
  try {
    return await loadMnistRunData(src, previous);
  } catch (e) {
    throw new RunFailure(`Could not load the MNIST digits (${(e as Error).message}): reload the page, then train again.`);
  }
}

async function handle(msg: Exclude<ToWorker, { type: 'load-file' }>): Promise<void> {
  if (!core) return;
  if (msg.type === 'configure') {
    latestRun = msg.run;
    if (session) session.running = false; // superseded: it stops while the new run's digits load
    const loaded = msg.data.kind === 'mnist' ? await mnistData(msg.data, (session ?? previous)?.data ?? null) : null;
    // Keep a trained model for an undo; an untrained one is not worth keeping.
    previous?.free();
    previous = null;
    if (session && session.step > 0) {
      session.running = false;
      previous = session;
    } else session?.free();
    const data = loaded ?? (previous ?? session)?.data ?? null;
    session = null;
    session = new Session(core, msg, data, post);
    return;
  }
  if (msg.type === 'restore') {
    if (previous?.run !== msg.run) return;
    session?.free();
    session = previous;
    previous = null;
    latestRun = session.run;
    session.announce();
    return;
  }
  const s = session;
  if (!s || msg.run !== s.run) return;
  switch (msg.type) {
    case 'run':
      if (s.start()) schedule();
      return;
    case 'pause':
      s.pause();
      return;
    case 'step':
      s.stepOnce();
      return;
    case 'target':
      s.setTarget(msg.steps);
      return;
    case 'field-sigma':
      s.setFieldSigma(msg.sigma);
      return;
    case 'export-model': {
      const { bytes, name } = s.modelFile();
      post({ type: 'model-bytes', run: s.run, id: msg.id, bytes, name }, [bytes.buffer]);
      return;
    }
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // A MessageChannel task, not setTimeout: no 4 ms clamp between chunks.
  tickChannel.port2.postMessage(0);
}
const tickChannel = new MessageChannel();
tickChannel.port1.onmessage = () => {
  scheduled = false;
  try {
    if (session?.tick()) schedule();
  } catch (e) {
    fail(e);
  }
};
