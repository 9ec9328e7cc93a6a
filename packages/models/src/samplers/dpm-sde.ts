import { rngNormal, type Rng } from '@scorefield/core-math';
import * as detMath from '@scorefield/core-math/det-math';
import type { ScoreSource } from '../score-source.js';
import { sdeOf, type Sde } from '../sde.js';
import { checkInt } from './context.js';
import { logSnr, logSnrTimes } from './dpm.js';
import { forEachBlock, ODE_BLOCK } from './ode.js';
import { defineSampler, finishDenoised } from './spec.js';

/**
 * SDE-DPM-Solver++(2M)'s defaults: 50 steps (one score evaluation each) and the final denoising step, 51 evaluations
 * (measured against pc in docs/bench, "Samplers").
 */
export const dpmSdeDefaults = { steps: 50, denoise: true };

/**
 * The reverse SDE from t = 1 to eps with SDE-DPM-Solver++(2M), in place on x (standardised units, [n, d]; particles
 * first..first+n-1 of total): an exponential integrator of the reverse SDE in the data prediction
 * D(x, t) = (x + sigma^2 s(x; sigma(t))) / alpha(t) (Tweedie), its linear part and its noise exact, steps uniform
 * in lambda = log(alpha / sigma). From t to t' with h = lambda(t') - lambda(t) and e = 1 - e^(-2h):
 *   x' = (sigma'/sigma) e^(-h) x + alpha' e [D + (D - D_prev) / (2 r)] + sigma' sqrt(e) z,   r = h_prev / h,
 * the correction (second order, multistep: one score evaluation a step) from the second step on. The first-order
 * step is ancestral sampling (for VE: x' = x + (sigma^2 - sigma'^2) s + sigma'/sigma sqrt(sigma^2 - sigma'^2) z).
 * The noise of step i is the normal at counter base + (i total + particle) d + j, fixed by the particle's index;
 * coordinates with held[j] keep their value. Returns the score evaluations per particle (one per step).
 * see: Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion Probabilistic Models", section 4
 * and appendix (SDE-DPM-Solver++(2M)); Song et al. 2021 (score SDE), eq. (6).
 */
export function solveReverseSdeDpm(
  model: ScoreSource,
  sde: Sde,
  x: Float32Array,
  rng: Rng,
  block: { first: number; total: number },
  o: { steps: number; held?: boolean[]; onProgress?: (fraction: number, t: number) => void },
): number {
  const d = model.dim;
  const { core } = model;
  const base = rng.counter;
  const times = logSnrTimes(sde, o.steps);
  const lambda = (t: number) => logSnr(sde, t);
  forEachBlock(model, x, ({ b0, nb, m, y, xb, s, stepper, scope, progress }) => {
    const z = scope.f32(m),
      denoised = new Float64Array(m),
      previous = new Float64Array(m);
    let hPrev = 0;
    for (let i = 0; i < o.steps; i++) {
      const t = times[i],
        next = times[i + 1];
      const sigma = sde.sigma(t),
        alpha = sde.alpha(t),
        sigmaNext = sde.sigma(next),
        alphaNext = sde.alpha(next);
      const h = lambda(next) - lambda(t),
        e = -detMath.expm1(-2 * h),
        keep = (sigmaNext / sigma) * detMath.exp(-h),
        noise = sigmaNext * Math.sqrt(e);
      xb.set(y);
      stepper.score(xb, nb, sigma, s);
      const sv = s.view;
      for (let k = 0; k < m; k++) denoised[k] = (y[k] + sigma * sigma * sv[k]) / alpha;
      rng.counter = base + BigInt((i * block.total + block.first + b0) * d);
      rngNormal(core, rng, z);
      const zv = z.view,
        correction = i > 0 ? h / (2 * hPrev) : 0; // 1 / (2 r)
      for (let k = 0; k < m; k++) {
        if (o.held?.[k % d]) continue;
        const D = denoised[k] + correction * (denoised[k] - previous[k]);
        y[k] = keep * y[k] + alphaNext * e * D + noise * zv[k];
      }
      previous.set(denoised);
      hPrev = h;
      o.onProgress?.(progress((i + 1) / o.steps), next);
    }
    return o.steps;
  });
  rng.counter = base + BigInt(o.steps * block.total * d);
  return o.steps;
}

/** The settings of an SDE-DPM-Solver++(2M) run. */
export interface DpmSdeSettings {
  [key: string]: number | boolean;
  steps: number;
  denoise: boolean;
}

/**
 * The reverse SDE of a VE/VP model with SDE-DPM-Solver++(2M) ({@link solveReverseSdeDpm}; stochastic), then (by
 * default) pc's denoising step from sigma(eps) to 0, the probability-flow step x + sigma^2 s / 2 ({@link finishDenoised}):
 * without it the samples keep noise of sd sigma(eps) (0.01 for VE), which the fixed-bandwidth MMD sees (pc without
 * it: 1.3e-3 against 1.9e-4 on 8gaussians VE, docs/bench).
 */
export const dpmSde = defineSampler<DpmSdeSettings>({
  description: 'reverse SDE with SDE-DPM-Solver++(2M), steps uniform in log-SNR (Lu et al. 2022; one evaluation a step)',
  init: 'prior',
  blockMultiple: ODE_BLOCK,
  stationary: false,
  settings(model, o) {
    if (!o.sde) sdeOf(model.training?.loss); // throws for models without an SDE
    const steps = o.steps ?? dpmSdeDefaults.steps;
    checkInt('steps', steps, 1, 1e6);
    return { steps, denoise: o.denoise ?? dpmSdeDefaults.denoise };
  },
  steps: (s) => s.steps + (s.denoise ? 1 : 0),
  run(ctx, s, o) {
    const sde = o.sde ?? sdeOf(ctx.model.training?.loss);
    ctx.solve(
      s.steps,
      (t) => sde.sigma(t),
      (y, held, onProgress) =>
        solveReverseSdeDpm(ctx.model, sde, y, ctx.rng, { first: ctx.first, total: ctx.total }, { steps: s.steps, held, onProgress }),
    );
    return sde.sigma(sde.eps);
  },
  finish: finishDenoised,
});
