// The intra-op thread pool of a threaded core (loadCore({ threads })): T - 1 workers, each its own instance of
// the threaded build on the caller's shared memory, waiting in poolWorker (assembly/pool.ts). Passes split
// inside WASM (assembly/jet.ts, langevin.ts, adam.ts) over work that is independent, so the results have the
// bits of one thread for any T. Where threads cannot run (no SharedArrayBuffer: a page that is not cross-origin
// isolated) loadCore falls back to the single-thread build.
import { callerCanBlock, spawnThread } from '#spawn';
import type { PoolThread } from './threads/worker-source.js';
import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { blockFloats, writeBlock } from './config-block.js';
import { PoolConfig } from './generated/contract.js';

/**
 * Polls of a flag before a waiting thread sleeps: about 0.1 to 0.3 ms here, longer than the gaps between the
 * passes of a training step (so workers stay awake through one) and about the cost of one futex wake-up.
 */
export const POOL_SPIN = 2000;

/**
 * The size, in multiply-adds, below which a pass (a jet pass, an Adam step, a sampler call) runs on the caller
 * alone: a split costs a dispatch and, in a reverse pass, one barrier per layer (each a wake-up when the other
 * thread sleeps or was descheduled), which on small passes is more than the second core saves. Measured on the
 * 2-core machine of docs/bench: in its near-quiet run (load 1.9) two threads lost to one core on passes of 1 to
 * 8.5 million multiply-adds (w64 and w128 at batch 128: 0.57x to 1.04x a training step) and won from 17 to 21
 * million on (w256 b128, esm at w128: 1.56x to 1.94x; batch 1024, 34 million: 1.38x to 1.91x). `pnpm bench
 * --only=threads` times the split alone by size (docs/bench/analysis.md, "Threads that never lose").
 */
export const SPLIT_MIN_WORK = 16_000_000;

/** The pages a threaded core's shared memory is created with, and may grow to (the whole 32-bit space). */
export const SHARED_MEMORY_PAGES = { initial: 32, maximum: 65536 } as const;

/** The workers of one threaded core. */
export class ThreadPool {
  private workspace?: F32Buffer;
  private closed = false;

  private constructor(
    private readonly core: Core,
    readonly block: F32Buffer,
    private readonly workers: PoolThread[],
  ) {}

  /** Starts T - 1 workers for the threaded core `core` (compiled from `module` on `memory`) and attaches them. */
  static async start(core: Core, module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number): Promise<ThreadPool> {
    const block = core.f32(blockFloats(PoolConfig));
    const zero = Object.fromEntries(Object.keys(PoolConfig.fields).map((k) => [k, 0])) as Record<keyof typeof PoolConfig.fields, number>;
    writeBlock(core, PoolConfig, block, {
      ...zero,
      threads,
      spin: POOL_SPIN,
      minSplitWork: SPLIT_MIN_WORK,
      callerCanBlock: callerCanBlock ? 1 : 0,
    });
    const workers: PoolThread[] = [];
    for (let id = 1; id < threads; id++) workers.push(spawnThread({ module, memory, pool: block.ptr, id }));
    const pool = new ThreadPool(core, block, workers);
    try {
      await Promise.all(workers.map((w) => w.ready));
    } catch (e) {
      await pool.close();
      throw e;
    }
    core.exports.poolAttach(block.ptr);
    return pool;
  }

  /** Threads, the caller included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** The first error a worker reported (after a call failed with "thread N failed"). */
  workerError(id: number): string | undefined {
    return this.workers[id - 1]?.error();
  }

  /**
   * Makes sure every worker has `floats` floats of its own workspace (whole-chunk jobs: samplerSteps). Allocates
   * only when it grows, so a sampler loop allocates nothing after its first call.
   */
  reserveWorkspace(floats: number): void {
    if (this.workspace && this.workspace.length >= floats * this.workers.length) return;
    this.workspace?.free();
    this.workspace = this.core.f32(floats * this.workers.length);
    const view = this.blockView();
    view.setUint32(PoolConfig.fields.workspace.offset, this.workspace.ptr, true);
    view.setInt32(PoolConfig.fields.workspaceFloats.offset, floats, true);
  }

  /**
   * The size (multiply-adds) below which a pass runs on one thread: {@link SPLIT_MIN_WORK} unless set. Any value
   * gives the same bits; 0 splits every pass (the same-bits tests use it to split small ones).
   */
  get splitMinWork(): number {
    return this.blockView().getInt32(PoolConfig.fields.minSplitWork.offset, true);
  }

  set splitMinWork(work: number) {
    if (!(Number.isSafeInteger(work) && work >= 0 && work <= 0x7fffffff)) {
      throw new RangeError(`splitMinWork must be an integer from 0 to 2^31 - 1, got ${work}`);
    }
    this.blockView().setInt32(PoolConfig.fields.minSplitWork.offset, work, true);
  }

  /** Jobs posted to the workers so far (passes that split; the ones below {@link splitMinWork} post none). */
  get jobs(): number {
    return this.blockView().getInt32(PoolConfig.fields.jobs.offset, true);
  }

  private blockView(): DataView {
    return new DataView(this.core.exports.memory.buffer, this.block.ptr, PoolConfig.bytes);
  }

  /** Stops the workers and detaches the pool: the core then runs on one thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.exports.poolAttach(0);
    this.core.exports.poolStop(this.block.ptr);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export { callerCanBlock };
