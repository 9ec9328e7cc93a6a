import { InputError, sigmaSchedule } from '@scorefield/core-math';
import type { ScoreSource } from '../score-source.js';
import { LOW_DIM_RATIO, techniqueTwoRatio } from '../noise-levels.js';
import { sdeOf } from '../sde.js';
import { checkInt, checkPositive } from './context.js';
import { defineSampler, denoiseRule, langevinRule } from './spec.js';
import * as detMath from '@scorefield/core-math/det-math';

/** Annealed Langevin defaults: steps per level, and the final denoising step (measured: docs/results, "Defaults"). */
export const annealedDefaults = { steps: 100, denoise: true };

/**
 * The variance after T Langevin steps at noise level s (alpha = a s^2) of a chain with variance x on a
 * Gaussian mode of variance v: each step maps x to (1 - alpha / 2V)^2 x + alpha (V = v + s^2, the variance
 * of the mode blurred by the noise), whose fixed point V / (1 - alpha / 4V) is the discretisation bias.
 */
export function levelVariance(x: number, a: number, steps: number, s: number, v: number): number {
  const V = v + s * s,
    alpha = a * s * s,
    c = (1 - alpha / (2 * V)) ** 2;
  const fixed = alpha / (1 - c);
  return fixed + (x - fixed) * detMath.pow(c, steps);
}

/**
 * The variance of an annealed Langevin chain over the levels `sigmas` (T steps each, alpha_i = a sigma_i^2)
 * on a Gaussian mode of variance v, divided by the target variance v + sigma_L^2 of the last level; the
 * chain starts settled at the first level.
 */
export function annealedVarianceRatio(a: number, steps: number, sigmas: readonly number[], v: number): number {
  let x = v + sigmas[0] ** 2;
  for (const s of sigmas) x = levelVariance(x, a, steps, s, v);
  return x / (v + sigmas[sigmas.length - 1] ** 2);
}

/** Mode widths v / sigma_L^2 the step is chosen for: a point (Technique 4's case) and 1e-2 to 1e6. */
const WIDTHS = [0, ...Array.from({ length: 41 }, (_, i) => detMath.pow(10, -2 + i / 5))];

/**
 * eps / sigma_L^2 for annealed Langevin: the a that minimises the worst |variance ratio - 1|
 * ({@link annealedVarianceRatio}) over Gaussian modes of every width. Technique 4 of Song & Ermon 2020 is
 * the case of a point mode (v = 0) and one level; it ignores the modes' own width, which in low
 * dimensions leaves the variance 10-20% too large with its eps (the chain cannot follow the last, small
 * levels inside a wide mode). In our step convention x + (alpha/2) s + sqrt(alpha) z; the paper's
 * x + alpha s + sqrt(2 alpha) z has half our alpha.
 */
export function annealedStepFactor(sigmas: readonly number[], steps: number): number {
  // Every annealed sample() call asks for it, mostly with the same levels and steps (a run split into blocks, repeated
  // runs): the last answer is kept. The search allocated 2.7 MB per call (80% of a 64-particle run's JS garbage).
  const key = `${steps} ${sigmas.join(' ')}`;
  if (lastStepFactor?.key !== key) lastStepFactor = { key, value: searchStepFactor(sigmas, steps) };
  return lastStepFactor.value;
}

let lastStepFactor: { key: string; value: number } | undefined;

function searchStepFactor(sigmas: readonly number[], steps: number): number {
  const worst = (a: number) => {
    let m = -Infinity;
    for (const w of WIDTHS) m = Math.max(m, Math.abs(annealedVarianceRatio(a, steps, sigmas, w * sigmas.at(-1)! ** 2) - 1));
    return m;
  };
  // A log grid over (0, 4) (a >= 4 is unstable at v = 0), then a golden-section refinement around its best point.
  const points = 121,
    grid = (i: number) => detMath.pow(10, -4 + (i * detMath.log10(3.99e4)) / 120);
  let best = 0,
    bestWorst = worst(grid(0));
  for (let i = 1; i < points; i++) {
    const v = worst(grid(i));
    if (v < bestWorst) {
      best = i;
      bestWorst = v;
    }
  }
  let lo = grid(Math.max(0, best - 1)),
    hi = grid(Math.min(points - 1, best + 1));
  for (let i = 0; i < 40; i++) {
    const m1 = lo + (hi - lo) * 0.382,
      m2 = lo + (hi - lo) * 0.618;
    if (worst(m1) < worst(m2)) hi = m2;
    else lo = m1;
  }
  return (lo + hi) / 2;
}

/**
 * Noise levels for annealed sampling: the model's ncsn ladder, or a geometric ladder of its SDE's sigma
 * range with the default ratio (technique 2, capped at {@link LOW_DIM_RATIO}).
 */
export function modelSigmas(model: ScoreSource): number[] {
  const loss = model.training?.loss;
  if (loss?.name === 'ncsn') return [...loss.sigmas].sort((a, b) => b - a);
  if (loss?.name === 'continuous') {
    const sde = sdeOf(loss);
    const max = sde.sigma(1),
      min = sde.sigma(sde.eps);
    const ratio = Math.min(LOW_DIM_RATIO, techniqueTwoRatio(model.dim) ?? Infinity);
    return sigmaSchedule('geometric', max, min, 1 + Math.ceil(detMath.log(max / min) / detMath.log(ratio) - 1e-9));
  }
  throw new InputError(
    `annealed sampling needs noise levels: a model trained with ncsn or continuous, or --sigmas (this one: ${loss?.name ?? 'unknown'})`,
  );
}

/** The settings of an annealed run. */
export interface AnnealedSettings {
  [key: string]: number | boolean | readonly number[];
  sigmas: readonly number[];
  steps: number;
  stepSize: number;
  denoise: boolean;
}

/** Annealed Langevin dynamics (NCSN Algorithm 1): T steps at each level, alpha_i = eps sigma_i^2 / sigma_L^2. see: Song & Ermon 2019. */
export const annealed = defineSampler<AnnealedSettings>({
  description: 'annealed Langevin dynamics over the noise levels (NCSN Algorithm 1), alpha_i = eps sigma_i^2 / sigma_L^2',
  init: 'gaussian',
  blockMultiple: 1,
  stationary: false,
  settings(model, o) {
    const sigmas = o.sigmas ?? modelSigmas(model),
      steps = o.steps ?? annealedDefaults.steps;
    sigmas.forEach((s) => checkPositive('sigma', s));
    checkInt('steps', steps, 0, 1e9);
    const last = sigmas[sigmas.length - 1];
    const stepSize = o.stepSize ?? annealedStepFactor(sigmas, Math.max(1, steps)) * last * last;
    checkPositive('step size', stepSize);
    return { sigmas, steps, stepSize, denoise: o.denoise ?? annealedDefaults.denoise };
  },
  steps: (s) => s.sigmas.length * s.steps + (s.denoise ? 1 : 0),
  run(ctx, s) {
    const last = s.sigmas[s.sigmas.length - 1];
    for (const sigma of s.sigmas) ctx.run(s.steps, langevinRule((s.stepSize * sigma * sigma) / (last * last)), sigma);
    return last;
  },
  finish(ctx, s) {
    const last = s.sigmas[s.sigmas.length - 1];
    if (s.denoise) ctx.run(1, denoiseRule(last), last);
  },
});
