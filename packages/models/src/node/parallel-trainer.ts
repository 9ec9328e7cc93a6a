// Data-parallel training on Node worker threads: the batch is split into shards, the main thread and
// W - 1 workers each compute their shard's loss and gradient on their own WASM core, and the main thread
// sums the gradients (weighted by shard size) and takes the Adam step. Parameters and gradients travel
// through a SharedArrayBuffer; Atomics.wait/notify synchronise each step.
// Deterministic for a seed and a worker count (each shard has its own stream); not bit-equal across
// worker counts, unlike sampling.
//
// Protocol (control words below). A step: the main thread writes the parameters, stores STEP, bumps
// GENERATION and notifies it; each worker, seeing a generation other than the last one it finished,
// computes its shard, writes its loss and gradient, stores the generation in its DONE word, then bumps
// and notifies FINISHED. The main thread computes shard 0 meanwhile and waits until every DONE word holds
// the generation. Nobody waits without a timeout: the main thread waits in slices and, on each wake-up,
// checks every worker's STATE (a worker that throws writes FAILED and its message, one whose thread exits
// writes EXITED from process 'exit') and heartbeat (BEAT), so a dead or stuck worker ends the step with
// an error after at most `stallTimeoutMs` instead of a hang; workers wait in slices too and return once
// SHUTDOWN is set.
import { Worker } from 'node:worker_threads';
import {
  BoundObjective,
  FourierBlock,
  GaussianBlock,
  gatherRandomRows,
  loadCore,
  MlpLayout,
  scaleAdd,
  type Activation,
  type Conditioning,
  type Core,
  type F32Buffer,
  type FourierSpec,
  type GaussianSpec,
  type ModelSpec,
  type ObjectiveSpec,
  type Rng,
} from '@scorefield/core-math';
import { normalize } from '../normalization.js';
import { checkPoints, type Points } from '../points.js';
import { Trainer, TrainingDivergedError, type TrainOptions } from '../train.js';

const GENERATION = 0; // step counter, bumped by the main thread to start a step; wraps, compared for equality only
const FINISHED = 1; // the main thread's wake-up word: bumped by a worker that finishes a step, fails or exits; never reset
const SHUTDOWN = 2; // 1 once the trainer is closed or has failed: workers return
const STEP = 3; // trainer step (1-based) of the current generation (fault injection; informative)
const HEADER = 4;
// Words of worker w, at HEADER + SLOT * w (those of slot 0, the main thread, are unused).
const SLOT = 4;
const DONE = 0; // the last generation whose shard this worker finished (0: none; the buffer starts zeroed)
const STATE = 1; // STARTING, READY, FAILED, EXITED or STOPPED
const BEAT = 2; // heartbeat: bumped when the worker starts a step and on each idle wake-up
const INFO = 3; // FAILED: byte length of the message; EXITED: the exit code
const STARTING = 0,
  READY = 1,
  FAILED = 2,
  EXITED = 3,
  STOPPED = 4;
const MESSAGE_BYTES = 256; // per worker: the UTF-8 message of a FAILED worker
/** Longest single wait of the main thread before it rechecks the workers (a failure notifies at once). */
const MAIN_SLICE_MS = 250;
/** Longest single wait of an idle worker before it rechecks SHUTDOWN and beats. */
const WORKER_SLICE_MS = 1000;
/**
 * Both sides poll for this long before sleeping in Atomics.wait: a futex wake-up took about 0.1 ms on the
 * 2-core test machine, a sixth of a width-128 step, and the poll only runs while the other side is
 * about to answer (between steps of one run, or for the rest of a shard).
 */
const SPIN_MS = 1;

/** Polls until control[index] !== value or SPIN_MS pass; true if it changed. */
function spinWhile(control: Int32Array, index: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (let i = 0; ; i++) {
    if (Atomics.load(control, index) !== value) return true;
    if ((i & 63) === 63 && performance.now() > until) return false;
  }
}

/** Shard sizes of a batch over `workers` (the first ones get the remainder). */
export function shardSizes(batch: number, workers: number): number[] {
  return Array.from({ length: workers }, (_, w) => Math.floor(batch / workers) + (w < batch % workers ? 1 : 0));
}

