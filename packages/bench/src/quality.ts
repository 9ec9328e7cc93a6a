/**
 * Time to quality (issue 16): wall time until a trained model's samples reach a fixed-bandwidth MMD threshold on
 * gmm3 and 8gaussians, WASM on every core (the threaded core: models' Trainer and sample() with every default) against
 * the PyTorch reference (torch/bench.py, with its own recipe) at 1 and 2 threads. Each trains on the same points in
 * chunks of CHUNK steps; after each chunk it draws 2000 samples and this process measures MMD^2 (metrics'
 * standardizedMmd2, what `scorefield eval` reports) against 2000 held-out points. The time is the training time so far
 * plus that sampling run; the measuring is not counted. The data floor is the MMD^2 between two independent draws of
 * 2000 data points. Two runs of ours:
 * - 'wasm-default' (the target's): the run a user gets with no flag, the CLI's and the web page's (models'
 *   runDefaults: the continuous VE objective with its defaults, sampled by the model's default sampler, pc);
 * - 'wasm-threads': the reference's kind of recipe, a dsm score model (MLP 2-128-128-128 silu, batch 128, Adam lr
 *   1e-3) with the library's defaults (issue 12: dsm sigma chosen from the data, the moving average of the weights,
 *   Langevin step 0.1 / the model's curvature for ln(100) / alpha steps, at least 500, of the Leimkuhler-Matthews scheme).
 * The reference: the standard recipe (the same dsm network, sigma 0.1, the last weights, 1000 Langevin steps of alpha
 * 1e-3 from N(0, I), standardised units).
 */
import { datasetSample, type Core } from '@scorefield/core-math';
import { runDefaults, runToTrainOptions, sample, Trainer, type TrainOptions } from '@scorefield/models';
import { standardizedMmd2 } from '@scorefield/metrics';
import { median } from './timing.js';
import type { TorchServer } from './torch.js';

export const QUALITY_DATASETS = ['gmm3', '8gaussians'] as const;
/** MMD^2 (fixed bandwidths, standardised units) the samples must reach; this model and sampler level off at about 0.01 to 0.04. */
export const QUALITY_THRESHOLD = 0.05;
/** Our runs, by their key in {@link QualityRow.results}: the target is judged on the first. */
export const QUALITY_OURS = {
  'wasm-default': 'the default run (continuous VE, pc)',
  'wasm-threads': 'dsm + Langevin',
} as const;
const CHUNK = 250;
const SAMPLES = 2000;

/** One training seed's run to the threshold: seconds (null: not within maxSteps), the steps it took and the MMD^2 then. */
export interface QualityRun {
  seed: number;
  seconds: number | null;
  steps: number | null;
  mmd: number | null;
  /** [training steps, seconds, MMD^2] after each chunk. */
  trace: [number, number, number][];
}

export interface QualityRow {
  dataset: string;
  threshold: number;
  /** MMD^2 between two independent draws of the data (the floor no sampler can beat). */
  floor: number;
  /**
   * Per implementation: the medians over the training seeds of the seconds to reach the threshold (null where the
   * median run did not reach it), of the steps it took and of the MMD^2 then; `runs`, each seed's (absent in older
   * results, which ran seed 1 alone and kept its `trace` here).
   */
  results: Record<string, Omit<QualityRun, 'seed' | 'trace'> & { trace?: QualityRun['trace']; runs?: QualityRun[] }>;
  errors?: Record<string, string>;
}

interface Impl {
  train(steps: number): Promise<number>;
  /** Samples in data units. */
  sample(seed: number): Promise<{ seconds: number; samples: Float32Array }>;
  free(): void;
}

function standardise(points: Float32Array, mean: number[], std: number[]): Float32Array {
  return points.map((v, i) => (v - mean[i % 2]) / std[i % 2]);
}

