import { InputError, sdeDefaults, type ObjectiveSpec } from '@scorefield/core-math';

/**
 * The forward SDE of a continuous-time model, dx = f(x, t) dt + g(t) dw, with its marginal
 * x_t = alpha(t) x_0 + sigma(t) z (standardised units).
 * see: Song et al. 2021 (score SDE), section 3.4 and appendix B.
 */
export interface Sde {
  kind: 've' | 'vp';
  eps: number;
  /** Marginal noise level sigma(t) (what the network is conditioned on). */
  sigma(t: number): number;
  /** Marginal mean scale alpha(t). */
  alpha(t: number): number;
  /** Drift coefficient: f(x, t) = drift(t) * x. */
  drift(t: number): number;
  /** Squared diffusion g(t)^2. */
  diffusion2(t: number): number;
  /** Standard deviation of the prior at t = 1, N(0, prior^2 I). */
  prior: number;
}

/** The SDE a `continuous` objective trained on. */
export function sdeOf(loss: ObjectiveSpec | undefined): Sde {
  if (loss?.name !== 'continuous')
    throw new InputError(`this sampler needs a model trained with --loss continuous, not ${loss?.name ?? 'an unknown loss'}`);
  const o = { ...sdeDefaults, ...loss };
  if (loss.sde === 've') {
    const ratio = Math.log(o.sigmaMax / o.sigmaMin);
    const sigma = (t: number) => o.sigmaMin * (o.sigmaMax / o.sigmaMin) ** t;
    // g^2 = d sigma^2 / dt
    return {
      kind: 've',
      eps: o.eps,
      sigma,
      alpha: () => 1,
      drift: () => 0,
      diffusion2: (t) => 2 * sigma(t) ** 2 * ratio,
      prior: o.sigmaMax,
    };
  }
  const beta = (t: number) => o.betaMin + t * (o.betaMax - o.betaMin);
  const integral = (t: number) => o.betaMin * t + 0.5 * (o.betaMax - o.betaMin) * t * t;
  return {
    kind: 'vp',
    eps: o.eps,
    sigma: (t) => Math.sqrt(-Math.expm1(-integral(t))),
    alpha: (t) => Math.exp(-0.5 * integral(t)),
    drift: (t) => -0.5 * beta(t),
    diffusion2: beta,
    prior: 1,
  };
}
