import {
  datasetLogDensityScore,
  datasets,
  InputError,
  lookup,
  rngNormal,
  type Core,
  type F32Buffer,
  type Rng,
  type StepRule,
} from '@scorefield/core-math';
import { identityNormalization, type Normalization } from './normalization.js';
import type { TrainingRecord } from './model.js';

/** Sampler steps and score evaluations on standardised particles, for one chunk size. */
export interface Stepper {
  /**
   * k steps of `rule` in place on x [n, d], which are particles first..first+n-1 of total (see core-math samplerSteps).
   * `score`, when given, is s(x; sigma) already computed: one step (k = 1) reads it instead of evaluating the model.
   */
  steps(
    x: F32Buffer,
    k: number,
    rule: StepRule,
    sigma: number,
    rng: Rng,
    first: number,
    total: number,
    hold?: { mask: F32Buffer; values: F32Buffer },
    score?: F32Buffer,
  ): void;
  /** out [n, d] = s(x; sigma). */
  score(x: F32Buffer, n: number, sigma: number, out: F32Buffer): void;
  /**
   * The noise level as this stepper reads it (the WASM kernels round it to f32): two levels it reads alike give the
   * same scores. Without it, every level is read as given.
   */
  level?(sigma: number): number;
  /**
   * score [n, d] = s(x; sigma) and divergence [n] = tr(grad_x s): exact, or Hutchinson's estimate over
   * one probe per point (probes [n, d]) when given.
   */
  scoreDivergence(x: F32Buffer, n: number, sigma: number, score: F32Buffer, divergence: F32Buffer, probes?: F32Buffer): void;
  free(): void;
}

/** Anything the samplers can draw from: a trained model, or the exact score of a dataset. */
export interface ScoreSource {
  readonly core: Core;
  readonly dim: number;
  readonly normalization: Normalization;
  readonly training?: TrainingRecord;
  /** The noise level read when none is given. */
  readonly defaultSigma: number;
  stepper(chunk: number): Stepper;
}

/**
 * The exact score of a Gaussian-mixture dataset at noise level sigma (data + N(0, sigma^2 I)), as a score
 * source: samplers run on it check the sampler alone, without a learned model. Data units throughout.
 */
export class ExactScore implements ScoreSource {
  readonly dim = 2;
  readonly normalization = identityNormalization(2);
  readonly defaultSigma = 0;

  constructor(
    readonly core: Core,
    readonly dataset: string,
  ) {
    const spec = lookup(datasets, dataset, 'dataset');
    if (!spec.mixture) throw new InputError(`exact score: dataset '${dataset}' has no closed-form score`);
  }

  stepper(): Stepper {
    const { core, dataset } = this;
    const d = 2;
    return {
      score: (x, n, sigma, out) => datasetLogDensityScore(core, dataset, x.subarray(0, n * d), { score: out.subarray(0, n * d) }, sigma),
      // The divergence by central differences of the exact score (h = 1e-2 in data units): a check, not a kernel.
      scoreDivergence(x, n, sigma, score, divergence) {
        const h = 1e-2;
        core.scope((scope) => {
          const xs = scope.f32(n * d),
            up = scope.f32(n * d),
            down = scope.f32(n * d);
          datasetLogDensityScore(core, dataset, x.subarray(0, n * d), { score: score.subarray(0, n * d) }, sigma);
          divergence.view.fill(0);
          for (let j = 0; j < d; j++) {
            for (const [sign, out] of [
              [1, up],
              [-1, down],
            ] as const) {
              xs.set(x.view.subarray(0, n * d));
              for (let i = 0; i < n; i++) xs.view[i * d + j] += sign * h;
              datasetLogDensityScore(core, dataset, xs, { score: out }, sigma);
            }
            for (let i = 0; i < n; i++) divergence.view[i] += (up.view[i * d + j] - down.view[i * d + j]) / (2 * h);
          }
        });
      },
      steps(x, k, rule, sigma, rng, first, total, hold, given) {
        const n = x.length / d;
        const base = rng.counter;
        core.scope((scope) => {
          const s = scope.f32(n * d),
            z = scope.f32(n * d),
            zNext = scope.f32(n * d);
          try {
            for (let t = 0; t < k; t++) {
              if (given) s.set(given.view);
              else datasetLogDensityScore(core, dataset, x, { score: s }, sigma);
              rng.counter = base + BigInt((t * total + first) * d); // the same noise indexing as the WASM kernel
              rngNormal(core, rng, z);
              if (rule.mode === 'lm') {
                // The next step's noise (Leimkuhler-Matthews averages the two).
                rng.counter = base + BigInt(((t + 1) * total + first) * d);
                rngNormal(core, rng, zNext);
                for (let i = 0; i < n * d; i++) z.view[i] = Math.fround(0.5 * (z.view[i] + zNext.view[i]));
              }
              const xv = x.view,
                sv = s.view,
                zv = z.view;
              // Corrector step sizes from the norms of each chunk of 256 particles, as the WASM kernel computes them.
              const epsOf = new Float64Array(n);
              if (rule.mode === 'corrector') {
                for (let c0 = 0; c0 < n; c0 += 256) {
                  let g = 0,
                    q = 0;
                  const c1 = Math.min(n, c0 + 256);
                  for (let i = c0; i < c1; i++) {
                    g += Math.sqrt(sv[i * d] * sv[i * d] + sv[i * d + 1] * sv[i * d + 1]);
                    q += Math.sqrt(zv[i * d] * zv[i * d] + zv[i * d + 1] * zv[i * d + 1]);
                  }
                  epsOf.fill(g > 0 ? 2 * rule.alpha * ((rule.snr * q) / g) ** 2 : 0, c0, c1);
                }
              }
              for (let i = 0; i < n; i++) {
                if (rule.mode !== 'corrector') {
                  for (let j = 0; j < d; j++) xv[i * d + j] = rule.a * xv[i * d + j] + rule.b * sv[i * d + j] + rule.c * zv[i * d + j];
                } else {
                  const eps = epsOf[i];
                  for (let j = 0; j < d; j++) xv[i * d + j] += eps * sv[i * d + j] + Math.sqrt(2 * eps) * zv[i * d + j];
                }
                if (hold) for (let j = 0; j < d; j++) if (hold.mask.view[j]) xv[i * d + j] = hold.values.view[i * d + j];
              }
            }
          } finally {
            rng.counter = base + BigInt(k * total * d);
          }
        });
      },
      free() {},
    };
  }
}