/** Options of {@link ParallelTrainer}: those of {@link Trainer} and the threads'. */
export interface ParallelTrainOptions extends TrainOptions {
  /** Threads, the calling one included. */
  workers: number;
  wasm?: 'simd' | 'scalar';
  /**
   * A step fails with an error when a worker that has not finished its shard shows no sign of life for
   * this long, in milliseconds (default 120 000; `Infinity`: wait for ever). A worker beats while idle
   * but not while it computes, so this must exceed the time of one shard's step.
   */
  stallTimeoutMs?: number;
  /**
   * FAULT INJECTION, FOR TESTS ONLY: at trainer step `step`, worker `worker` (1 to workers - 1) throws,
   * exits its thread (`process.exit(3)`), or blocks for ever without a word.
   */
  testFault?: TestFault;
}

/** See {@link ParallelTrainOptions.testFault} (tests only). */
export interface TestFault {
  worker: number;
  step: number;
  kind: 'throw' | 'exit' | 'hang';
}

/** A {@link Trainer} whose steps run on `workers` threads (the calling thread is one of them). */
export class ParallelTrainer {
  readonly trainer: Trainer;
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  private readonly messages: Uint8Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly losses: Float64Array;
  private readonly shards: number[];
  private readonly local: {
    objective: BoundObjective;
    rng: Rng;
    batch: F32Buffer;
    grads: F32Buffer;
    part: F32Buffer;
    ws: F32Buffer;
    train: F32Buffer;
  };
  private readonly ready: Promise<void>;
  private readonly stallTimeoutMs: number;
  /** Last generation started (the workers' DONE words reach it). */
  private generation = 0;
  /** Why worker w's thread ended, from its 'error' / 'exit' events (delivered only while the main thread is not blocked). */
  private readonly ended: (string | undefined)[] = [];
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly core: Core,
    data: Points,
    readonly options: ParallelTrainOptions,
  ) {
    data = checkPoints(data, 'data'); // a copy: the allocations below may detach the caller's view
    const stall = options.stallTimeoutMs ?? 120_000;
    if (!(stall > 0)) throw new Error(`train: stallTimeoutMs must be a positive number of milliseconds (got ${options.stallTimeoutMs})`);
    this.stallTimeoutMs = stall;
    const W = Math.max(1, Math.floor(options.workers));
    const fault = options.testFault;
    if (fault && !(Number.isInteger(fault.worker) && fault.worker >= 1 && fault.worker < W))
      throw new Error(`train: testFault.worker must be a worker thread, 1 to ${W - 1}`);
    this.trainer = new Trainer(core, data, options);
    const model = this.trainer.model,
      P = model.params.length,
      d = model.dim;
    this.shards = shardSizes(this.trainer.options.batch, W);
    if (this.shards.some((s) => s < 1)) throw new Error(`train: batch ${this.trainer.options.batch} is smaller than the ${W} workers`);
    const sab = new SharedArrayBuffer(sharedBytes(P, W));
    ({
      control: this.control,
      messages: this.messages,
      losses: this.losses,
      params: this.params,
      grads: this.grads,
    } = sharedViews(sab, P, W));
    const standardized = normalize(model.normalization, data.data);
    const seed = this.trainer.options.seed;
    // Shard 0 runs here, on the trainer's core.
    const objective = new BoundObjective(core, this.trainer.loss, model.spec, model.layout);
    this.local = {
      objective,
      rng: core.rng(shardSeed(seed, 0)),
      batch: core.f32(this.shards[0] * d),
      grads: core.f32(P),
      part: core.f32(P),
      ws: core.f32(objective.workspaceFloats(this.shards[0])),
      train: core.f32(standardized.length, standardized),
    };
    const started: Promise<void>[] = [];
    for (let w = 1; w < W; w++) {
      const worker = new Worker(new URL('../../dist/node/train-worker.js', import.meta.url), {
        workerData: {
          sab,
          shard: w,
          workers: W,
          size: this.shards[w],
          batch: this.trainer.options.batch,
          rows: data.rows,
          data: standardized,
          // The spec's blocks live in this core's memory: the worker gets their plain arrays and builds its own.
          spec: { kind: model.spec.kind, conditioning: model.spec.conditioning },
          ...(model.spec.gaussian && { gaussian: model.spec.gaussian.spec }),
          ...(model.spec.fourier && { fourier: model.spec.fourier.spec }),
          dims: [...model.layout.dims],
          activation: model.config.activation,
          loss: this.trainer.loss,
          seed: shardSeed(seed, w),
          wasm: options.wasm ?? 'auto',
          fault: fault?.worker === w ? fault : undefined,
        } satisfies ShardJob,
      });
      worker.on('error', (e) => (this.ended[w] ??= firstLine(e)));
      worker.on('exit', (code) => (this.ended[w] ??= `its thread exited with code ${code}`));
      started.push(
        new Promise((resolve, reject) => {
          const fail = (why: string) => reject(new Error(`parallel training: worker ${w} failed to start: ${why}`));
          worker.once('message', (m) => (m === 'ready' ? resolve() : fail(String(m))));
          worker.once('error', (e) => fail(firstLine(e)));
          worker.once('exit', (code) => fail(`its thread exited with code ${code}`));
        }),
      );
      this.workers.push(worker);
    }
    this.ready = Promise.all(started).then(
      // Ready: a trainer that is never closed no longer keeps the process alive.
      () => {
        if (!this.closing) for (const w of this.workers) w.unref();
      },
      (e: Error) => {
        this.abort(e);
        throw e;
      },
    );
    this.ready.catch(() => undefined); // run() may be called without awaiting start()
  }

  /** Resolves when every worker has loaded its core; rejects if one fails to (and stops the others). */
  start(): Promise<void> {
    return this.ready;
  }

  /**
   * `count` data-parallel Adam steps; returns the last loss (see {@link Trainer.run}).
   * Throws (a one-line message naming the worker and the step) if a worker fails, exits or stalls; the
   * workers are then stopped and the trainer can only be closed.
   */
  run(count: number, onStep?: (step: number, loss: number) => void): number {
    const { trainer, local, shards, control } = this;
    const model = trainer.model,
      P = model.params.length,
      B = trainer.options.batch,
      W = shards.length;
    const adamGrads = local.grads;
    let loss = NaN;
    for (let k = 0; k < count; k++) {
      this.checkUsable();
      // Normally immediate; not when the previous run threw between starting a step and its end.
      this.waitForWorkers(this.generation, Atomics.load(control, STEP));
      const step = trainer.step + 1;
      this.params.set(trainer.params.view); // the trained weights, not their moving average
      const generation = (this.generation = (this.generation + 1) | 0);
      Atomics.store(control, STEP, step);
      Atomics.store(control, GENERATION, generation);
      Atomics.notify(control, GENERATION);
      // Shard 0 here, meanwhile.
      gatherRandomRows(this.core, local.rng, local.train, local.train.length / model.dim, model.dim, local.batch);
      local.grads.view.fill(0);
      const own = local.objective.lossGrad(trainer.params, local.batch, shards[0], local.rng, local.grads, local.ws);
      this.waitForWorkers(generation, step);
      // The batch-mean gradient: shard means weighted by shard sizes, summed in WASM (a JS loop over the
      // parameters took a tenth of a width-128 step) after one block copy out of the shared buffer.
      loss = own * (shards[0] / B);
      for (let w = 1; w < W; w++) {
        const ww = shards[w] / B;
        loss += this.losses[w] * ww;
        local.part.view.set(this.grads.subarray(w * P, (w + 1) * P));
        scaleAdd(this.core, adamGrads, w === 1 ? shards[0] / B : 1, local.part, ww);
      }
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(trainer.step + 1, loss);
      trainer.applyGradient(adamGrads, loss);
      onStep?.(trainer.step, loss);
    }
    return loss;
  }

  /** Stops the workers and frees the shard buffers (not the trainer). Safe to call again, and after a failure. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      Atomics.store(this.control, SHUTDOWN, 1);
      Atomics.notify(this.control, GENERATION);
      // ref(): an unref'd worker's exit would not keep the process alive until this resolves.
      await Promise.all(
        this.workers.map((w) => {
          w.ref();
          return w.terminate();
        }),
      );
      const l = this.local;
      for (const b of [l.batch, l.grads, l.part, l.ws, l.train]) b.free();
      l.objective.free();
      l.rng.free();
    })());
  }

  private checkUsable(): void {
    if (this.closing) throw new Error('parallel training: the trainer is closed');
    if (this.failure)
      throw new Error(`parallel training: stopped by an earlier failure (${this.failure.message})`, { cause: this.failure });
  }

  /**
   * Waits, in slices of at most MAIN_SLICE_MS, until every worker has finished `generation`; throws if
   * one fails, exits, or shows no sign of life for stallTimeoutMs. (While this blocks, the event loop is
   * blocked too: no 'error' / 'exit' event arrives, hence the shared STATE words and heartbeats.)
   */
  private waitForWorkers(generation: number, step: number): void {
    const c = this.control,
      W = this.shards.length;
    let beats: Int32Array | undefined, since: Float64Array | undefined;
    for (;;) {
      // Read the wake-up word before checking: a worker that changes anything after this read also
      // bumps FINISHED, so the wait below returns at once instead of missing it.
      const seen = Atomics.load(c, FINISHED);
      const now = performance.now();
      let slice = MAIN_SLICE_MS,
        pending = false;
      for (let w = 1; w < W; w++) {
        const at = HEADER + SLOT * w,
          state = Atomics.load(c, at + STATE);
        if (state === FAILED) throw this.fail(w, `failed at step ${step}: ${this.message(w)}`);
        if (state === EXITED) throw this.fail(w, `exited at step ${step} (its thread ended with code ${Atomics.load(c, at + INFO)})`);
        const ended = this.ended[w];
        if (ended !== undefined) throw this.fail(w, `failed at step ${step}: ${ended}`);
        if (Atomics.load(c, at + DONE) === generation) continue;
        pending = true;
        beats ??= new Int32Array(W);
        since ??= new Float64Array(W).fill(NaN);
        const beat = Atomics.load(c, at + BEAT);
        if (Number.isNaN(since[w]) || beat !== beats[w]) {
          beats[w] = beat;
          since[w] = now;
        } else if (now - since[w] >= this.stallTimeoutMs) {
          throw this.fail(
            w,
            `stalled at step ${step}: no sign of life for ${(this.stallTimeoutMs / 1000).toPrecision(3)} s (stuck, or its thread died ` +
              `without reporting, e.g. out of memory; see stallTimeoutMs)`,
          );
        }
        slice = Math.min(slice, since[w] + this.stallTimeoutMs - now);
      }
      if (!pending) return; // every worker has finished the generation
      if (!spinWhile(c, FINISHED, seen)) Atomics.wait(c, FINISHED, seen, Math.max(1, slice));
    }
  }

  /** The error of worker w; stops every worker (the trainer is then unusable). */
  private fail(w: number, what: string): Error {
    const e = new Error(`parallel training: worker ${w} ${what}`);
    this.abort(e);
    return e;
  }

  private abort(e: Error): void {
    this.failure ??= e;
    Atomics.store(this.control, SHUTDOWN, 1);
    Atomics.notify(this.control, GENERATION);
    for (const w of this.workers) w.terminate().catch(() => undefined);
  }

  /** The message a FAILED worker w wrote. */
  private message(w: number): string {
    const n = Math.min(MESSAGE_BYTES, Atomics.load(this.control, HEADER + SLOT * w + INFO));
    return new TextDecoder().decode(this.messages.slice(w * MESSAGE_BYTES, w * MESSAGE_BYTES + n)) || 'unknown error';
  }
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? `${e.message || e.name}` : String(e);
  return s.split('\n')[0];
}

