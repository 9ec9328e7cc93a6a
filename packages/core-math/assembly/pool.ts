import { PoolConfig } from './contract';
import { runShare } from './jobs';

// Intra-op threads (threaded builds only: shared memory, atomics). The caller of a kernel is thread 0; T - 1
// workers, each its own instance of this module on the same memory, sit in poolWorker. A pass that splits
// posts a job (a JobCode and its arguments in the PoolConfig block), runs its own share and waits for the
// workers' shares. Shares split work that is independent (rows of a GEMM, samples of a jet pass, fixed groups of
// samples of a weight gradient, particle chunks, elements of Adam) and no sum's order depends on the threads, so
// every thread count gives the bits of one thread. Waits poll `spin` times (about 50 us, timed at start) before
// sleeping in atomic.wait, since a wake-up costs tens of microseconds.
// see: Herlihy & Shavit, The Art of Multiprocessor Programming, ch. 17 (sense-reversing barriers).

// This instance's pool (the caller: poolAttach; a worker: poolWorker), and whether it is inside a job
// (then nested passes run inline: a job never posts another).
let pool: usize = 0;
let working = false;
let canBlock = true;
// This instance's thread: 0 for the caller, id for worker id (e.g. a kernel's scratch slot).
let threadId = 0;

// A worker's instance trapped: throws in the thread that noticed (the JS side names the worker).
@external('env', 'poolFailed')
declare function poolFailed(worker: i32): void;

// A monotonic clock in milliseconds (performance.now): the caller times passes to choose whether they split.
@external('env', 'poolNow')
declare function poolNow(): f64;

// The split's trials (the caller's alone). Whether splitting a pass pays depends on more than its size: on a busy
// machine the other threads are descheduled and every barrier waits for a time slice (two threads then lost to
// one at every size, docs/bench/analysis.md), on a quiet one small passes gain 1.5x. So the caller measures: passes
// of at least minSplitWork run trialPasses split and trialPasses alone (in alternating order), the mode with the
// lower time per multiply-add is kept, then both are tried again; the first trial after a start only warms up (its
// split passes touched a new workspace first: at batch 1024 that made alone win the first trial of every bench row).
// The choice is kept for 4 trialPasses after a trial that changed it (a stall of the host can mislead one trial:
// that costs little), and for twice
// as long after each one that confirmed it, up to keepPasses, or WATCHED_KEEP_FACTOR keepPasses for a kept split: the
// split is watched (below), so a machine that turns busy ends it early. Timing decides only which threads compute,
// never the bits. The trials' cost is bounded: once the choice holds, of every 2 trialPasses + keepPasses passes,
// trialPasses run in the losing mode at most (3% with the defaults of src/threads.ts; 0.4% while the split wins).
//
// The watch: while a split is kept, every trialPasses passes' time per multiply-add is compared with the split trial's,
// and a window slower by WATCH_SLOWDOWN ends the keep (the next trial starts): when another process takes a core, a
// split pass waits for its time slices, 2x slower and more (docs/bench/analysis.md), where a window of 64 passes of
// a quiet machine varies by a few percent. A kept alone cannot see whether the split would now win, so it is not
// kept longer than keepPasses.

// Passes of at least this many multiply-adds always split (about 3 ms on one thread here, where a split's dispatch
// and barriers are a few percent): a sampler call of many steps is one pass, and a user may make only a few.
const SPLIT_ALWAYS_WORK: f64 = 64_000_000;
const WATCHED_KEEP_FACTOR = 8;
const WATCH_SLOWDOWN: f64 = 1.5;
// 0, 1: the first and second trial; 2: keeping the winner, for tuneLeft more passes.
let tunePhase = 0;
// Whether the current trial is the first after poolAttach (then it only warms up: below).
let tuneWarming = true;
let tuneLeft = 0;
let tuneSplitFirst = true;
let tuneSplit = true;
// The passes the current choice is kept for (0 before the first trial).
let tuneKeep = 0;
// Milliseconds and multiply-adds of the trials' passes, alone [0] and split [1].
let tuneMs0: f64 = 0, tuneWork0: f64 = 0, tuneMs1: f64 = 0, tuneWork1: f64 = 0;
// The watch of a kept split: its trial's milliseconds and multiply-adds, and the current window's, for watchLeft passes.
let watchRefMs: f64 = 0, watchRefWork: f64 = 0, watchMs: f64 = 0, watchWork: f64 = 0;
let watchLeft = 0;
// The pass being timed (the outermost of nested ones): its start and mode, and the nesting depth.
let passDepth = 0;
let passStart: f64 = 0;
let passSplit = false;

/** Attaches the pool block at p to this (the calling) instance; 0 detaches. callerCanBlock is read from the block. */
export function poolAttach(p: usize): void {
  pool = p;
  passDepth = 0;
  tunePhase = 0;
  tuneWarming = true;
  tuneSplitFirst = true;
  tuneKeep = 0;
  tuneLeft = p == 0 ? 0 : changetype<PoolConfig>(p).trialPasses;
  tuneMs0 = tuneWork0 = tuneMs1 = tuneWork1 = 0;
  canBlock = p == 0 || changetype<PoolConfig>(p).callerCanBlock != 0;
}

