import { InputError, lookup } from '@scorefield/core-math';
import type { ScoreSource } from '../score-source.js';
import { checkInt, checkPositive } from './context.js';
import { defineSampler, denoiseRule, langevinRule } from './spec.js';
import * as detMath from '@scorefield/core-math/det-math';

/**
 * Plain Langevin defaults. The step is alpha = stepFactor / kappa, kappa the mean curvature E|s|^2 / d of the
 * model's log-density (standardised units), and at most sigma^2 for dsm models (stable where the curvature
 * peaks, up to 1 / sigma^2); the steps let a direction of the data's unit scale relax to 1% (ln(100) / alpha),
 * within [minSteps, maxSteps]. Models without a recorded loss average fall back to the fixed steps of
 * earlier versions. The integrator is the scheme's ({@link langevinSchemes}); the default is 'lm'.
 */
export const langevinDefaults = {
  scheme: 'lm' as LangevinScheme,
  relaxation: detMath.log(100),
  maxSteps: 2000,
  denoise: true,
  fallback: { steps: 1000, stepSize: 1e-3 },
};

/**
 * The integrators of plain Langevin and the defaults each needs (the step, the fewest steps, the final annealing).
 *
 * 'euler', unadjusted Langevin x' = x + (alpha/2) s(x) + sqrt(alpha) z_n: its stationary variance on a Gaussian
 * direction of variance v is v / (1 - alpha / 4v), and v >= 1 / (d kappa), so the bias of the main phase is up to
 * stepFactor d / 4 (5% in 2-D). The run therefore ends with `finalSteps` steps at finalFactor x alpha: the directions
 * with a large bias (small v) relax fastest, and after n such steps the excess left over any v is at most
 * (1 - r) / (4 e n r) (r = finalFactor; 0.45% for n = 200, r = 0.1), on top of the tail's own bias
 * r stepFactor d / 4 (0.5% in 2-D). see: Roberts & Tweedie 1996 and Durmus & Moulines 2017 (the O(alpha) bias of
 * unadjusted Langevin); Welling & Teh 2011 (decreasing steps).
 *
 * 'lm' (the default), Leimkuhler-Matthews: x' = x + (alpha/2) s(x) + sqrt(alpha) (z_n + z_{n+1}) / 2, the same one
 * score evaluation a step. On a Gaussian direction of variance v it is an ARMA(1, 1) chain x' = rho x + c (z_n + z_{n+1}),
 * rho = 1 - alpha / 2v, c = sqrt(alpha) / 2, whose stationary variance c^2 (2 + 2 rho) / (1 - rho^2) = v is exact for
 * every stable step (alpha < 4v); its invariant-measure error is O(alpha^2) in general. So it needs no final annealing:
 * the main phase of 'euler' alone, 200 score evaluations fewer. The step and the floor of 500 steps stay as they are,
 * measured (docs/bench/analysis.md, "Leimkuhler-Matthews"): a larger step or fewer steps cost quality where the chain
 * does not relax in 2000 steps (25gaussians: MMD^2 0.16 with twice the step, 0.09 with it) or where standardised data
 * have a direction wider than 1 (a correlated Gaussian's covariance error 0.11 at ln(100) / alpha = 206 steps, within
 * 0.04 at 500: the floor is what relaxes that direction, whose variance decays as exp(-n alpha / v)).
 * see: Leimkuhler & Matthews 2013, "Rational construction of stochastic numerical methods for molecular sampling";
 * Leimkuhler, Matthews & Stoltz 2016.
 */
export const langevinSchemes = {
  lm: { stepFactor: 0.1, minSteps: 500, finalSteps: 0, finalFactor: 0.1 },
  euler: { stepFactor: 0.1, minSteps: 500, finalSteps: 200, finalFactor: 0.1 },
};
export type LangevinScheme = keyof typeof langevinSchemes;

/**
 * The mean curvature kappa = E|s|^2 / d of the model's log-density at noise level `sigma` (standardised
 * units), or undefined when the model does not say. Score matching at its optimum gives it from the
 * training loss L (the loss average in the training record): esm, ssm, ssm-vr reach L = -1/2 E|s|^2 and
 * dsm L = 1/2 (d / sigma^2 - E|s|^2) (Hyvarinen 2005; Vincent 2011). A noise-conditional model read at
 * sigma describes p * N(0, sigma^2), whose curvature is at most 1 / sigma^2.
 */
export function modelCurvature(model: ScoreSource, sigma: number): number | undefined {
  const t = model.training,
    d = model.dim;
  if (!t) return undefined;
  const average = t.lossAverage;
  const loss = t.loss;
  let kappa: number | undefined;
  if ((loss.name === 'esm' || loss.name === 'ssm' || loss.name === 'ssm-vr') && average !== undefined) kappa = (-2 * average) / d;
  else if (loss.name === 'dsm' && average !== undefined) kappa = Math.min(1 / loss.sigma ** 2, 1 / loss.sigma ** 2 - (2 * average) / d);
  else if (loss.name === 'ncsn' || loss.name === 'continuous') kappa = 1 / sigma ** 2;
  return kappa !== undefined && Number.isFinite(kappa) && kappa > 0 ? kappa : undefined;
}

