import { techniqueTwoRatio } from '../noise-levels.js';
import { sdeOf } from '../sde.js';
import { checkInt, checkPositive } from './context.js';
import { ODE_BLOCK } from './ode.js';
import { defineSampler, denoiseRule } from './spec.js';

/**
 * Predictor-corrector defaults. The corrector (Song et al.'s Langevin step from the signal-to-noise ratio
 * snr) runs by default only where the noise norm |z| ~ sqrt(D) it relies on concentrates, which is where
 * technique 2 has a root (D >= 5); on 2-D data the predictor alone measured best (docs/results, "Defaults").
 */
export const pcDefaults = { steps: 500, snr: 0.16, denoise: true };

/** Corrector steps per predictor step by default for data of dimension d (see {@link pcDefaults}); 1 when `snr` is given. */
export function defaultCorrectorSteps(d: number): number {
  return techniqueTwoRatio(d) === undefined ? 0 : 1;
}

/** The settings of a predictor-corrector run. */
export interface PcSettings {
  [key: string]: number | boolean;
  steps: number;
  correctorSteps: number;
  snr: number;
  denoise: boolean;
}

/**
 * Predictor-corrector sampling of a VE/VP SDE model: reverse-diffusion predictor steps from t = 1 to eps,
 * each after M Langevin corrector steps at the current noise level. With `denoise`, the VE SDE's last step
 * to sigma = 0 adds no noise (Song et al. 2021's noise-free final step) and is the probability-flow step
 * x + sigma^2 s / 2 of {@link denoiseRule}: with the exact score of 2-D mixtures the reverse-diffusion step
 * x + sigma^2 s (Tweedie's) left 0.94-0.99 of the samples within 2 sd of a mode against the data's 0.87, the
 * probability-flow step 0.83-0.88 (docs/results, "Sampler or model?").
 * see: Song et al. 2021 (score SDE), Algorithm 1, reverse diffusion (eq. 46-47), Algorithms 4-5 (corrector).
 */
export const pc = defineSampler<PcSettings>({
  description: 'predictor-corrector for VE/VP SDE models: reverse diffusion + SNR-adaptive Langevin corrector',
  init: 'prior',
  blockMultiple: ODE_BLOCK,
  stationary: false,
  settings(model, o) {
    if (!o.sde) sdeOf(model.training?.loss); // throws for models without an SDE
    const steps = o.steps ?? pcDefaults.steps,
      correctorSteps = o.correctorSteps ?? (o.snr !== undefined ? 1 : defaultCorrectorSteps(model.dim)),
      snr = o.snr ?? pcDefaults.snr;
    checkInt('steps', steps, 1, 1e7);
    checkInt('corrector steps', correctorSteps, 0, 100);
    checkPositive('snr', snr);
    return { steps, correctorSteps, snr, denoise: o.denoise ?? pcDefaults.denoise };
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
      if (sde.kind === 've') {
        for (let m = 0; m < M; m++) ctx.run(1, { mode: 'corrector', alpha: 1, snr: s.snr }, sigma);
        const g2 = sigma ** 2 - (lastStep ? 0 : sde.sigma(t - dt) ** 2);
        // The noise-free last step to sigma = 0 is the annealed sampler's denoising step (one Euler step of the
        // probability-flow ODE, x + sigma^2 s / 2), not Tweedie's x + sigma^2 s, which narrows every mode.
        if (lastStep && s.denoise) ctx.run(1, denoiseRule(sigma), sigma);
        else ctx.run(1, { mode: 'affine', a: 1, b: g2, c: Math.sqrt(g2) }, sigma);
      } else {
        // beta_i = 1 - alpha(t)^2 / alpha(t - dt)^2: the exact one-step variance, in (0, 1) for any dt.
        const beta = 1 - (sde.alpha(t) / sde.alpha(t - dt)) ** 2;
        for (let m = 0; m < M; m++) ctx.run(1, { mode: 'corrector', alpha: 1 - beta, snr: s.snr }, sigma);
        ctx.run(1, { mode: 'affine', a: 2 - Math.sqrt(1 - beta), b: beta, c: lastStep && s.denoise ? 0 : Math.sqrt(beta) }, sigma);
      }
    }
    return sde.sigma(sde.eps);
  },
});
