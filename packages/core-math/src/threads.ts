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
 * How long a waiting thread polls a flag before it sleeps in atomic.wait, in microseconds: about the cost of one
 * futex wake-up here (tens of microseconds in a VM), so a wait costs at most twice what the better of spinning and
 * sleeping would have (the classic competitive bound; Karlin et al. 1991, "Empirical studies of competitive
 * spinning"). The pool times its poll loop at start (poolSpinPolls) and converts. Measured on the 2-core host of
 * docs/bench (a poll 0.8 ns): 2000 polls, about 2 us, let the worker sleep inside a training step (dsm energy w128
 * b128, every pass split: 761 steps/s against 596 on one thread); 20 and 200 us gave 890 and 914. Longer spins lose
 * on a loaded machine, where the spinning thread takes the core the caller needs (docs/bench/analysis.md).
 */
export const POOL_SPIN_MICROS = 50;

/** The polls of {@link POOL_SPIN_MICROS}: the fastest of three timed runs of the poll loop (after one to warm it up). */
function spinPolls(core: Core, block: F32Buffer): number {
  const polls = 1 << 18;
  let best = Infinity;
  for (let run = 0; run < 4; run++) {
    const t0 = performance.now();
    core.exports.poolSpinPolls(block.ptr, polls);
    const ms = performance.now() - t0;
    if (run > 0 && ms > 0) best = Math.min(best, ms / polls);
  }
  // A clock too coarse to time the loop (ms 0 every run) leaves the bound: 1 ns a poll.
  const perPoll = Number.isFinite(best) ? best : 1e-6;
  return Math.max(1000, Math.min(1 << 24, Math.round(POOL_SPIN_MICROS / 1000 / perPoll)));
}

/**
 * The size, in multiply-adds, below which a pass (a jet pass, an Adam step, a sampler call) runs on the caller
 * alone: a split costs a dispatch and, in a reverse pass, one barrier per layer, which on the smallest passes is
 * more than the second core saves. Above it the split's trials (assembly/pool.ts) choose by timing, which also
 * covers a busy machine (there two threads lose at every size). `pnpm bench --only=threads` times the split alone
 * by size; on the 2-core host of docs/bench, quiet, with the 50 us spin (two runs, fastest pass): 0.84 million
 * multiply-adds (forward + reverse) 0.99x and 1.12x, 1.6 million 1.29x and 1.05x, 3.2 to 102 million 1.15x to
 * 1.79x. (It was 16 million while waits slept after 2 us: then every pass paid a wake-up.)
 */
export const SPLIT_MIN_WORK = 1_000_000;

/**
 * The split's trials (assembly/pool.ts): passes above {@link SPLIT_MIN_WORK} run this many split and as many alone,
 * then the faster mode is kept for 4 times as many passes, twice that after each trial that confirms it, at most
 * {@link SPLIT_KEEP_PASSES}, or 8 times that for a split: a kept split is watched, and a window of SPLIT_TRIAL_PASSES
 * passes 1.5x slower than its trial ends it. 64 passes are 16 training steps of 4 passes: long enough that a millisecond's stall of
 * the host (seen here) moves a trial's time by a few percent, where 16 passes flipped the choice of dsm score at
 * w128 b128 in 3 of 8 trials of one bench row.
 */
export const SPLIT_TRIAL_PASSES = 64;
export const SPLIT_KEEP_PASSES = 2048;

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
      spin: spinPolls(core, block),
      minSplitWork: SPLIT_MIN_WORK,
      adaptive: 1,
      trialPasses: SPLIT_TRIAL_PASSES,
      keepPasses: SPLIT_KEEP_PASSES,
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
    return this.field('minSplitWork');
  }

  set splitMinWork(work: number) {
    this.setField('minSplitWork', checkedInt32('splitMinWork', work, 0));
  }

  /**
   * Polls of a flag before a waiting thread sleeps: {@link POOL_SPIN_MICROS} as timed at start unless set. Any
   * value gives the same bits (the bench sets it to compare spins).
   */
  get spinPolls(): number {
    return this.field('spin');
  }

  set spinPolls(polls: number) {
    this.setField('spin', checkedInt32('spinPolls', polls, 0));
  }

  /**
   * Whether the caller chooses by timing if passes of at least {@link splitMinWork} split (true by default: the
   * split's trials, assembly/pool.ts); false splits every such pass. Either gives the same bits.
   */
  get adaptive(): boolean {
    return this.field('adaptive') !== 0;
  }

  set adaptive(on: boolean) {
    this.setField('adaptive', on ? 1 : 0);
  }

  /**
   * The clock the split's trials read, in milliseconds (performance.now): a test may replace it to play a machine
   * whose split turns slow.
   */
  clock: () => number = () => performance.now();

  /**
   * The split's trial and keep lengths in passes ({@link SPLIT_TRIAL_PASSES}, {@link SPLIT_KEEP_PASSES}; a kept split,
   * which is watched, is kept up to 8 times keepPasses).
   */
  get trialLengths(): { trialPasses: number; keepPasses: number } {
    return { trialPasses: this.field('trialPasses'), keepPasses: this.field('keepPasses') };
  }

  /** Sets the trial and keep lengths (positive 32-bit integers) and starts the trials again from a split trial. */
  setTrialLengths(trialPasses: number, keepPasses: number): void {
    const trial = checkedInt32('trialPasses', trialPasses, 1),
      keep = checkedInt32('keepPasses', keepPasses, 1);
    this.setField('trialPasses', trial);
    this.setField('keepPasses', keep);
    this.restartTrials();
  }

  /**
   * Forgets the kept choice and starts the trials again from a split trial: for a new kind of work (other sizes of
   * pass), which the kept choice, made on the old, would otherwise run for up to {@link SPLIT_KEEP_PASSES} passes.
   */
  restartTrials(): void {
    if (!this.closed) this.core.exports.poolAttach(this.block.ptr);
  }

  /** The split's trials so far: comparisons made, and how many the split won (the rest ran alone until the next). */
  get trials(): { trials: number; splitWins: number } {
    return { trials: this.field('trials'), splitWins: this.field('splitWins') };
  }

  /** Jobs posted to the workers so far (passes that split; the ones below {@link splitMinWork} post none). */
  get jobs(): number {
    return this.field('jobs');
  }

  private blockView(): DataView {
    return new DataView(this.core.exports.memory.buffer, this.block.ptr, PoolConfig.bytes);
  }

  /** An i32 field of the pool block. */
  private field(name: keyof typeof PoolConfig.fields): number {
    return this.blockView().getInt32(PoolConfig.fields[name].offset, true);
  }

  private setField(name: keyof typeof PoolConfig.fields, value: number): void {
    this.blockView().setInt32(PoolConfig.fields[name].offset, value, true);
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

/** n when it is an integer from min to 2^31 - 1 (an i32 field of the pool block); else a RangeError naming it. */
function checkedInt32(name: string, n: number, min: number): number {
  if (!(Number.isSafeInteger(n) && n >= min && n <= 0x7fffffff)) {
    throw new RangeError(`${name} must be an integer from ${min} to 2^31 - 1, got ${n}`);
  }
  return n;
}

export { callerCanBlock };
