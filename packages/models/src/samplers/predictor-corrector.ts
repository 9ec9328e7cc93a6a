import { sdeOf } from '../sde.js';
import { checkInt, checkPositive } from './context.js';
import { ODE_BLOCK } from './ode.js';
import { defineSampler, langevinRule } from './spec.js';

/** Predictor-corrector defaults (measured: docs/results, "Defaults"). */
export const pcDefaults = { steps: 500, snr: 0.16, correctorSteps: 1, correctorStepFactor: 0.1, denoise: true };

/** The settings of a predictor-corrector run. */
export interface PcSettings {
  [key: string]: number | boolean | string;
  steps: number;
  correctorSteps: number;
  /** 'snr': Song et al.'s step from the score's signal-to-noise ratio; 'langevin': alpha = correctorStepFactor sigma(t)^2. */
  corrector: string;
  snr: number;
  correctorStepFactor: number;
  denoise: boolean;
}

/**
 * Predictor-corrector sampling of a VE/VP SDE model: reverse-diffusion predictor steps from t = 1 to eps,
 * each after M Langevin corrector steps at the current noise level.
 * see: Song et al. 2021 (score SDE), Algorithm 1, reverse diffusion (eq. 46-47), Algorithms 4-5 (corrector).
 */
export const pc = defineSampler<PcSettings>({
  description: 'predictor-corrector for VE/VP SDE models: reverse diffusion + Langevin corrector',
  init: 'prior',
  blockMultiple: ODE_BLOCK,
  settings(model, o) {
    if (!o.sde) sdeOf(model.training?.loss); // throws for models without an SDE
    const steps = o.steps ?? pcDefaults.steps,
      correctorSteps = o.correctorSteps ?? pcDefaults.correctorSteps,
      snr = o.snr ?? pcDefaults.snr;
    checkInt('steps', steps, 1, 1e7);
    checkInt('corrector steps', correctorSteps, 0, 100);
    checkPositive('snr', snr);
    const corrector = o.snr !== undefined ? 'snr' : (o.corrector ?? 'langevin');
    return {
      steps,
      correctorSteps,
      corrector,
      snr,
      correctorStepFactor: pcDefaults.correctorStepFactor,
      denoise: o.denoise ?? pcDefaults.denoise,
    };
  },
  steps: (s) => s.steps * (1 + s.correctorSteps),
  run(ctx, s, o) {
    const sde = o.sde ?? sdeOf(ctx.model.training?.loss);
    const N = s.steps,
      M = s.correctorSteps,
      dt = (1 - sde.eps) / N;
    for (let i = 0; i < N; i++) {
      const t = 1 - i * dt,
        sigma = sde.sigma(t),
        lastStep = i === N - 1;
      // The corrector targets the marginal at t: VE x_t = x_0 + sigma z, VP x_t = alpha x_0 + sigma z.
      const scale = sde.kind === 've' ? 1 : 1 - (1 - (sde.alpha(t) / sde.alpha(t - dt)) ** 2);
      const corrector =
        s.corrector === 'snr'
          ? { mode: 'corrector' as const, alpha: scale, snr: s.snr }
          : langevinRule(s.correctorStepFactor * sigma * sigma);
      for (let m = 0; m < M; m++) ctx.run(1, corrector, sigma);
      if (sde.kind === 've') {
        const g2 = sigma ** 2 - (lastStep ? 0 : sde.sigma(t - dt) ** 2);
        ctx.run(1, { mode: 'affine', a: 1, b: g2, c: lastStep && s.denoise ? 0 : Math.sqrt(g2) }, sigma);
      } else {
        // beta_i = 1 - alpha(t)^2 / alpha(t - dt)^2: the exact one-step variance, in (0, 1) for any dt.
        const beta = 1 - (sde.alpha(t) / sde.alpha(t - dt)) ** 2;
        ctx.run(1, { mode: 'affine', a: 2 - Math.sqrt(1 - beta), b: beta, c: lastStep && s.denoise ? 0 : Math.sqrt(beta) }, sigma);
      }
    }
    return sde.sigma(sde.eps);
  },
});