/** This instance's pool block (0: none). */
export function poolBlock(): usize {
  return pool;
}

/** This instance's thread: 0 for the caller, 1..T-1 for the workers. */
@inline export function poolThreadId(): i32 {
  return threadId;
}

/** Threads a pass may split over: 1 in a build without threads, without a pool, or inside a job. */
export function poolThreads(): i32 {
  if (!ASC_FEATURE_THREADS || pool == 0 || working) return 1;
  return changetype<PoolConfig>(pool).threads;
}

/**
 * Threads a pass of `work` multiply-adds splits over: {@link poolThreads}, or 1 when the work is below the pool's
 * minSplitWork, where the job's dispatch and barriers cost more than the second core saves (src/threads.ts,
 * SPLIT_MIN_WORK, says how it was measured), or when the split's trials found running alone faster (above). Any
 * thread count gives the same bits, so this choice is free. The pass then calls {@link poolPassDone}.
 */
export function poolThreadsFor(work: f64): i32 {
  const T = poolThreads();
  if (T == 1 || belowSplit(work)) return 1;
  if (!inTrials(work)) return T;
  if (passDepth++ > 0) return T; // inside a pass being timed: its time includes this one's
  passSplit = tunePhase == 2 ? tuneSplit : (tunePhase == 0) == tuneSplitFirst;
  passStart = poolNow();
  return passSplit ? T : 1;
}

/** Ends a pass that asked {@link poolThreadsFor} with the same work (every pass calls both, on every path). */
export function poolPassDone(work: f64): void {
  if (poolThreads() == 1 || belowSplit(work) || !inTrials(work) || --passDepth > 0) return;
  // The outermost pass: `work` is its own (nested ones returned above).
  const ms = poolNow() - passStart;
  const c = changetype<PoolConfig>(pool);
  if (tunePhase < 2) {
    if (passSplit) {
      tuneMs1 += ms;
      tuneWork1 += work;
    } else {
      tuneMs0 += ms;
      tuneWork0 += work;
    }
  } else if (tuneSplit) {
    watchMs += ms;
    watchWork += work;
    if (--watchLeft == 0) {
      if (watchMs * watchRefWork > WATCH_SLOWDOWN * watchRefMs * watchWork) tuneLeft = 1; // ends the keep with this pass
      watchMs = watchWork = 0;
      watchLeft = c.trialPasses;
    }
  }
  if (--tuneLeft > 0) return;
  if (tunePhase == 1 && tuneWarming) {
    // The first trial after a start is not compared: its first passes touch new memory (page faults) and cold caches.
    tuneWarming = false;
    tuneMs0 = tuneWork0 = tuneMs1 = tuneWork1 = 0;
    tuneSplitFirst = !tuneSplitFirst;
    tunePhase = 0;
    tuneLeft = c.trialPasses;
    return;
  }
  if (tunePhase == 1) {
    const split = tuneMs1 * tuneWork0 < tuneMs0 * tuneWork1; // ms per multiply-add, split below alone
    const longest = split ? WATCHED_KEEP_FACTOR * c.keepPasses : c.keepPasses;
    tuneKeep = tuneKeep > 0 && split == tuneSplit ? min(longest, 2 * tuneKeep) : min(longest, 4 * c.trialPasses);
    tuneSplit = split;
    c.trials++;
    if (tuneSplit) c.splitWins++;
    watchRefMs = tuneMs1;
    watchRefWork = tuneWork1;
    watchMs = watchWork = 0;
    watchLeft = c.trialPasses;
    tuneMs0 = tuneWork0 = tuneMs1 = tuneWork1 = 0;
    tuneSplitFirst = !tuneSplitFirst;
  }
  tunePhase = tunePhase == 2 ? 0 : tunePhase + 1;
  tuneLeft = tunePhase == 2 ? tuneKeep : c.trialPasses;
}

// A pass below the pool's minSplitWork runs on the caller alone.
function belowSplit(work: f64): bool {
  return work < <f64>changetype<PoolConfig>(pool).minSplitWork;
}

// Whether a pass that may split takes part in the trials: not when the pool splits every such pass, nor when the
// pass is large enough always to split.
function inTrials(work: f64): bool {
  return changetype<PoolConfig>(pool).adaptive != 0 && work < SPLIT_ALWAYS_WORK;
}

/** First item of thread `id`'s share of n items out of T shares, in whole multiples of `align` (the last takes the rest). */
export function shareStart(n: i32, id: i32, T: i32, align: i32): i32 {
  const units = (n + align - 1) / align;
  return min(n, <i32>(<i64>units * <i64>id / <i64>T) * align);
}

/** The job's argument i (i32 slots a0..a13). */
@inline export function jobArg(i: i32): i32 {
  return load<i32>(pool + offsetof<PoolConfig>('a0') + (<usize>i << 2));
}