/**
 * The noise level that blurs the law a model describes when read at `sigma`: a dsm model's sigma, the level
 * read for noise-conditional ones, and 0 for models of the data itself (esm, ssm, ssm-vr; or unknown).
 */
export function modelBlur(model: ScoreSource, sigma: number): number {
  const loss = model.training?.loss;
  if (loss?.name === 'dsm') return loss.sigma;
  return loss?.name === 'ncsn' || loss?.name === 'continuous' ? sigma : 0;
}

/** The settings of a plain Langevin run. */
export interface LangevinSettings {
  [key: string]: number | string | boolean;
  steps: number;
  stepSize: number;
  decay: number;
  /** Steps after the main phase at finalFactor x stepSize (the final step annealing; 0 when the step is given). */
  finalSteps: number;
  sigma: number;
  /** A final denoising step that removes the blur of a level sigma > 0 (see {@link langevinDefaults}). */
  denoise: boolean;
  /** Where the step came from: 'model' (its curvature), 'fixed' (the fallback) or 'given'. */
  stepFrom: string;
  /** The integrator ({@link langevinSchemes}). */
  scheme: LangevinScheme;
}

/**
 * Langevin dynamics at one noise level, x <- x + (alpha/2) s(x; sigma) + sqrt(alpha) z (Song & Ermon 2019, eq. 4), with
 * the noise of the scheme ({@link langevinSchemes}: Leimkuhler-Matthews by default).
 */
export const langevin = defineSampler<LangevinSettings>({
  description: 'Langevin dynamics at one noise level (Leimkuhler-Matthews or Euler); step from the model curvature, or fixed, or decaying',
  init: 'gaussian',
  blockMultiple: 1,
  stationary: true,
  settings(model, o) {
    const sigma = o.sigma ?? model.defaultSigma;
    if (!(Number.isFinite(sigma) && sigma >= 0)) throw new InputError(`sample: sigma must be a finite number >= 0, got ${sigma}`);
    const kappa = modelCurvature(model, sigma);
    const scheme = (o.scheme ?? langevinDefaults.scheme) as LangevinScheme;
    const { stepFactor, minSteps } = lookup(langevinSchemes, scheme, 'langevin scheme');
    const { relaxation, maxSteps, fallback } = langevinDefaults;
    // A model of the data blurred by sigma (dsm) has curvature at most 1 / sigma^2, so alpha <= sigma^2 keeps
    // every step stable even where the curvature is far above its mean (tight modes: 25gaussians diverged).
    const blur = model.training?.loss.name === 'dsm' ? model.training.loss.sigma : undefined;
    const stepSize = o.stepSize ?? (kappa ? Math.min(stepFactor / kappa, blur === undefined ? Infinity : blur * blur) : fallback.stepSize);
    const stepFrom = o.stepSize !== undefined ? 'given' : kappa ? 'model' : 'fixed';
    const steps =
      o.steps ??
      (kappa && o.stepSize === undefined ? Math.min(maxSteps, Math.max(minSteps, Math.ceil(relaxation / stepSize))) : fallback.steps);
    const decay = o.decay ?? 1;
    // The final annealing belongs to the step chosen from the model: a given step or decay runs as given.
    const finalSteps = stepFrom === 'model' && o.decay === undefined && o.steps === undefined ? langevinSchemes[scheme].finalSteps : 0;
    checkInt('steps', steps, 0, 1e9);
    checkPositive('step size', stepSize);
    checkPositive('decay', decay);
    return {
      steps,
      stepSize,
      decay,
      finalSteps,
      sigma,
      stepFrom,
      scheme,
      denoise: modelBlur(model, sigma) > 0 && (o.denoise ?? langevinDefaults.denoise),
    };
  },
  steps: (s) => s.steps + s.finalSteps + (s.denoise ? 1 : 0),
  run(ctx, s) {
    const rule = (alpha: number) => langevinRule(alpha, s.scheme);
    if (s.decay === 1) ctx.run(s.steps, rule(s.stepSize), s.sigma);
    else for (let t = 0; t < s.steps; t++) ctx.run(1, rule(s.stepSize * detMath.pow(s.decay, t)), s.sigma);
    if (s.finalSteps > 0) ctx.run(s.finalSteps, rule(s.stepSize * langevinSchemes[s.scheme].finalFactor), s.sigma);
    return s.sigma;
  },
  finish(ctx, s) {
    const blur = modelBlur(ctx.model, s.sigma);
    // The rule's sigma is the blur; the network is read at its own level s.sigma.
    if (s.denoise) ctx.run(1, denoiseRule(blur), s.sigma);
  },
});
