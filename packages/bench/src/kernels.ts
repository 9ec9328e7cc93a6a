/**
 * Dense kernels: forward and backward GFLOP/s of both builds next to the f32x4 mul+add ceiling measured
 * in the same interleaved rounds (core-math's bench/dense.bench.mjs, folded in).
 */
import { denseBackward, denseForward, denseScratchFloats, loadCore, mulAddCeiling, rngNormal, type Core } from '@scorefield/core-math';
import { measureInterleaved, syncRunner, bestOf, type MeasureOptions, type Runner } from './timing.js';

export const KERNEL_SHAPES: ReadonlyArray<[number, number, number]> = [
  [128, 128, 128],
  [1024, 128, 128],
];

/** GFLOP/s by benchmark name ('ceiling', 'forward 128x128x128', 'backward ...') per build. */
export type KernelResults = Record<string, Record<string, number | null>>;

function fill(core: Core, n: number, seed: number) {
  const b = core.f32(n),
    r = core.rng(seed);
  rngNormal(core, r, b);
  r.free();
  return b;
}

/** The kernel runners of one core (rates in GFLOP/s); also used in Chromium (browser-page.ts). */
export function kernelRunners(core: Core, prefix = ''): Runner[] {
  const runners: Runner[] = [];
  const ceilingCalls = 100_000;
  runners.push(
    syncRunner(`${prefix}ceiling`, () => mulAddCeiling(core, ceilingCalls), (mulAddCeiling(core, 1).flops * ceilingCalls) / 1e9),
  );
  for (const [B, I, O] of KERNEL_SHAPES) {
    const s = { batch: B, inputs: I, outputs: O };
    const x = fill(core, B * I, 1),
      w = fill(core, I * O, 2),
      b = fill(core, O, 3),
      y = core.f32(B * O);
    const dx = core.f32(B * I),
      dw = core.f32(I * O),
      db = core.f32(O),
      scratch = core.f32(denseScratchFloats(s));
    const flops = 2 * B * I * O;
    runners.push(syncRunner(`${prefix}forward ${B}x${I}x${O}`, () => denseForward(core, x, w, b, y, s), flops / 1e9));
    // backward = dW (x^T dy) + dX (dy W^T): two products of the forward's size
    runners.push(
      syncRunner(`${prefix}backward ${B}x${I}x${O}`, () => denseBackward(core, x, w, y, { dx, dw, db }, scratch, s), (2 * flops) / 1e9),
    );
  }
  return runners;
}

export async function runKernels(opts: MeasureOptions, log: (s: string) => void): Promise<KernelResults> {
  const out: KernelResults = {};
  const cores = { simd: await loadCore({ build: 'simd' }), scalar: await loadCore({ build: 'scalar' }) };
  const runners = Object.entries(cores).flatMap(([build, core]) => kernelRunners(core, `${build}:`));
  const m = await measureInterleaved(runners, opts);
  for (const [name, r] of Object.entries(m)) {
    const [build, bench] = name.split(':');
    (out[build] ??= {})[bench] = bestOf(r) ?? null;
  }
  for (const [build, r] of Object.entries(out)) {
    log(
      `kernels ${build}: ${Object.entries(r)
        .map(([k, v]) => `${k} ${v?.toFixed(1)}`)
        .join(', ')} GFLOP/s`,
    );
  }
  return out;
}
