// Data-parallel training on Node worker threads: the batch is split into shards, the main thread and
// W - 1 workers each compute their shard's loss and gradient on their own WASM core, and the main thread
// sums the gradients (weighted by shard size) and takes the Adam step. Parameters and gradients travel
// through a SharedArrayBuffer; Atomics.wait/notify synchronise each step.
// Deterministic for a seed and a worker count (each shard has its own stream); not bit-equal across
// worker counts, unlike sampling.
import { Worker } from 'node:worker_threads';
import { BoundObjective, gatherRandomRows, loadCore, MlpLayout, type Activation, type Core, type F32Buffer, type ObjectiveSpec, type Rng } from '@scorefield/core-math';
import { normalize } from '../normalization.js';
import type { Points } from '../points.js';
import { Trainer, TrainingDivergedError, type TrainOptions } from '../train.js';

const GENERATION = 0; // bumped by the main thread to start a step (or -1 to stop)
const FINISHED = 1; // workers done with the current step

/** Shard sizes of a batch over `workers` (the first ones get the remainder). */
export function shardSizes(batch: number, workers: number): number[] {
  return Array.from({ length: workers }, (_, w) => Math.floor(batch / workers) + (w < batch % workers ? 1 : 0));
}

/** A {@link Trainer} whose steps run on `workers` threads (the calling thread is one of them). */
export class ParallelTrainer {
  readonly trainer: Trainer;
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly losses: Float64Array;
  private readonly shards: number[];
  private readonly local: { objective: BoundObjective; rng: Rng; batch: F32Buffer; grads: F32Buffer; ws: F32Buffer; train: F32Buffer };
  private readonly ready: Promise<void>;

  constructor(readonly core: Core, data: Points, readonly options: TrainOptions & { workers: number; wasm?: 'simd' | 'scalar' }) {
    this.trainer = new Trainer(core, data, options);
    const W = Math.max(1, Math.floor(options.workers));
    const model = this.trainer.model, P = model.params.length, d = model.dim;
    this.shards = shardSizes(this.trainer.options.batch, W);
    if (this.shards.some((s) => s < 1)) throw new Error(`train: batch ${this.trainer.options.batch} is smaller than the ${W} workers`);
    const sab = new SharedArrayBuffer(sharedBytes(P, W));
    ({ control: this.control, losses: this.losses, params: this.params, grads: this.grads } = sharedViews(sab, P, W));
    const standardized = normalize(model.normalization, data.data);
    const seed = this.trainer.options.seed;
    // Shard 0 runs here, on the trainer's core.
    const objective = new BoundObjective(core, this.trainer.options.loss, model.spec, model.layout);
    this.local = {
      objective, rng: core.rng(shardSeed(seed, 0)), batch: core.f32(this.shards[0] * d), grads: core.f32(P),
      ws: core.f32(objective.workspaceFloats(this.shards[0])), train: core.f32(standardized.length, standardized),
    };
    const started: Promise<void>[] = [];
    for (let w = 1; w < W; w++) {
      const worker = new Worker(new URL('../../dist/node/train-worker.js', import.meta.url), {
        workerData: { sab, shard: w, workers: W, size: this.shards[w], batch: this.trainer.options.batch, rows: data.rows, data: standardized,
          spec: model.spec, dims: [...model.layout.dims], activation: model.config.activation, loss: this.trainer.options.loss,
          seed: shardSeed(seed, w), wasm: options.wasm ?? 'auto' } satisfies ShardJob,
      });
      started.push(new Promise((resolve, reject) => {
        worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
        worker.once('error', reject);
      }));
      this.workers.push(worker);
    }
    this.ready = Promise.all(started).then(() => undefined);
  }

  /** Resolves when every worker has loaded its core. */
  start(): Promise<void> {
    return this.ready;
  }

