/**
 * The training worker: loads the WASM core, holds the current training session (session.ts) and trains
 * it in chunks of a few milliseconds, scheduled through a MessageChannel, so messages from the page get
 * through between chunks. Files of points are read here too (file-points.ts).
 */
import { loadCore, simdSupported, type Core } from '@scorefield/core-math';
import simdUrl from '@scorefield/core-math/build/simd.wasm?url';
import scalarUrl from '@scorefield/core-math/build/scalar.wasm?url';
import type { FromWorker, ToWorker } from './protocol.js';
import { readPointsFile } from './file-points.js';
import { sampleForView } from './sampling.js';
import { Session } from './session.js';

/** The worker's global scope, typed through the DOM lib's Worker (postMessage with transfer, onmessage). */
const scope = self as unknown as Worker;
const post = (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

let core: Core | null = null;
let session: Session | null = null;
/** The run of the latest configure (errors are reported against it, even when its session failed to start). */
let latestRun = 0;
let scheduled = false;

function fail(e: unknown): void {
  if (session) session.running = false;
  post({ type: 'error', run: latestRun, message: e instanceof Error ? e.message : String(e) });
  session?.postProgress(true);
}

async function start(): Promise<void> {
  const build = simdSupported() ? 'simd' : 'scalar';
  const url = build === 'simd' ? simdUrl : scalarUrl;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching the WASM core (${url}) failed with HTTP ${res.status}`);
  core = await loadCore({ build, bytes: new Uint8Array(await res.arrayBuffer()) });
  post({ type: 'ready', build: core.build });
}

// Messages are handled in order, after the core has loaded.
let queue: Promise<void> = start().catch((e) => fail(e));
scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'load-file') {
    // Independent of runs and of the core: read while training goes on.
    readPointsFile(msg.file).then(
      (m) => post({ type: 'file-points', id: msg.id, name: msg.file.name, data: m.data, rows: m.rows, cols: m.cols }, [m.data.buffer]),
      (e) => post({ type: 'file-error', id: msg.id, message: (e as Error).message.split('\n')[0] }),
    );
    return;
  }
  queue = queue.then(() => {
    try {
      handle(msg);
    } catch (e) {
      fail(e);
    }
  });
};

function handle(msg: Exclude<ToWorker, { type: 'load-file' }>): void {
  if (!core) return;
  if (msg.type === 'configure') {
    latestRun = msg.run;
    const previousData = session?.data ?? null;
    session?.free();
    session = null;
    session = new Session(core, msg, previousData, post);
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
    case 'sample': {
      // One WASM instance: training waits while sampling runs, and resumes afterwards.
      const wasRunning = s.running;
      s.running = false;
      s.postProgress(true);
      sampleForView(s.trainer.model, s.data, msg.request, s.run, s.step, post);
      if (wasRunning && s.start()) schedule();
      return;
    }
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
