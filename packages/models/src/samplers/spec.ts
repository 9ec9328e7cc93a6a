import type { ScoreSource } from '../score-source.js';
import type { Points } from '../points.js';
import { sdeOf, type Sde } from '../sde.js';
import type { SampleProgress, SamplerContext } from './context.js';

/** Initial particles: in standardised units N(0, I), U[-3, 3]^d, the SDE prior; a box or points in data units. */
export type InitSpec = 'gaussian' | 'uniform' | 'prior' | { uniform: [number, number] } | Points;

/**
 * Options of `sample`. Step sizes and noise levels are in standardised units (the network's). Options a
 * sampler does not use are ignored; every default is chosen from the model (see each sampler's module).
 */
export interface SampleOptions {
  /** Number of particles. */
  n: number;
  /** Default: annealed for ncsn models, pc for continuous ones, else langevin. */
  sampler?: string;
  seed?: number;
  init?: InitSpec;
  /** langevin: steps; annealed: steps per level; pc: predictor steps; dpm: steps (2 score evaluations each); dpm-sde: steps (1 each). */
  steps?: number;
  /** langevin: alpha; annealed: eps (alpha_i = eps sigma_i^2 / sigma_L^2). */
  stepSize?: number;
  /** langevin: multiply alpha by this every step (default 1: fixed step). */
  decay?: number;
  /** langevin: the integrator, 'lm' (Leimkuhler-Matthews, the default) or 'euler' (see langevinSchemes). */
  scheme?: string;
  /** langevin: the noise level the model is read at (default: its {@link ScoreSource.defaultSigma}). */
  sigma?: number;
  /** annealed: the levels (default: the model's ncsn levels, or a geometric ladder of its SDE). */
  sigmas?: number[];
  /**
   * annealed, langevin (models of blurred data): a final denoising step (see {@link denoiseDefaults}); pc: a noise-free last
   * step; ode, dpm, dpm-sde, adaptive: the denoising step from sigma(eps) to 0 ({@link finishDenoised}).
   */
  denoise?: boolean;
  /** pc: the corrector's signal-to-noise ratio (0.16); giving it turns the corrector on (1 step unless `correctorSteps`). */
  snr?: number;
  /** pc: corrector steps per predictor step. */
  correctorSteps?: number;
  /** pc, ode, adaptive, dpm, dpm-sde: the SDE (default: the one the model was trained with). */
  sde?: Sde;
  /** ode: tolerances; adaptive: tolerances of its local error. */
  rtol?: number;
  atol?: number;
  /** Inpainting: these coordinates (0-based) are held at the values of `hold.points` (data units, n rows). */
  hold?: { coords: number[]; points: Points };
  /** Record the particles every k steps (data units) into `trajectory`. */
  recordEvery?: number;
  /** For workers: these n particles are first..first+n-1 of total (same result as one run over total). */
  block?: { first: number; total: number };
  onProgress?: (p: SampleProgress) => void;
  /** Progress callback period in steps (default: 1/100 of the run). */
  progressEvery?: number;
}

/** The settings a run used, every default filled in (printed and stored by callers). */
export type SamplerSettings = Readonly<Record<string, number | boolean | string | readonly number[]>>;

/**
 * A sampler: its defaults (resolved from the model by {@link settings}), its length, and its run. The
 * registry in index.ts holds one per name (score_sde style: small modules, no if-chains on names).
 */
export interface SamplerSpec<S extends SamplerSettings = SamplerSettings> {
  readonly description: string;
  /** Initial particles when the caller gives none. */
  readonly init: 'gaussian' | 'prior';
  /** Worker blocks must start at a multiple of this (1: anywhere). */
  readonly blockMultiple: number;
  /**
   * True when the run ends with a chain at its target law (plain Langevin): the Stein check of the result is
   * then a convergence check. Annealed, pc and ode end at small levels that move the particles little by
   * design; their check measures how well the model's last-level score agrees with the samples.
   */
  readonly stationary: boolean;
  /** The settings of a run: the options with every default filled in from the model; throws on bad options. */
  settings(model: ScoreSource, o: SampleOptions): S;
  /** Steps a run takes (progress units). */
  steps(s: S): number;
  /** Runs the sampler; returns the noise level the particles are at for the Stein check (before {@link finish}). */
  run(ctx: SamplerContext, s: S, o: SampleOptions): number;
  /** Steps after the Stein check (a final denoising step). */
  finish?(ctx: SamplerContext, s: S, o: SampleOptions): void;
}

/** Identity with type inference for one sampler module. */
export function defineSampler<S extends SamplerSettings>(spec: SamplerSpec<S>): SamplerSpec<S> {
  return spec;
}

/**
 * The final denoising step of samples of the data blurred by N(0, sigma^2 I): x <- x + step sigma^2 s(x; sigma).
 * step 1/2 is one Euler step of the probability-flow ODE from sigma to 0 (dx = -1/2 s d[sigma^2]; Song et al.
 * 2021, eq. 13): it maps a Gaussian mode of variance v + sigma^2 to v + sigma^4 / 4(v + sigma^2), exact to
 * second order. Tweedie's posterior mean (step 1; Saremi & Hyvarinen 2019) maps it to v^2 / (v + sigma^2),
 * too narrow where sigma is not small against the modes, as the data-driven sigma_L of 2-D data is
 * (docs/results, "Defaults": MMD and a correlated Gaussian's covariance, measured).
 */
export const denoiseDefaults = { step: 0.5 };

/** The denoising step at noise level sigma as a kernel rule ({@link denoiseDefaults}). */
export function denoiseRule(sigma: number) {
  return { mode: 'affine' as const, a: 1, b: denoiseDefaults.step * sigma * sigma, c: 0 };
}

/**
 * The last step of the VE/VP samplers that end at t = eps (dpm, dpm-sde, ode, adaptive), when `denoise` is set: the
 * denoising step from sigma(eps) to 0 ({@link denoiseRule}). Their samples otherwise keep the blur of sigma(eps), which
 * the data-driven sigma_min of 2-D data makes visible: on 8gaussians VE (sigma(eps) = 0.11 in standardised units,
 * MMD^2 over 10 seeds, docs/bench) dpm 1.3e-3 without it, -2.5e-4 with it, 3.1e-3 with Tweedie's step 1 instead.
 */
export function finishDenoised(ctx: SamplerContext, s: { denoise: boolean }, o: SampleOptions): void {
  const sde = o.sde ?? sdeOf(ctx.model.training?.loss),
    sigma = sde.sigma(sde.eps);
  if (s.denoise) ctx.run(1, denoiseRule(sigma), sigma);
}

/**
 * One Langevin step x <- x + (alpha/2) s + sqrt(alpha) z as a kernel rule; with scheme 'lm' z is the mean of this step's
 * noise and the next's (Leimkuhler-Matthews, see langevin.ts).
 */
export function langevinRule(alpha: number, scheme: 'euler' | 'lm' = 'euler') {
  return { mode: scheme === 'lm' ? ('lm' as const) : ('affine' as const), a: 1, b: alpha / 2, c: Math.sqrt(alpha) };
}