  /** `count` data-parallel Adam steps; returns the last loss (see {@link Trainer.run}). */
  run(count: number, onStep?: (step: number, loss: number) => void): number {
    const { trainer, local, shards } = this;
    const model = trainer.model, P = model.params.length, B = trainer.options.batch, W = shards.length;
    const adamGrads = local.grads;
    let loss = NaN;
    for (let k = 0; k < count; k++) {
      this.params.set(model.params.view);
      Atomics.store(this.control, FINISHED, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      // Shard 0 here, meanwhile.
      gatherRandomRows(this.core, local.rng, local.train, local.train.length / model.dim, model.dim, local.batch);
      local.grads.view.fill(0);
      const own = local.objective.lossGrad(model.params, local.batch, shards[0], local.rng, local.grads, local.ws);
      for (let done = Atomics.load(this.control, FINISHED); done < W - 1; done = Atomics.load(this.control, FINISHED)) {
        Atomics.wait(this.control, FINISHED, done);
      }
      const g = adamGrads.view, w0 = shards[0] / B;
      loss = own * w0;
      for (let i = 0; i < P; i++) g[i] *= w0;
      for (let w = 1; w < W; w++) {
        loss += this.losses[w];
        const part = this.grads.subarray(w * P, (w + 1) * P);
        for (let i = 0; i < P; i++) g[i] += part[i];
      }
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(trainer.step + 1, loss);
      trainer.applyGradient(adamGrads, loss);
      onStep?.(trainer.step, loss);
    }
    return loss;
  }

  /** Stops the workers and frees the shard buffers (not the trainer). */
  async close(): Promise<void> {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((w) => w.terminate()));
    const l = this.local;
    for (const b of [l.batch, l.grads, l.ws, l.train]) b.free();
    l.objective.free();
    l.rng.free();
  }
}

// Shared layout: [control: 2 x i32][losses: W x f64][params: P x f32][grads: W x P x f32] (f64 first: aligned).
function sharedBytes(P: number, W: number): number {
  return 8 + 8 * W + 4 * P + 4 * W * P;
}

function sharedViews(sab: SharedArrayBuffer, P: number, W: number) {
  return {
    control: new Int32Array(sab, 0, 2),
    losses: new Float64Array(sab, 8, W),
    params: new Float32Array(sab, 8 + 8 * W, P),
    grads: new Float32Array(sab, 8 + 8 * W + 4 * P, W * P),
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
  spec: { kind: 'score' | 'energy'; conditioning: 'none' | 'embed' | 'scale' | 'both' };
  dims: number[];
  activation: string;
  loss: ObjectiveSpec;
  /** The whole batch (all shards). */
  batch: number;
  seed: bigint;
  wasm: 'simd' | 'scalar' | 'auto';
}

/** One worker's loop: wait for a step, compute the shard gradient (weighted by its share of the batch), report. */
export async function runShard(job: ShardJob, post: (m: string) => void): Promise<void> {
  const core = await loadCore({ build: job.wasm });
  const net = new MlpLayout(core, job.dims, job.activation as Activation);
  const objective = new BoundObjective(core, job.loss, job.spec, net);
  const P = net.paramCount, d = job.data.length / job.rows;
  const views = sharedViews(job.sab, P, job.workers);
  const { control, params, losses } = views;
  const grads = views.grads.subarray(job.shard * P, (job.shard + 1) * P);
  const train = core.f32(job.data.length, job.data), batch = core.f32(job.size * d), p = core.f32(P), g = core.f32(P);
  const ws = core.f32(objective.workspaceFloats(job.size)), rng = core.rng(job.seed);
  const weight = job.size / job.batch;
  // Read the generation before saying ready: the first step may start right after.
  let generation = Atomics.load(control, GENERATION);
  post('ready');
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    const now = Atomics.load(control, GENERATION);
    if (now < 0) return;
    generation = now;
    p.set(params);
    gatherRandomRows(core, rng, train, job.rows, d, batch);
    g.view.fill(0);
    const loss = objective.lossGrad(p, batch, job.size, rng, g, ws);
    const gv = g.view;
    for (let i = 0; i < P; i++) grads[i] = gv[i] * weight;
    losses[job.shard] = loss * weight;
    Atomics.add(control, FINISHED, 1);
    Atomics.notify(control, FINISHED);
  }
}
