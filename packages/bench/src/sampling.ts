/**
 * Sampling: particle-steps/s of annealed Langevin (10 noise levels) on 10,000 particles, score and energy
 * models, WASM with 1 and 2 worker threads (the CLI's sampleParallel: same bits for any worker count) and
 * on the threaded core (models' sample() in this process, chunks split over every core), against the same
 * annealed loop in PyTorch with 1 and 2 threads. One call is a whole sampler run, worker start-up included
 * for the workers.
 */
import type { Core } from '@scorefield/core-math';
import { encodeModel, identityNormalization, sample, ScoreModel, type SampleOptions, type SampleResult } from '@scorefield/models';
import { NCSN_SIGMAS, type Kind } from './cases.js';
import { asyncRunner, bestOf, measureInterleaved, type MeasureOptions, type Runner } from './timing.js';
import type { TorchServer } from './torch.js';

type SampleParallel = (
  model: ScoreModel,
  bytes: Uint8Array,
  source: string,
  options: SampleOptions,
  workers: number,
) => Promise<SampleResult>;

export interface SampleRow {
  kind: Kind;
  n: number;
  levels: number;
  stepsPerLevel: number;
  /** particle-steps/s by implementation ('wasm-1w', 'wasm-2w', 'wasm-threads', 'torch-1', 'torch-2'). */
  rates: Record<string, number | null>;
  errors?: Record<string, string>;
}

export async function loadSampleParallel(): Promise<{ sampleParallel: SampleParallel } | { notice: string }> {
  try {
    return await import('@scorefield/models/node');
  } catch (e) {
    return { notice: `@scorefield/models/node could not be loaded (build @scorefield/models): ${(e as Error).message}` };
  }
}

export function benchModel(core: Core, kind: Kind, width = 128): ScoreModel {
  const model = ScoreModel.create(
    core,
    { dim: 2, hidden: [width, width, width], activation: 'silu', kind, conditioning: 'both' },
    identityNormalization(2),
    1,
  );
  model.training = { loss: { name: 'ncsn', sigmas: [...NCSN_SIGMAS] }, seed: 0, steps: 0, batch: 128, lr: 1e-3 };
  return model;
}

export async function measureSampling(
  core: Core,
  threaded: Core | undefined,
  kind: Kind,
  cli: { sampleParallel: SampleParallel } | undefined,
  torch: TorchServer | undefined,
  o: { n: number; stepsPerLevel: number; workers: number[] },
  opts: MeasureOptions,
): Promise<SampleRow> {
  const model = benchModel(core, kind),
    bytes = encodeModel(model);
  const levels = NCSN_SIGMAS.length,
    units = o.n * levels * o.stepsPerLevel;
  const options: SampleOptions = { n: o.n, sampler: 'annealed', steps: o.stepsPerLevel, sigmas: [...NCSN_SIGMAS], seed: 0 };
  const runners: Runner[] = [];
  if (cli) {
    for (const w of o.workers) runners.push(asyncRunner(`wasm-${w}w`, () => cli.sampleParallel(model, bytes, 'bench', options, w), units));
  }
  const threadedModel = threaded && benchModel(threaded, kind);
  if (threadedModel) runners.push(asyncRunner('wasm-threads', async () => sample(threadedModel, options), units));
  const c = { kind: 'sample', model: kind, n: o.n, width: 128, levels, steps: o.stepsPerLevel };
  if (torch) for (const t of [1, 2]) runners.push(torch.runner(`torch-${t}`, c, t));
  const m = await measureInterleaved(runners, opts);
  model.free();
  threadedModel?.free();
  const row: SampleRow = { kind, n: o.n, levels, stepsPerLevel: o.stepsPerLevel, rates: {} };
  for (const [k, v] of Object.entries(m)) {
    row.rates[k] = bestOf(v) ?? null;
    if ('error' in v) (row.errors ??= {})[k] = v.error;
  }
  return row;
}
