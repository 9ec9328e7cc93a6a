/**
 * The threads family: how much a split over the threaded core's threads saves, by the size of the pass. One
 * forward + reverse pass of an MLP 2-W-W-W-2 at batch B on one threaded core, its pool attached (every thread)
 * and detached (the caller alone), interleaved round by round. Each figure is the fastest of many single
 * passes: on a shared machine that is the pass that ran while no other job held a core, which is what the
 * split threshold (core-math's SPLIT_MIN_WORK) is about; the median of the round ratios is kept beside it.
 */
import { type Core, MlpLayout, SPLIT_MIN_WORK } from '@scorefield/core-math';
import * as detMath from '@scorefield/core-math/det-math';

export interface ThreadsRow {
  width: number;
  batch: number;
  /** Multiply-adds of the pass: B * sum of I * O forward, twice that in reverse. */
  work: number;
  /** Fastest single pass, microseconds: the caller alone, and every thread (split whatever the size). */
  oneUs: number;
  allUs: number;
  /** oneUs / allUs, and the median over rounds of each round's ratio of fastest passes. */
  speedup: number;
  medianSpeedup: number;
}

/** Widths x batches measured; their sizes run from 0.1 to 34 million multiply-adds a pass. */
export const THREAD_SIZES: ReadonlyArray<readonly [number, number]> = [
  [32, 128],
  [64, 64],
  [64, 128],
  [128, 64],
  [128, 128],
  [64, 512],
  [128, 256],
  [256, 128],
  [128, 512],
  [128, 1024],
];

/** The pass's multiply-adds (forward and reverse) for an MLP 2-W-W-W-2 at batch B. */
export function passWork(width: number, batch: number): number {
  return 3 * batch * (2 * width + 2 * width * width + 2 * width);
}

export function measureThreads(core: Core, rounds: number, sizes = THREAD_SIZES): ThreadsRow[] {
  const pool = core.pool;
  if (!pool) throw new Error(`the threads family needs a threaded core (${core.threadsUnavailable ?? 'one thread'})`);
  const threshold = pool.splitMinWork,
    adaptive = pool.adaptive;
  // Split every pass (no trials of running alone): the attached figure is the split's, at every size.
  pool.splitMinWork = 0;
  pool.adaptive = false;
  const rows: ThreadsRow[] = [];
  try {
    for (const [width, batch] of sizes) rows.push(measureSize(core, width, batch, rounds));
  } finally {
    pool.splitMinWork = threshold;
    pool.adaptive = adaptive;
    core.exports.poolAttach(pool.block.ptr);
  }
  return rows;
}

function measureSize(core: Core, width: number, batch: number, rounds: number): ThreadsRow {
  const pool = core.pool!;
  const net = new MlpLayout(core, [2, width, width, width, 2], 'silu');
  const params = core.f32(net.paramCount);
  const init = core.rng(1);
  net.initParams(init, params);
  init.free();
  const x = core.f32(
    batch * 2,
    Float32Array.from({ length: batch * 2 }, (_, i) => detMath.sin(i)),
  );
  const out = core.f32(batch * 2),
    gout = core.f32(batch * 2, new Float32Array(batch * 2).fill(1)),
    gp = core.f32(net.paramCount),
    gx = core.f32(batch * 2),
    ws = core.f32(net.workspaceFloats(batch));
  const work = passWork(width, batch);
  // About 50 million multiply-adds of passes a round (at least 20 passes), each pass timed alone.
  const passes = Math.max(20, Math.ceil(5e7 / work));
  const fastest = (attached: boolean): number => {
    core.exports.poolAttach(attached ? pool.block.ptr : 0);
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < passes; i++) {
      const t0 = performance.now();
      net.forward(params, x, out, batch, ws);
      net.backward(params, x, gout, gp, gx, batch, ws);
      best = Math.min(best, performance.now() - t0);
    }
    return best * 1000;
  };
  fastest(false);
  fastest(true);
  const one: number[] = [],
    all: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // The order alternates, so a drift in the machine's load hurts both alike.
    if (r % 2 === 0) {
      one.push(fastest(false));
      all.push(fastest(true));
    } else {
      all.push(fastest(true));
      one.push(fastest(false));
    }
  }
  core.exports.poolAttach(pool.block.ptr);
  for (const b of [params, x, out, gout, gp, gx, ws]) b.free();
  net.free();
  const ratios = one.map((o, i) => o / all[i]).sort((a, b) => a - b);
  const oneUs = Math.min(...one),
    allUs = Math.min(...all);
  return { width, batch, work, oneUs, allUs, speedup: oneUs / allUs, medianSpeedup: ratios[ratios.length >> 1] };
}

/** The smallest measured size from which every larger one splits profitably (speed-up above 1), or null. */
export function measuredThreshold(rows: ThreadsRow[]): number | null {
  const sorted = [...rows].sort((a, b) => a.work - b.work);
  let from: number | null = null;
  for (const r of sorted) {
    if (r.speedup > 1) from ??= r.work;
    else from = null;
  }
  return from;
}

export { SPLIT_MIN_WORK };
