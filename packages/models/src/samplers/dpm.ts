import type { ScoreSource } from '../score-source.js';
import { sdeOf, type Sde } from '../sde.js';
import { checkInt } from './context.js';
import { forEachBlock, ODE_BLOCK } from './ode.js';
import { defineSampler, finishDenoised } from './spec.js';
import * as detMath from '@scorefield/core-math/det-math';

/** DPM-Solver-2's defaults: 20 steps (40 score evaluations) and the final denoising step, 41 evaluations. */
export const dpmDefaults = { steps: 20, denoise: true };

/** lambda(t) = log(alpha(t) / sigma(t)), the half log-SNR the DPM solvers step in (Lu et al. 2022; it decreases in t). */
export function logSnr(sde: Sde, t: number): number {
  return detMath.log(sde.alpha(t) / sde.sigma(t));
}

/** The time t in [eps, 1] with lambda(t) = l, by 60 bisections (lambda is monotone). */
export function timeAtLogSnr(sde: Sde, l: number): number {
  let lo = sde.eps,
    hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (logSnr(sde, mid) > l) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Times from 1 to eps uniform in lambda(t) (Lu et al. 2022, section 3.3). */
export function logSnrTimes(sde: Sde, steps: number): number[] {
  const l0 = logSnr(sde, 1),
    l1 = logSnr(sde, sde.eps);
  return Array.from({ length: steps + 1 }, (_, i) =>
    i === 0 ? 1 : i === steps ? sde.eps : timeAtLogSnr(sde, l0 + ((l1 - l0) * i) / steps),
  );
}

/**
 * The probability-flow ODE from t = 1 to eps with DPM-Solver-2 (singlestep, r = 1/2), an exponential integrator in
 * lambda(t) = log(alpha(t) / sigma(t)) whose linear part is exact, in place on x (standardised units, [n, d]); steps
 * are uniform in lambda. With the noise prediction eps(x, t) = -sigma(t) s(x; sigma(t)), each step from t to t' with
 * h = lambda(t') - lambda(t) and the midpoint u at lambda(t) + h/2:
 *   u  = alpha(u)/alpha(t) x - sigma(u) (e^(h/2) - 1) eps(x, t),
 *   x' = alpha(t')/alpha(t) x - sigma(t') (e^h - 1) eps(u, t_u).
 * VE and VP alike (alpha = 1 for VE); lambda is inverted by bisection (it decreases in t). Coordinates with held[j]
 * keep their value. Returns the score evaluations per particle (2 per step).
 * see: Lu et al. 2022, "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps",
 * Algorithm 1 (DPM-Solver-2); Song et al. 2021 (score SDE), eq. (13).
 */
export function solveProbabilityFlowDpm(
  model: ScoreSource,
  sde: Sde,
  x: Float32Array,
  o: { steps: number; held?: boolean[]; onProgress?: (fraction: number, t: number) => void },
): number {
  const d = model.dim;
  const lambda = (t: number) => logSnr(sde, t),
    timeAt = (l: number) => timeAtLogSnr(sde, l);
  const times = logSnrTimes(sde, o.steps);
  return forEachBlock(model, x, ({ nb, m, y, xb, s, stepper, progress }) => {
    const u = new Float64Array(m);
    // out = a linear - c eps(at, t) with eps(at, t) = -sigma(t) s(at; sigma(t)); held coordinates keep linear's value.
    const update = (linear: Float64Array, a: number, at: Float64Array, t: number, c: number, out: Float64Array) => {
      xb.set(at);
      const sigma = sde.sigma(t);
      stepper.score(xb, nb, sigma, s);
      const sv = s.view;
      for (let i = 0; i < m; i++) out[i] = o.held?.[i % d] ? linear[i] : a * linear[i] + c * sigma * sv[i];
    };
    for (let i = 0; i < o.steps; i++) {
      const t = times[i],
        next = times[i + 1];
      const h = lambda(next) - lambda(t),
        mid = timeAt(lambda(t) + h / 2);
      update(y, sde.alpha(mid) / sde.alpha(t), y, t, sde.sigma(mid) * detMath.expm1(h / 2), u);
      update(y, sde.alpha(next) / sde.alpha(t), u, mid, sde.sigma(next) * detMath.expm1(h), y);
      o.onProgress?.(progress((i + 1) / o.steps), next);
    }
    return 2 * o.steps;
  });
}

/** The settings of a DPM-Solver-2 run. */
export interface DpmSettings {
  [key: string]: number | boolean;
  steps: number;
  denoise: boolean;
}

/**
 * The probability-flow ODE of a VE/VP model with DPM-Solver-2 ({@link solveProbabilityFlowDpm}; deterministic), then (by
 * default) the denoising step from sigma(eps) to 0 ({@link finishDenoised}): one more Euler step of the same ODE.
 */
export const dpm = defineSampler<DpmSettings>({
  description: 'probability-flow ODE with DPM-Solver-2, steps uniform in log-SNR (Lu et al. 2022; deterministic)',
  init: 'prior',
  blockMultiple: ODE_BLOCK,
  stationary: false,
  settings(model, o) {
    if (!o.sde) sdeOf(model.training?.loss); // throws for models without an SDE
    const steps = o.steps ?? dpmDefaults.steps;
    checkInt('steps', steps, 1, 1e6);
    return { steps, denoise: o.denoise ?? dpmDefaults.denoise };
  },
  steps: (s) => s.steps + (s.denoise ? 1 : 0),
  run(ctx, s, o) {
    const sde = o.sde ?? sdeOf(ctx.model.training?.loss);
    ctx.solve(
      s.steps,
      (t) => sde.sigma(t),
      (y, held, onProgress) => solveProbabilityFlowDpm(ctx.model, sde, y, { steps: s.steps, held, onProgress }),
    );
    return sde.sigma(sde.eps);
  },
  finish: finishDenoised,
});
