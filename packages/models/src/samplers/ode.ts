import { rngRademacher } from '@scorefield/core-math';
import type { ScoreSource } from '../score-source.js';
import type { Sde } from '../sde.js';
import { checkPoints } from '../points.js';
import { rk45, type Rk45Options } from './rk45.js';
import * as detMath from '@scorefield/core-math/det-math';

/** Particles per ODE solve: each block of this many has its own adaptive step, so a split into workers on
 * block boundaries gives the same result. */
export const ODE_BLOCK = 256;

/**
 * Probability-flow ODE (returns the score evaluations per particle) dx/dt = f(x, t) - 1/2 g(t)^2 s(x; sigma(t)) from t = 1 to eps,
 * in place on x (standardised units, [n, d]); coordinates with held[j] keep their value.
 * see: Song et al. 2021 (score SDE), eq. (13).
 */
export function solveProbabilityFlow(
  model: ScoreSource,
  sde: Sde,
  x: Float32Array,
  o: Omit<Rk45Options, 'onStep'> & {
    held?: boolean[];
    onProgress?: (fraction: number, t: number) => void;
    /**
     * Called after each block of particles (from particle b0) with the score of its last drift evaluation and the
     * noise level it was read at: the score at the block's final particles (the solver's last stage is at its result).
     */
    onFinalScore?: (score: Float32Array, b0: number, sigma: number) => void;
  },
): number {
  const d = model.dim,
    n = x.length / d;
  let evals = 0;
  for (let b0 = 0; b0 < n; b0 += ODE_BLOCK) {
    const nb = Math.min(ODE_BLOCK, n - b0);
    const y = Float64Array.from(x.subarray(b0 * d, (b0 + nb) * d));
    const blocks = Math.ceil(n / ODE_BLOCK),
      index = b0 / ODE_BLOCK;
    const onStep = (t: number) => o.onProgress?.((index + (1 - t) / (1 - sde.eps)) / blocks, t);
    evals += model.core.scope((scope) => {
      const xb = scope.f32(nb * d),
        s = scope.f32(nb * d),
        stepper = scope.adopt(model.stepper(nb));
      let sigma = Number.NaN;
      const drift = (t: number, y: Float64Array, out: Float64Array) => {
        xb.set(y);
        sigma = sde.sigma(t);
        stepper.score(xb, nb, sigma, s);
        const f = sde.drift(t),
          g2 = sde.diffusion2(t),
          sv = s.view;
        for (let i = 0; i < out.length; i++) out[i] = o.held?.[i % d] ? 0 : f * y[i] - 0.5 * g2 * sv[i];
      };
      const evaluations = rk45(drift, y, 1, sde.eps, { ...o, onStep });
      o.onFinalScore?.(s.view, b0, sigma);
      return evaluations;
    });
    x.set(y, b0 * d);
  }
  return evals / Math.ceil(n / ODE_BLOCK);
}

/** Dimension above which the log-likelihood uses Hutchinson's trace estimate instead of the exact trace. */
export const EXACT_TRACE_MAX_DIM = 16;

/**
 * log p(x) under a continuous-time model, in standardised units: integrates the probability-flow ODE from
 * eps to 1 together with the divergence of its drift, log p_eps(x) = log N(x_1; 0, prior^2) + int div.
 * The trace is exact up to EXACT_TRACE_MAX_DIM dimensions, else Hutchinson with one Rademacher probe per
 * point, fixed over the solve (FFJORD).
 * see: Song et al. 2021, appendix D.2; Grathwohl et al. 2019 (FFJORD), eq. (4)-(5).
 */
export function logLikelihood(
  model: ScoreSource,
  sde: Sde,
  y0: Float32Array,
  o: Omit<Rk45Options, 'onStep'> & { seed: number },
): { logp: Float64Array; evaluations: number } {
  const d = model.dim,
    n = y0.length / d;
  // A copy: the allocations below may detach the caller's array if it is a view into WASM memory.
  y0 = Float32Array.from(checkPoints({ data: y0, rows: n, cols: d }, 'logLikelihood: points').data);
  const logp = new Float64Array(n);
  const { core } = model;
  const useProbes = d > EXACT_TRACE_MAX_DIM;
  let evals = 0;
  core.scope((scope) => {
    const rng = scope.rng(o.seed);
    for (let b0 = 0; b0 < n; b0 += ODE_BLOCK) {
      const nb = Math.min(ODE_BLOCK, n - b0);
      const y = new Float64Array(nb * d + nb);
      y.set(y0.subarray(b0 * d, (b0 + nb) * d));
      evals += core.scope((block) => {
        const xb = block.f32(nb * d),
          s = block.f32(nb * d),
          div = block.f32(nb),
          stepper = block.adopt(model.stepper(nb));
        const v = useProbes ? block.f32(nb * d) : undefined;
        if (v) {
          rng.counter = BigInt(b0 * d); // the probes of a point depend on its index only
          rngRademacher(core, rng, v);
        }
        // state: nb * d coordinates, then nb accumulated divergences
        const f = (t: number, y: Float64Array, out: Float64Array) => {
          xb.set(y.subarray(0, nb * d));
          stepper.scoreDivergence(xb, nb, sde.sigma(t), s, div, v);
          const fd = sde.drift(t),
            g2 = sde.diffusion2(t);
          for (let i = 0; i < nb * d; i++) out[i] = fd * y[i] - 0.5 * g2 * s.view[i];
          for (let b = 0; b < nb; b++) out[nb * d + b] = d * fd - 0.5 * g2 * div.view[b];
        };
        return rk45(f, y, sde.eps, 1, o);
      });
      const varPrior = sde.prior ** 2;
      for (let b = 0; b < nb; b++) {
        let sq = 0;
        for (let j = 0; j < d; j++) sq += y[b * d + j] ** 2;
        logp[b0 + b] = -0.5 * d * detMath.log(2 * Math.PI * varPrior) - sq / (2 * varPrior) + y[nb * d + b];
      }
    }
  });
  return { logp, evaluations: evals / Math.ceil(n / ODE_BLOCK) };
}
