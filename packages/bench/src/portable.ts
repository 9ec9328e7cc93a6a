/**
 * The benchmark that runs unchanged in Node and in Chromium (no Node imports): the dense kernels of the
 * SIMD build with their ceiling, and training steps of three objectives, measured interleaved.
 */
import { loadCore } from '@scorefield/core-math';
import { kernelRunners } from './kernels.js';
import { bestOf, measureInterleaved, syncRunner, type MeasureOptions } from './timing.js';
import { wasmTrainStep } from './wasm-train.js';
import type { TrainConfig } from './cases.js';

export const PORTABLE_TRAINING: readonly TrainConfig[] = [
  { objective: 'dsm', kind: 'score', d: 2, width: 128, batch: 128 },
  { objective: 'esm', kind: 'energy', d: 2, width: 128, batch: 128 },
  { objective: 'ncsn', kind: 'score', d: 2, width: 128, batch: 128 },
];

/** Best rate by benchmark: kernels in GFLOP/s, 'train <objective> <kind>' in steps/s. */
export async function portableBench(opts: MeasureOptions): Promise<Record<string, number | null>> {
  const core = await loadCore({ build: 'simd' });
  const runners = kernelRunners(core).filter((r) => !r.name.includes('1024'));
  for (const c of PORTABLE_TRAINING) {
    const s = wasmTrainStep(core, c);
    runners.push(syncRunner(`train ${c.objective} ${c.kind}`, () => s.step()));
  }
  const m = await measureInterleaved(runners, opts);
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, bestOf(v) ?? null]));
}
