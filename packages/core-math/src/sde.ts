import type { BlockValues } from './config-block.js';
import { InputError, lookup } from './errors.js';
import { SdeCode, type SdeConfig } from './generated/contract.js';
import type { ObjectiveSpec } from './objectives.js';
import * as detMath from './det-math.js';

// The forward SDEs of continuous-time models, on the TypeScript side: the objectives' SDE block and the
// samplers' drift and diffusion. The WASM side (assembly/sde.ts) evaluates the same marginal for training;
// sde.test.ts holds the two together at many t.

/** Defaults of the continuous-time SDEs (VP: Song et al. 2021; VE scaled to standardised toy data). */
export const sdeDefaults = { sigmaMin: 0.01, sigmaMax: 5, betaMin: 0.1, betaMax: 20, eps: 1e-5 };

/** The SDEs and their kernel codes. */
export const sdes = { ve: SdeCode.Ve, vp: SdeCode.Vp } satisfies Record<string, number>;

/** A continuous-time objective: its SDE and options. */
export type ContinuousSpec = Extract<ObjectiveSpec, { name: 'continuous' }>;

/** The SdeConfig block of a continuous objective: its options over {@link sdeDefaults}. */
export function sdeBlockValues(spec: ContinuousSpec): BlockValues<typeof SdeConfig> {
  const o = { ...sdeDefaults, ...spec };
  return {
    sde: lookup(sdes, spec.sde, 'sde'),
    sigmaMin: o.sigmaMin,
    sigmaMax: o.sigmaMax,
    betaMin: o.betaMin,
    betaMax: o.betaMax,
    eps: o.eps,
  };
}

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
    const ratio = detMath.log(o.sigmaMax / o.sigmaMin);
    const sigma = (t: number) => o.sigmaMin * detMath.pow(o.sigmaMax / o.sigmaMin, t);
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
    sigma: (t) => Math.sqrt(-detMath.expm1(-integral(t))),
    alpha: (t) => detMath.exp(-0.5 * integral(t)),
    drift: (t) => -0.5 * beta(t),
    diffusion2: beta,
    prior: 1,
  };
}
