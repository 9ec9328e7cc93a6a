/**
 * Training steps/s of every objective x parametrization, side by side: WASM SIMD on one core, WASM on every
 * core (the threaded core: each step split inside WASM, the bits of one thread), WASM on two cores
 * (data-parallel workers, when @scorefield/models/node provides them), tfjs-backend-wasm, tfjs-backend-cpu, and
 * PyTorch CPU with 1 and 2 threads.
 */
import type { Core } from '@scorefield/core-math';
import { configKey, type TrainConfig } from './cases.js';
import { measureInterleaved, bestOf, syncRunner, type MeasureOptions, type Runner } from './timing.js';
import { wasmTrainStep } from './wasm-train.js';
import { selectBackend, tfjsTrainStep, type TfjsBackend } from './tfjs-train.js';
import { fileURLToPath } from 'node:url';
import { LineServer, type TorchServer } from './torch.js';

export const IMPLS = ['wasm', 'wasm-threads', 'wasm-2w', 'tfjs-wasm', 'tfjs-cpu', 'torch-1', 'torch-2'] as const;
export type Impl = (typeof IMPLS)[number];

export interface TrainRow {
  config: TrainConfig;
  /** steps/s (best round); null when the implementation was skipped. */
  rates: Partial<Record<Impl, number | null>>;
  errors?: Partial<Record<Impl, string>>;
  /** The threaded core's split trials during this row (core-math: split or alone, chosen by timing). */
  splitTrials?: { trials: number; splitWins: number };
}

export interface TrainEnv {
  core: Core;
  /** The threaded core on every core (loadCore({ threads })), for the whole-machine column. */
  threaded?: Core;
  impls: ReadonlySet<Impl>;
  torch?: TorchServer;
  /** The process running the data-parallel trainer of @scorefield/models/node, when it exists. */
  parallel?: LineServer;
}

export interface ParallelTrainerLike {
  start(): Promise<void>;
  run(count: number): number;
  close(): Promise<void>;
  trainer: { free(): void; model: { free(): void } };
}
export type ParallelTrainerClass = new (
  core: Core,
  data: { data: Float32Array; rows: number; cols: number },
  options: Record<string, unknown>,
) => ParallelTrainerLike;

/** Loads ParallelTrainer from @scorefield/models/node, or says why not. */
export async function loadParallelTrainer(): Promise<ParallelTrainerClass | { notice: string }> {
  try {
    const m = (await import('@scorefield/models/node' as string)) as { ParallelTrainer?: ParallelTrainerClass };
    if (typeof m.ParallelTrainer === 'function') return m.ParallelTrainer;
    return { notice: '@scorefield/models/node has no ParallelTrainer: the two-core WASM column is skipped' };
  } catch (e) {
    return {
      notice:
        `no data-parallel WASM trainer (@scorefield/models/node: ${(e as Error).message.split('\n')[0]}): the two-core WASM ` +
        `column is skipped`,
    };
  }
}

function tfjsRunner(name: string, backend: TfjsBackend, c: TrainConfig): Runner & { free(): void } {
  let step: ReturnType<typeof tfjsTrainStep> | undefined;
  let inner: Runner | undefined;
  const ensure = async () => {
    await selectBackend(backend);
    step ??= tfjsTrainStep(c);
    inner ??= syncRunner(name, () => step!.step());
    return inner;
  };
  return {
    name,
    warmup: async (ms) => (await ensure()).warmup(ms),
    round: async (ms) => (await ensure()).round(ms),
    free: () => step?.free(),
  };
}

/** The data-parallel runner: ParallelTrainer in a child process (parallel-child.ts), with a timeout. */
export function parallelServer(): LineServer {
  return new LineServer(process.execPath, [fileURLToPath(new URL('./parallel-child.js', import.meta.url))], process.env, 120_000);
}

function parallelRunner(name: string, server: LineServer, c: TrainConfig): Runner {
  return {
    name,
    warmup: async (ms) => (await server.request<{ callMs: number }>({ op: 'warmup', config: c, workers: 2, ms })).callMs,
    round: async (ms) => (await server.request<{ rate: number }>({ op: 'round', config: c, workers: 2, ms })).rate,
  };
}

/** Measures one configuration with every selected implementation, interleaved. */
export async function measureTraining(env: TrainEnv, c: TrainConfig, opts: MeasureOptions): Promise<TrainRow> {
  const runners: Runner[] = [];
  const cleanup: Array<() => unknown> = [];
  const has = (i: Impl) => env.impls.has(i);
  if (has('wasm')) {
    const s = wasmTrainStep(env.core, c);
    runners.push(syncRunner('wasm', () => s.step()));
    cleanup.push(() => s.free());
  }
  // The threaded core's pool: a fresh start for its split's trials, as in a process training this configuration alone.
  const pool = has('wasm-threads') ? env.threaded?.pool : undefined;
  pool?.restartTrials();
  if (has('wasm-threads') && env.threaded) {
    const s = wasmTrainStep(env.threaded, c);
    runners.push(syncRunner('wasm-threads', () => s.step()));
    cleanup.push(() => s.free());
  }
  if (has('wasm-2w') && env.parallel) runners.push(parallelRunner('wasm-2w', env.parallel, c));
  const torchCase = { kind: 'train', objective: c.objective, model: c.kind, d: c.d, width: c.width, batch: c.batch };
  if (env.torch && has('torch-1')) runners.push(env.torch.runner('torch-1', torchCase, 1));
  if (env.torch && has('torch-2')) runners.push(env.torch.runner('torch-2', torchCase, 2));
  // tfjs is 10x to 1000x slower: the time budget gives its slow calls fewer rounds (a few steps only).
  for (const [impl, backend] of [
    ['tfjs-wasm', 'wasm'],
    ['tfjs-cpu', 'cpu'],
  ] as const) {
    if (!has(impl)) continue;
    const r = tfjsRunner(impl, backend, c);
    runners.push(r);
    cleanup.push(() => r.free());
  }
  const before = pool?.trials;
  const results = await measureInterleaved(runners, opts);
  for (const f of cleanup) await f();
  const row: TrainRow = { config: c, rates: {} };
  if (pool && before) {
    const after = pool.trials;
    row.splitTrials = { trials: after.trials - before.trials, splitWins: after.splitWins - before.splitWins };
  }
  for (const impl of IMPLS) {
    const m = results[impl];
    if (m === undefined) continue;
    row.rates[impl] = bestOf(m) ?? null;
    if ('error' in m) (row.errors ??= {})[impl] = m.error;
  }
  return row;
}

export function formatRow(r: TrainRow): string {
  const parts = Object.entries(r.rates).map(([k, v]) => `${k} ${v == null ? '-' : v >= 100 ? v.toFixed(0) : v.toPrecision(3)}`);
  const trials = r.splitTrials ? ` (threads: split won ${r.splitTrials.splitWins} of ${r.splitTrials.trials} trials)` : '';
  return `${configKey(r.config)}: ${parts.join(', ')} steps/s${trials}${r.errors ? ` (errors: ${JSON.stringify(r.errors)})` : ''}`;
}
