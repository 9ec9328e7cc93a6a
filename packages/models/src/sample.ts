import { sample, samplerSettings, type SampleOptions } from './samplers/index.js';
import type { ScoreModel } from './model.js';

/** Options of {@link sampleLangevin} (a shorthand for `sample` with the langevin sampler). */
export interface LangevinOptions extends Omit<SampleOptions, 'sampler' | 'onProgress'> {
  /** Called after each block of steps with the steps done so far. */
  onProgress?: (p: { step: number; steps: number }) => void;
}

/**
 * Draws n samples from a score or energy model with unadjusted Langevin dynamics,
 * x <- x + (alpha/2) s(x; sigma) + sqrt(alpha) z, run in standardised units and returned in data units [n, d].
 * see: Song & Ermon 2019, eq. (4).
 */
export function sampleLangevin(model: ScoreModel, options: LangevinOptions): Float32Array {
  return sample(model, {
    ...options,
    sampler: 'langevin',
    progressEvery: Math.max(1, Math.ceil(Number(samplerSettings(model, 'langevin', options).steps) / 50)),
  }).samples;
}