// Shared layout: [control: HEADER + SLOT x W i32][losses: W x f64][messages: W x MESSAGE_BYTES]
// [params: P x f32][grads: W x P x f32]. The control block is a multiple of 8 bytes: the f64 are aligned.
function controlInts(W: number): number {
  return HEADER + SLOT * W;
}

function sharedBytes(P: number, W: number): number {
  return 4 * controlInts(W) + 8 * W + MESSAGE_BYTES * W + 4 * P + 4 * W * P;
}

function sharedViews(sab: SharedArrayBuffer, P: number, W: number) {
  const c = 4 * controlInts(W),
    m = c + 8 * W,
    p = m + MESSAGE_BYTES * W;
  return {
    control: new Int32Array(sab, 0, controlInts(W)),
    losses: new Float64Array(sab, c, W),
    messages: new Uint8Array(sab, m, MESSAGE_BYTES * W),
    params: new Float32Array(sab, p, P),
    grads: new Float32Array(sab, p + 4 * P, W * P),
  };
}

/** The stream of shard w: distinct from the single-thread run's (seed + 1) and the weights' (seed). */
export function shardSeed(seed: number, w: number): bigint {
  return (BigInt(seed) << 8n) + 1000n + BigInt(w);
}

/** The shard each worker thread runs (see train-worker.ts). */
export interface ShardJob {
  sab: SharedArrayBuffer;
  shard: number;
  workers: number;
  size: number;
  rows: number;
  data: Float32Array;
  spec: { kind: 'score' | 'energy'; conditioning: Conditioning };
  /** Conditioning 'gaussian': the data's Gaussian (plain arrays). */
  gaussian?: GaussianSpec;
  /** Conditioning 'fourier': the input features' frequencies (plain arrays). */
  fourier?: FourierSpec;
  dims: number[];
  activation: string;
  loss: ObjectiveSpec;
  /** The whole batch (all shards). */
  batch: number;
  seed: bigint;
  wasm: 'simd' | 'scalar' | 'auto';
  /** Fault injection, for tests only (see {@link ParallelTrainOptions.testFault}). */
  fault?: TestFault;
}