export async function measureQuality(
  threaded: Core,
  torch: TorchServer | undefined,
  dataset: (typeof QUALITY_DATASETS)[number],
  maxSteps: number,
  seeds: number,
): Promise<QualityRow> {
  const draw = (seed: number, n: number) => datasetSample(threaded, dataset, threaded.rng(seed), n).toArray();
  const train = draw(1, 10_000);
  const mean = [0, 1].map((j) => train.filter((_, i) => i % 2 === j).reduce((a, b) => a + b, 0) / 10_000);
  const std = [0, 1].map((j) => Math.sqrt(train.filter((_, i) => i % 2 === j).reduce((a, b) => a + (b - mean[j]) ** 2, 0) / 10_000));
  const ref = { data: draw(2, SAMPLES), rows: SAMPLES, cols: 2 };
  const mmd = (p: Float32Array) => standardizedMmd2({ data: p, rows: p.length / 2, cols: 2 }, ref).value;
  const row: QualityRow = { dataset, threshold: QUALITY_THRESHOLD, floor: mmd(draw(3, SAMPLES)), results: {} };

  // Ours: models' Trainer and sample() with every default but the run's length (trained chunk by chunk).
  const ours =
    (options: TrainOptions) =>
    async (seed: number): Promise<Impl> => {
      const trainer = new Trainer(threaded, { data: train, rows: 10_000, cols: 2 }, { ...options, steps: 1e9, seed });
      return {
        train: async (k) => {
          const t0 = performance.now();
          trainer.run(k);
          return (performance.now() - t0) / 1000;
        },
        sample: async (seed) => {
          const t0 = performance.now();
          const s = sample(trainer.model, { n: SAMPLES, seed });
          return { seconds: (performance.now() - t0) / 1000, samples: s.samples };
        },
        free: () => {
          trainer.free();
          trainer.model.free();
        },
      };
    };
  const impls: Record<string, (seed: number) => Promise<Impl>> = {
    'wasm-default': ours(runToTrainOptions(runDefaults)),
    'wasm-threads': ours({}),
  };
  if (torch) {
    for (const threads of [1, 2]) {
      impls[`torch-${threads}`] = async (seed) => {
        const id = `${dataset}/${threads}`;
        await torch.request({ op: 'qstart', id, data: Array.from(standardise(train, mean, std)), seed, threads });
        return {
          train: async (steps) => (await torch.request<{ seconds: number }>({ op: 'qtrain', id, steps, threads })).seconds,
          sample: async (seed) => {
            const r = await torch.request<{ seconds: number; samples: number[] }>({
              op: 'qsample',
              id,
              n: SAMPLES,
              steps: 1000,
              alpha: 1e-3,
              seed,
              threads,
            });
            // The reference samples in the standardised units it trained in.
            return { seconds: r.seconds, samples: Float32Array.from(r.samples, (v, i) => mean[i % 2] + std[i % 2] * v) };
          },
          free: () => {},
        };
      };
    }
  }
  // A warm-up run of each, not counted (one chunk and one sampling run, seed 0): the first run of a process paid for
  // compiling and first-call set-up (PyTorch's first run of gmm3 took 8.5 to 12 s against 2.4 to 3.5 for the others).
  for (const [name, make] of Object.entries(impls)) {
    try {
      const impl = await make(0);
      await impl.train(CHUNK);
      await impl.sample(1);
      impl.free();
    } catch (e) {
      (row.errors ??= {})[name] = (e as Error).message;
    }
  }
  // Seed by seed, every implementation in turn (a slow spell of the shared machine then hits all of them).
  const runs: Record<string, QualityRun[]> = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [name, make] of Object.entries(impls)) {
      if (row.errors?.[name]) continue;
      const run: QualityRun = { seed, seconds: null, steps: null, mmd: null, trace: [] };
      try {
        const impl = await make(seed);
        let trainSeconds = 0;
        for (let steps = CHUNK; steps <= maxSteps; steps += CHUNK) {
          trainSeconds += await impl.train(CHUNK);
          const s = await impl.sample(steps / CHUNK);
          const m = mmd(s.samples);
          const seconds = trainSeconds + s.seconds;
          run.trace.push([steps, seconds, m]);
          if (m <= QUALITY_THRESHOLD) {
            Object.assign(run, { seconds, steps, mmd: m });
            break;
          }
        }
        impl.free();
        runs[name].push(run);
      } catch (e) {
        (row.errors ??= {})[name] = (e as Error).message;
      }
    }
  }
  for (const [name, list] of Object.entries(runs)) {
    if (!list.length) continue;
    // A run that did not reach the threshold counts as infinitely slow: a median past it is null.
    const medianOf = (f: (r: QualityRun) => number | null) => {
      const m = median(list.map((r) => f(r) ?? Number.POSITIVE_INFINITY));
      return Number.isFinite(m) ? m : null;
    };
    row.results[name] = { seconds: medianOf((r) => r.seconds), steps: medianOf((r) => r.steps), mmd: medianOf((r) => r.mmd), runs: list };
  }
  return row;
}

/** PyTorch's best time over ours (the run `key`) on one dataset: null where either did not reach the threshold. */
export function qualitySpeedup(row: QualityRow, key: string): number | null {
  const ours = row.results[key]?.seconds ?? null;
  const theirs = [row.results['torch-1']?.seconds, row.results['torch-2']?.seconds].filter((v): v is number => v != null);
  return ours !== null && theirs.length ? Math.min(...theirs) / ours : null;
}
