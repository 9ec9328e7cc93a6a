import { InputError, langevin, modelWorkspaceFloats, rngNormal, rngUniform } from '@scorefield/core-math';
import { denormalizeInPlace } from './normalization.js';
import type { ScoreModel } from './model.js';

/** Options of {@link sampleLangevin}; the step size is in standardised data units. */
export interface LangevinOptions {
  /** Number of samples. */
  n: number;
  /** Langevin steps (default 1000). */
  steps?: number;
  /** alpha in x <- x + (alpha/2) s(x) + sqrt(alpha) z (default 1e-3). */
  stepSize?: number;
  seed?: number;
  /** Noise level the model is read at (standardised units; default: the model's smallest training level). */
  sigma?: number;
  /** Initial particles: standard normal (default) or uniform on [-3, 3]^d, in standardised units. */
  init?: 'gaussian' | 'uniform';
  /** Called after each block of steps with the steps done so far. */
  onProgress?: (p: { step: number; steps: number }) => void;
}

export const langevinDefaults = { steps: 1000, stepSize: 1e-3, seed: 0, init: 'gaussian' as const };

/**
 * Draws n samples from a score or energy model with unadjusted Langevin dynamics,
 * x <- x + (alpha/2) s(x; sigma) + sqrt(alpha) z, run in standardised units and returned in data units [n, d].
 * see: Song & Ermon 2019, eq. (4).
 */
export function sampleLangevin(model: ScoreModel, options: LangevinOptions): Float32Array {
  const o = { ...langevinDefaults, ...options };
  if (!Number.isInteger(o.n) || o.n < 1) throw new InputError(`sample: n must be an integer >= 1, got ${o.n}`);
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new InputError(`sample: steps must be an integer >= 0, got ${o.steps}`);
  if (!(Number.isFinite(o.stepSize) && o.stepSize > 0)) throw new InputError(`sample: step size must be a finite number > 0, got ${o.stepSize}`);
  if (!(Number.isSafeInteger(o.seed) && o.seed >= 0)) throw new InputError(`sample: seed must be a non-negative integer, got ${o.seed}`);
  if (o.init !== 'gaussian' && o.init !== 'uniform') throw new InputError(`sample: unknown init '${o.init}'; valid: gaussian, uniform`);
  const { core, layout, params } = model;
  const d = model.dim;
  const chunk = Math.min(o.n, 256);
  const x = core.f32(o.n * d);
  const rng = core.rng(o.seed);
  if (o.init === 'gaussian') rngNormal(core, rng, x);
  else rngUniform(core, rng, x, -3, 3);
  const sigma = o.sigma ?? model.defaultSigma;
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new InputError(`sample: sigma must be a finite number > 0, got ${sigma}`);
  const work = { ws: core.f32(modelWorkspaceFloats(layout, chunk)), score: core.f32(chunk * d), chunk };
  try {
    // Blocks of steps so progress can be reported; the noise stream makes this identical to one call.
    const block = Math.max(1, Math.ceil(o.steps / 50));
    for (let done = 0; done < o.steps; done += block) {
      const k = Math.min(block, o.steps - done);
      langevin(core, model.spec, layout, params, x, k, o.stepSize, rng, work, { sigma });
      o.onProgress?.({ step: done + k, steps: o.steps });
    }
    const out = x.toArray();
    if (!out.every(Number.isFinite)) throw new Error(`sampling diverged (non-finite particles after ${o.steps} steps); try a smaller step size`);
    return denormalizeInPlace(model.normalization, out);
  } finally {
    x.free(); work.ws.free(); work.score.free(); rng.free();
  }
}
