import { sdeOf } from '../sde.js';
import { checkPositive } from './context.js';
import { ODE_BLOCK, solveProbabilityFlow } from './ode.js';
import { defineSampler, finishDenoised } from './spec.js';

/** Probability-flow ODE defaults: the solver's tolerances and step budget, and the final denoising step. */
export const odeDefaults = { rtol: 1e-5, atol: 1e-5, maxSteps: 100_000, denoise: true };

/** The settings of an ODE run. */
export interface OdeSettings {
  [key: string]: number | boolean;
  rtol: number;
  atol: number;
  denoise: boolean;
}

/**
 * The probability-flow ODE from the prior at t = 1 to t = eps, adaptive RK45 (deterministic), then (by default) the
 * denoising step from sigma(eps) to 0 ({@link finishDenoised}), which reads the solver's last score: no extra network
 * evaluation. see: Song et al. 2021, eq. (13).
 */
export const ode = defineSampler<OdeSettings>({
  description: 'probability-flow ODE with an adaptive Runge-Kutta 5(4) solver (deterministic)',
  init: 'prior',
  blockMultiple: ODE_BLOCK,
  stationary: false,
  settings(model, o) {
    if (!o.sde) sdeOf(model.training?.loss); // throws for models without an SDE
    const rtol = o.rtol ?? odeDefaults.rtol,
      atol = o.atol ?? odeDefaults.atol;
    checkPositive('rtol', rtol);
    checkPositive('atol', atol);
    return { rtol, atol, denoise: o.denoise ?? odeDefaults.denoise };
  },
  // Progress in thousandths of the time interval, and the denoising step.
  steps: (s) => 1000 + (s.denoise ? 1 : 0),
  run(ctx, s, o) {
    const sde = o.sde ?? sdeOf(ctx.model.training?.loss);
    const last = sde.sigma(sde.eps),
      d = ctx.model.dim;
    // The solver's last stage is at its result, at t = eps up to rounding: the score the Stein check (sample.ts) reads.
    const final = new Float32Array(ctx.x.length),
      levels: number[] = [];
    const onFinalScore = (score: Float32Array, b0: number, sigma: number) => {
      final.set(score, b0 * d);
      levels.push(sigma);
    };
    ctx.solve(
      1000,
      (t) => sde.sigma(t),
      (y, held, onProgress) =>
        solveProbabilityFlow(ctx.model, sde, y, {
          rtol: s.rtol,
          atol: s.atol,
          maxSteps: odeDefaults.maxSteps,
          held,
          onProgress,
          onFinalScore,
        }),
    );
    ctx.remember(final, levels);
    return last;
  },
  finish: finishDenoised,
});