@inline export function setJobArg(i: i32, v: i32): void {
  store<i32>(pool + offsetof<PoolConfig>('a0') + (<usize>i << 2), v);
}

/** Runs the job whose arguments the caller has set on all T threads (this one is thread 0) and waits for all. */
export function runJob(job: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  const T = changetype<PoolConfig>(pool).threads;
  changetype<PoolConfig>(pool).job = job;
  changetype<PoolConfig>(pool).jobs++;
  atomic.store<i32>((pool + offsetof<PoolConfig>('done')), 0);
  atomic.add<i32>((pool + offsetof<PoolConfig>('generation')), 1);
  atomic.notify((pool + offsetof<PoolConfig>('generation')), T - 1);
  working = true;
  runShare(job, 0, T);
  working = false;
  // A failed pool stays failed: every later job throws here, even one whose workers all finished.
  const failed = atomic.load<i32>(pool + offsetof<PoolConfig>('failed'));
  if (failed != 0) poolFailed(failed - 1);
  let done = atomic.load<i32>((pool + offsetof<PoolConfig>('done')));
  while (done != T - 1) done = waitWhileEqual((pool + offsetof<PoolConfig>('done')), done, canBlock, true);
}

/** Every thread of the current job waits here until all T have arrived. */
export function poolBarrier(id: i32, T: i32): void {
  if (!ASC_FEATURE_THREADS || T == 1) return;
  const generation = atomic.load<i32>((pool + offsetof<PoolConfig>('barrierGeneration')));
  if (atomic.add<i32>((pool + offsetof<PoolConfig>('barrierCount')), 1) == T - 1) {
    atomic.store<i32>((pool + offsetof<PoolConfig>('barrierCount')), 0);
    atomic.add<i32>((pool + offsetof<PoolConfig>('barrierGeneration')), 1);
    atomic.notify((pool + offsetof<PoolConfig>('barrierGeneration')), T - 1);
  } else waitWhileEqual((pool + offsetof<PoolConfig>('barrierGeneration')), generation, id != 0 || canBlock, true);
}

/**
 * Waits until the i32 at ptr differs from v and returns it: `spin` polls, then sleeps (when allowed) in slices
 * of 1 ms inside a job, so that a failed worker is noticed, or for ever between jobs (stop notifies).
 */
function waitWhileEqual(ptr: usize, v: i32, block: bool, inJob: bool): i32 {
  let spins = changetype<PoolConfig>(pool).spin;
  while (true) {
    const now = atomic.load<i32>(ptr);
    if (now != v) return now;
    if (inJob) {
      const failed = atomic.load<i32>((pool + offsetof<PoolConfig>('failed')));
      if (failed != 0) poolFailed(failed - 1);
    }
    if (spins > 0) spins--;
    else if (block) atomic.wait<i32>(ptr, v, inJob ? 1_000_000 : -1);
  }
}

/**
 * Runs `polls` iterations of {@link waitWhileEqual}'s poll on the pool block at p while nothing changes (before the
 * workers start), for the TS side to time: its spin count is a time, measured in this loop's polls.
 */
export function poolSpinPolls(p: usize, polls: i32): i32 {
  if (!ASC_FEATURE_THREADS) return 0;
  let seen = 0;
  for (let i = 0; i < polls; i++) {
    seen |= atomic.load<i32>(p + offsetof<PoolConfig>('generation'));
    seen |= atomic.load<i32>(p + offsetof<PoolConfig>('failed'));
  }
  return seen;
}

/** A worker's loop (worker `id` of 1..T-1, in its own instance): runs each job's share until stop. */
export function poolWorker(p: usize, id: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  pool = p;
  working = true;
  threadId = id;
  let seen = 0; // the generation at creation: a job posted before this worker got here still runs
  while (true) {
    seen = waitWhileEqual((pool + offsetof<PoolConfig>('generation')), seen, true, false);
    if (atomic.load<i32>((pool + offsetof<PoolConfig>('stop'))) != 0) return;
    runShare(changetype<PoolConfig>(p).job, id, changetype<PoolConfig>(p).threads);
    atomic.add<i32>((pool + offsetof<PoolConfig>('done')), 1);
    atomic.notify((pool + offsetof<PoolConfig>('done')), 1);
  }
}

/** Ends every worker's loop (the caller then terminates the threads). */
export function poolStop(p: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  atomic.store<i32>(p + offsetof<PoolConfig>('stop'), 1);
  atomic.add<i32>(p + offsetof<PoolConfig>('generation'), 1);
  atomic.notify(p + offsetof<PoolConfig>('generation'), -1);
}

/** Marks worker `id` as failed and wakes every waiter (a worker's JS side calls it when its instance traps). */
export function poolFail(p: usize, id: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  atomic.cmpxchg<i32>(p + offsetof<PoolConfig>('failed'), 0, id + 1); // the first failure is the cause
  atomic.notify(p + offsetof<PoolConfig>('done'), -1);
  atomic.notify(p + offsetof<PoolConfig>('barrierGeneration'), -1);
}
