import { SdeCode, SdeConfig } from './contract';

// The forward SDEs of continuous-time score models, through their marginal x_t = alpha(t) x_0 + sigma(t) z:
//   VE  sigma(t) = sigma_min (sigma_max / sigma_min)^t,  alpha(t) = 1
//   VP  beta(t) = beta_min + t (beta_max - beta_min),  alpha(t) = exp(-1/2 int_0^t beta),  sigma(t) = sqrt(1 - alpha(t)^2)
// see: Song et al. 2021 (score SDE), section 3.4 and appendix B. Training times are t ~ U(eps, 1).
// The TypeScript twin (src/sde.ts) adds the drift and diffusion the samplers need; a parity test holds the two
// together at many t.

/** int_0^t beta(s) ds of the VP SDE. */
@inline function vpIntegral(c: SdeConfig, t: f64): f64 {
  const b0 = <f64>c.betaMin, b1 = <f64>c.betaMax;
  return b0 * t + 0.5 * (b1 - b0) * t * t;
}

/** Mean scale alpha(t) of the marginal. */
export function sdeAlpha(c: SdeConfig, t: f64): f64 {
  return c.sde == SdeCode.Vp ? Math.exp(-0.5 * vpIntegral(c, t)) : 1.0;
}

/** Noise level sigma(t) of the marginal (VP: sqrt(1 - exp(-int beta)) by expm1, exact near t = 0). */
export function sdeSigma(c: SdeConfig, t: f64): f64 {
  if (c.sde == SdeCode.Ve) {
    const lo = <f64>c.sigmaMin, hi = <f64>c.sigmaMax;
    return lo * Math.pow(hi / lo, t);
  }
  return Math.sqrt(-Math.expm1(-vpIntegral(c, t)));
}

/** Training time t = eps + (1 - eps) u for u ~ U(0, 1). */
export function sdeTime(c: SdeConfig, u: f64): f64 {
  const eps = <f64>c.eps;
  return eps + (1.0 - eps) * u;
}

/** out[0] = alpha(t), out[1] = sigma(t) (f64) of the SDE block at `block`: for the parity test with src/sde.ts. */
export function sdeMarginal(block: usize, t: f64, out: usize): void {
  const c = changetype<SdeConfig>(block);
  store<f64>(out, sdeAlpha(c, t));
  store<f64>(out, sdeSigma(c, t), 8);
}
