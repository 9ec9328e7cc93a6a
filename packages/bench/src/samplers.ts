/**
 * Samplers: quality against score evaluations (issue 16). For continuous VE and VP models trained with every default
 * (noise levels from the data, 10 000 steps, the moving average of the weights) on gmm3 and 8gaussians, every sampler
 * draws 2000 samples with its defaults (and pc, ode, dpm, dpm-sde and adaptive at other step counts or tolerances, pc
 * with Song et al.'s corrector); the fixed-bandwidth MMD^2 of metrics' standardizedMmd2 (what `scorefield eval`
 * reports) against 2000 held-out points, beside the data floor, and the score evaluations per particle. The MMD^2
 * is the mean over SEEDS sampling seeds (the floor: over as many fresh draws of the data): one estimate at 2000
 * samples varies by about 1e-3 from seed to seed, as much as the samplers differ (docs/bench/analysis.md).
 */
import { datasetSample, type Core } from '@scorefield/core-math';
import { sample, Trainer, type SampleOptions } from '@scorefield/models';
import { standardizedMmd2 } from '@scorefield/metrics';

export const SAMPLER_CONFIGS: [string, Partial<SampleOptions>][] = [
  ['langevin', { sampler: 'langevin' }],
  ['annealed', { sampler: 'annealed' }],
  ['pc', { sampler: 'pc' }],
  ['pc, 100 steps', { sampler: 'pc', steps: 100 }],
  ['pc, corrector', { sampler: 'pc', snr: 0.16 }],
  ['ode', { sampler: 'ode' }],
  ['ode, tol 1e-3', { sampler: 'ode', rtol: 1e-3, atol: 1e-3 }],
  ['dpm', { sampler: 'dpm' }],
  ['dpm, 10 steps', { sampler: 'dpm', steps: 10 }],
  ['adaptive', { sampler: 'adaptive' }],
  ['adaptive, tol 5e-2', { sampler: 'adaptive', rtol: 5e-2, atol: 5e-2 }],
  ['dpm-sde', { sampler: 'dpm-sde' }],
  ['dpm-sde, 25 steps', { sampler: 'dpm-sde', steps: 25 }],
  ['dpm-sde, 100 steps', { sampler: 'dpm-sde', steps: 100 }],
];

/** Sampling seeds (and fresh draws of the data for the floor) each MMD^2 is the mean of. */
export const SEEDS = [1, 2, 3];

export interface SamplerRow {
  dataset: string;
  /** Samples per run (and held-out points). */
  n: number;
  sde: 've' | 'vp';
  floor: number;
  /** Per sampler configuration: score evaluations per particle and MMD^2 (mean over SEEDS); null when it failed. */
  results: Record<string, { evaluations: number; mmd: number } | null>;
  errors?: Record<string, string>;
}

export function measureSamplers(core: Core, dataset: string, sde: 've' | 'vp', quick: boolean): SamplerRow {
  const n = quick ? 1000 : 2000;
  const draw = (seed: number, rows: number) => datasetSample(core, dataset, core.rng(seed), rows).toArray();
  const trainer = new Trainer(core, { data: draw(1, 10_000), rows: 10_000, cols: 2 }, { loss: { name: 'continuous', sde } });
  try {
    trainer.run(quick ? 1000 : trainer.options.steps);
    const points = (p: Float32Array) => ({ data: p, rows: p.length / 2, cols: 2 });
    const ref = points(draw(2, n));
    const mmd = (p: Float32Array) => standardizedMmd2(points(p), ref).value;
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const row: SamplerRow = { dataset, n, sde, floor: mean(SEEDS.map((s) => mmd(draw(2 + s, n)))), results: {} };
    for (const [label, o] of SAMPLER_CONFIGS) {
      try {
        const runs = SEEDS.map((seed) => sample(trainer.model, { n, seed, ...o }));
        row.results[label] = { evaluations: mean(runs.map((r) => r.evaluations)), mmd: mean(runs.map((r) => mmd(r.samples))) };
      } catch (e) {
        row.results[label] = null;
        (row.errors ??= {})[label] = (e as Error).message;
      }
    }
    return row;
  } finally {
    trainer.free();
    trainer.model.free();
  }
}

/**
 * pc's default against the others: the fewest evaluations of a configuration at or below pc's quality, as a factor
 * of pc's evaluations (null when none reaches it). pc's quality is its MMD^2, or the data floor where pc's is lower:
 * fresh draws of the data itself are as good as a sampler can be, and a pc below them (gmm3 VE: -9.5e-4 against the
 * floor's 5.7e-4, each a mean of 3) is closer to the particular held-out points than the data's law is.
 */
export function evaluationsSaved(row: SamplerRow): { factor: number | null; by: string } {
  const pc = row.results.pc;
  if (!pc) return { factor: null, by: '' };
  const bar = Math.max(pc.mmd, row.floor);
  let best: [number, string] | null = null;
  for (const [label, r] of Object.entries(row.results)) {
    if (!r || label === 'pc' || r.mmd > bar) continue;
    if (!best || r.evaluations < best[0]) best = [r.evaluations, label];
  }
  return best ? { factor: pc.evaluations / best[0], by: best[1] } : { factor: null, by: '' };
}