/**
 * One worker's loop: wait for a step, compute the shard's mean loss and gradient (the main thread weights them),
 * report. Returns once SHUTDOWN is set. An error (here or while loading) is written to the shared
 * control block for the main thread, which cannot receive events while it waits, then rethrown; an exit
 * of the thread (process.exit) is written too.
 */
export async function runShard(job: ShardJob, post: (m: string) => void): Promise<void> {
  const control = new Int32Array(job.sab, 0, controlInts(job.workers));
  const at = HEADER + SLOT * job.shard;
  const report = (state: number, info: number) => {
    Atomics.store(control, at + INFO, info);
    Atomics.store(control, at + STATE, state); // after the message: the main thread reads it once it sees FAILED
    Atomics.add(control, FINISHED, 1);
    Atomics.notify(control, FINISHED);
  };
  const onExit = (code: number) => {
    const state = Atomics.load(control, at + STATE);
    if (state === STARTING || state === READY) report(EXITED, code);
  };
  process.on('exit', onExit);
  try {
    const core = await loadCore({ build: job.wasm });
    // The shard's buffers and objective live until the trainer shuts the worker down.
    core.scope((scope) => {
      const net = scope.adopt(new MlpLayout(core, job.dims, job.activation as Activation));
      const d = job.data.length / job.rows;
      const spec: ModelSpec = {
        ...job.spec,
        ...(job.gaussian && { gaussian: scope.adopt(new GaussianBlock(core, job.gaussian)) }),
        ...(job.fourier && { fourier: scope.adopt(new FourierBlock(core, job.fourier, d)) }),
      };
      const objective = scope.adopt(new BoundObjective(core, job.loss, spec, net));
      const P = net.paramCount;
      const views = sharedViews(job.sab, P, job.workers);
      const { params, losses } = views;
      const grads = views.grads.subarray(job.shard * P, (job.shard + 1) * P);
      const train = scope.f32(job.data.length, job.data),
        batch = scope.f32(job.size * d),
        p = scope.f32(P),
        g = scope.f32(P);
      const ws = scope.f32(objective.workspaceFloats(job.size)),
        rng = scope.rng(job.seed);
      Atomics.store(control, at + STATE, READY);
      Atomics.add(control, at + BEAT, 1);
      post('ready');
      // Count generations from 0, the value the buffer starts with, not from what GENERATION holds now.
      // (Bug fixed here: the worker used to take GENERATION as read at start-up as already done, so a
      // step started before that read -- run() called before start() resolved, or a slow start -- was
      // never computed and the main thread waited for it for ever.)
      let done = 0;
      for (;;) {
        if (Atomics.load(control, SHUTDOWN) !== 0) break;
        const generation = Atomics.load(control, GENERATION);
        if (generation === done) {
          // Timed: rechecks SHUTDOWN, and the beat tells the main thread this worker is alive.
          if (!spinWhile(control, GENERATION, done)) Atomics.wait(control, GENERATION, done, WORKER_SLICE_MS);
          Atomics.add(control, at + BEAT, 1);
          continue;
        }
        Atomics.add(control, at + BEAT, 1);
        if (job.fault && Atomics.load(control, STEP) === job.fault.step) injectFault(job.fault);
        p.set(params);
        gatherRandomRows(core, rng, train, job.rows, d, batch);
        g.view.fill(0);
        const loss = objective.lossGrad(p, batch, job.size, rng, g, ws);
        const _gv = g.view;
        grads.set(g.view); // one block copy; the main thread weights the shards
        losses[job.shard] = loss;
        done = generation;
        Atomics.store(control, at + DONE, generation); // after the results: publishes them
        Atomics.add(control, FINISHED, 1);
        Atomics.notify(control, FINISHED);
      }
      Atomics.store(control, at + STATE, STOPPED);
    });
  } catch (e) {
    const bytes = new TextEncoder().encode(firstLine(e)).subarray(0, MESSAGE_BYTES);
    const messages = new Uint8Array(job.sab, 4 * controlInts(job.workers) + 8 * job.workers, MESSAGE_BYTES * job.workers);
    messages.set(bytes, job.shard * MESSAGE_BYTES);
    report(FAILED, bytes.length);
    throw e;
  } finally {
    process.off('exit', onExit);
  }
}

function injectFault(fault: TestFault): void {
  if (fault.kind === 'exit') process.exit(3);
  if (fault.kind === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // no one will notify
  throw new Error(`injected fault at step ${fault.step}`);
}
