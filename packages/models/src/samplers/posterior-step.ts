import { InputError, rngNormal } from '@scorefield/core-math';
import { symmetricEigen } from '../gaussian-fit.js';
import type { ScoreSource } from '../score-source.js';
import type { SamplerContext } from './context.js';
import { denoiseRule, denoisers, type Denoiser, type SampleOptions } from './spec.js';

/**
 * Dimensions up to which {@link posteriorStep} may be asked for: it reads the score's Jacobian by central differences
 * (2 d + 1 evaluations) and takes a d x d eigendecomposition per particle.
 */
export const POSTERIOR_STEP_MAX_DIM = 4;

/**
 * Central-difference step of the Jacobian, in units of sigma. A trained network's score wiggles on scales far below
 * sigma (its Fourier features); the posterior covariance wants its trend over the blur. Measured on a default ncsn
 * model of a 0.6 / 0.3 / 0.1 mixture (docs/results, "σ_L and a light mode's thin direction"): the light mode's thin
 * sd came out 1.42x the data's at 0.05 sigma, 1.13x at 0.2, 1.13x at 0.5 and 1.14x at 1 (3 sampling seeds).
 */
const JACOBIAN_STEP = 0.5;

/** The final denoising step of a run: the option, `flow` by default (see {@link SampleOptions.denoiser}). */
export function denoiserOf(model: ScoreSource, o: SampleOptions): Denoiser {
  const step = o.denoiser ?? 'flow';
  if (!denoisers.includes(step)) throw new InputError(`denoiser '${step}' is not one of ${denoisers.join(', ')}`);
  if (step === 'posterior' && model.dim > POSTERIOR_STEP_MAX_DIM)
    throw new InputError(`denoiser posterior: at most ${POSTERIOR_STEP_MAX_DIM} dimensions (this model: ${model.dim}); use flow`);
  return step;
}

/** The final denoising step from sigma to 0 of a run with this {@link Denoiser}. */
export function finalDenoise(ctx: SamplerContext, sigma: number, step: Denoiser): void {
  if (step === 'posterior') posteriorStep(ctx, sigma);
  else ctx.run(1, denoiseRule(sigma), sigma);
}

/**
 * The final denoising step from noise level sigma to 0: each particle x is replaced by a draw from the Gaussian with
 * the mean and covariance of p(x_0 | x) for x = x_0 + sigma z, read from the score: Tweedie's mean x + sigma^2 s(x)
 * and its second-order covariance sigma^2 (I + sigma^2 grad s(x)) (Efron 2011, "Tweedie's formula and selection
 * bias"; Meng et al. 2021, "Estimating High Order Gradients of the Data Distribution by Denoising"),
 * symmetrised, eigenvalues below 0 set to 0. With the exact score and particles that follow the blurred data, the
 * result has the data's mean and covariance exactly, whatever sigma (law of total variance:
 * Var x_0 = Var E[x_0 | x] + E Var[x_0 | x]); Tweedie's mean alone gives v^2 / (v + sigma^2) on a Gaussian
 * direction of variance v, the probability-flow step v + sigma^4 / 4(v + sigma^2). That bias is what remains
 * of sigma_L where sigma_L is not small against a direction of the data: a light mode's thin direction
 * (docs/results, "σ_L and a light mode's thin direction"; with a trained model the model's own error there is
 * amplified by (v + sigma^2) / v and remains). The draw uses d normals per particle from the stream,
 * indexed as the kernel's steps index them, so blocks on any number of workers give the same bits. Held
 * (inpainted, constant) coordinates are neither moved nor read.
 */
export function posteriorStep(ctx: SamplerContext, sigma: number): void {
  const d = ctx.model.dim,
    n = ctx.n,
    mask = ctx.hold?.mask.view;
  const free = Array.from({ length: d }, (_, j) => j).filter((j) => !mask?.[j]);
  const m = free.length;
  const { core } = ctx.model,
    s2 = sigma * sigma,
    h = JACOBIAN_STEP * sigma;
  const score = Float64Array.from(ctx.scoreNow(sigma));
  ctx.forget();
  // J[i, a, b] = d s_a / d x_b (free coordinates a, b), by central differences over the rounded f32 steps.
  const J = new Float64Array(n * m * m);
  core.scope((scope) => {
    const shifted = scope.f32(n * d),
      up = scope.f32(n * d),
      down = scope.f32(n * d),
      x = ctx.x.view;
    free.forEach((j, b) => {
      const width = new Float64Array(n);
      for (const [sign, out] of [
        [1, up],
        [-1, down],
      ] as const) {
        shifted.set(x);
        for (let i = 0; i < n; i++) shifted.view[i * d + j] = Math.fround(x[i * d + j] + sign * h);
        for (let i = 0; i < n; i++) width[i] += sign * shifted.view[i * d + j];
        ctx.stepper.score(shifted, n, sigma, out);
      }
      for (let i = 0; i < n; i++)
        free.forEach((k, a) => {
          J[(i * m + a) * m + b] = (up.view[i * d + k] - down.view[i * d + k]) / width[i];
        });
    });
    // d normals per particle at the counter the kernel's one step would use, then past the whole run's.
    const z = scope.f32(n * d),
      base = ctx.rng.counter;
    ctx.rng.counter = base + BigInt(ctx.first * d);
    rngNormal(core, ctx.rng, z);
    ctx.rng.counter = base + BigInt(ctx.total * d);
    const cov = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < m; a++)
        for (let b = 0; b < m; b++) {
          const jac = (J[(i * m + a) * m + b] + J[(i * m + b) * m + a]) / 2;
          cov[a * m + b] = s2 * ((a === b ? 1 : 0) + s2 * jac);
        }
      const { values, vectors } = symmetricEigen(cov, m);
      for (let a = 0; a < m; a++) {
        let noise = 0;
        for (let c = 0; c < m; c++) noise += vectors[a * m + c] * Math.sqrt(Math.max(values[c], 0)) * z.view[i * d + free[c]];
        const j = free[a];
        x[i * d + j] = x[i * d + j] + s2 * score[i * d + j] + noise;
      }
    }
  });
  ctx.evaluations += 1 + 2 * m;
  ctx.advance(1, sigma);
}
