import {
  drawFourier,
  FourierBlock,
  GaussianBlock,
  MixtureBlock,
  InputError,
  MlpLayout,
  modelDims,
  modelDivergenceWorkspaceFloats,
  modelEnergy,
  modelScore,
  modelScoreDivergence,
  modelWorkspaceFloats,
  samplerSteps,
  type Activation,
  type Conditioning,
  type Core,
  type F32Buffer,
  type FourierSpec,
  type GaussianSpec,
  type MixtureSpec,
  type ModelKind,
  type ModelSpec,
  type ObjectiveSpec,
} from '@scorefield/core-math';
import { COLUMN_NAME_RULE, isColumnName } from '@scorefield/formats';
import { identityNormalization, normalize, type Normalization } from './normalization.js';
import type { ScoreSource, Stepper } from './score-source.js';
import { checkPoints, type Points } from './points.js';
import { sdeOf } from './sde.js';
import type { LrDecay } from './train.js';

/** Architecture of a score model: an MLP read as a score s (d -> d) or an energy E (d -> 1, s = -grad E). */
export interface ScoreNetConfig {
  /** Data dimension d. */
  dim: number;
  /** Hidden layer widths, e.g. [128, 128, 128]. */
  hidden: number[];
  activation: Activation;
  /** Parametrization (default 'score'). */
  kind?: ModelKind;
  /** Noise conditioning (default 'none'): 'embed' feeds c(sigma) to the network, 'scale' divides its output by sigma. */
  conditioning?: Conditioning;
  /** Conditioning 'gaussian': the standardised data's Gaussian, whose blurred score is the skip term (gaussian-fit.ts). */
  gaussian?: GaussianSpec;
  /**
   * Conditioning 'fourier': the frequencies B [m, d] of the input features sin(2 pi B y), cos(2 pi B y) (fourier-features.ts in
   * core-math); {@link ScoreModel.create} draws them when absent.
   */
  fourier?: FourierSpec;
  /** Conditioning 'mixture': the standardised data's Gaussian mixture, whose blurred score is the skip term (mixture-fit.ts). */
  mixture?: MixtureSpec;
}

/**
 * The shape of image data: each point is an image of `height` rows of `width` pixels, row-major (pixel (y, x)
 * at coordinate y * width + x), so width * height is the dimension. Stored in the model file (metadata `image`).
 */
export interface ImageShape {
  width: number;
  height: number;
}

/** Checks that `image` is a shape of positive whole sides whose pixels are the `dim` coordinates; one line otherwise. */
export function checkImageShape(image: ImageShape, dim: number, what = 'image'): ImageShape {
  const { width, height } = image;
  if (!(Number.isSafeInteger(width) && width >= 1 && Number.isSafeInteger(height) && height >= 1))
    throw new InputError(`${what}: width and height must be whole numbers >= 1, got ${width} x ${height}`);
  if (width * height !== dim)
    throw new InputError(`${what}: ${width} x ${height} = ${width * height} pixels, but the points have dimension ${dim}`);
  return { width, height };
}

/** Checks column names against dimension d (formats' isColumnName: CSV header names that read back as written). */
export function checkColumns(names: readonly string[], d: number, what = 'columns'): string[] {
  if (!Array.isArray(names) || names.length !== d)
    throw new InputError(`${what}: expected ${d} names, got ${Array.isArray(names) ? names.length : typeof names}`);
  names.forEach((n, j) => {
    if (!isColumnName(n)) throw new InputError(`${what}: name ${j} (0-based) must be ${COLUMN_NAME_RULE}`);
  });
  return [...names];
}

/**
 * The smallest and largest value of every coordinate of the training data (data units; stored in the model file,
 * metadata `data_box`). Under x = x0 + sigma z the denoiser x + sigma^2 s(x; sigma) = E[x0 | x] (Tweedie) lies in the
 * data's convex hull, so inside this box; the Langevin-type samplers clamp a VE-type model's score where the network's
 * denoiser leaves it (core-math's guardDenoiser; README, "The data's box").
 */
export interface DataBox {
  lower: number[];
  upper: number[];
}

/** The {@link DataBox} of points. */
export function dataBox(p: Points): DataBox {
  const lower = new Array<number>(p.cols).fill(Infinity),
    upper = new Array<number>(p.cols).fill(-Infinity);
  for (let i = 0; i < p.rows; i++)
    for (let k = 0; k < p.cols; k++) {
      const v = p.data[i * p.cols + k];
      if (v < lower[k]) lower[k] = v;
      if (v > upper[k]) upper[k] = v;
    }
  return { lower, upper };
}

/** What produced a model (stored in the file so it is self-describing). Sigmas are in standardised units. */
export interface TrainingRecord {
  loss: ObjectiveSpec;
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  /** The learning-rate schedule when not constant. */
  lrDecay?: Exclude<LrDecay, 'none'>;
  data?: string;
  /** Decay of the moving average of the weights the model holds (absent: the last weights). */
  ema?: number;
  /**
   * The training loss averaged over the last steps (an exponential moving average, decay 0.999 after a
   * warm-up). For esm/ssm/ssm-vr it estimates -1/2 E|s|^2, for dsm 1/2 (d / sigma^2 - E|s|^2) (the
   * objectives at their optimum): the plain Langevin sampler takes its step from it.
   */
  lossAverage?: number;
  /** The training loss, as means over buckets of `every` steps (for loss plots). */
  curve?: { every: number; values: number[] };
}

/** Bucket means of a loss history, at most `points` of them (for {@link TrainingRecord.curve}). */
export function lossCurve(losses: ArrayLike<number>, points = 1000): { every: number; values: number[] } {
  const every = Math.max(1, Math.ceil(losses.length / points));
  const values: number[] = [];
  for (let i = 0; i < losses.length; i += every) {
    let s = 0;
    const end = Math.min(losses.length, i + every);
    for (let j = i; j < end; j++) s += losses[j];
    values.push(Math.fround(s / (end - i)));
  }
  return { every, values };
}

/** A score network with its parameters in WASM memory and the normalisation of its data. */
export class ScoreModel implements ScoreSource {
  readonly layout: MlpLayout;
  readonly params: F32Buffer;
  /** Parametrization and noise conditioning. */
  readonly spec: ModelSpec;
  /** The image shape of the data, when the points are images ({@link ImageShape}). */
  image?: ImageShape;
  /** The training data's range ({@link DataBox}): the samplers keep a VE-type model's denoiser in it. */
  box?: DataBox;
  /** The data's column names (metadata `columns`), when the data had them: the header of the samples' CSV. */
  columns?: string[];

  constructor(
    readonly core: Core,
    readonly config: ScoreNetConfig,
    readonly normalization: Normalization = identityNormalization(config.dim),
    public training?: TrainingRecord,
  ) {
    if (!Number.isInteger(config.dim) || config.dim < 1)
      throw new InputError(`model: dimension must be an integer >= 1, got ${config.dim}`);
    if (normalization.mean.length !== config.dim || normalization.std.length !== config.dim) {
      throw new InputError(`model: normalisation has ${normalization.mean.length} coordinates, the network ${config.dim}`);
    }
    const conditioning = config.conditioning ?? 'none';
    if (conditioning === 'gaussian' && config.gaussian?.mean.length !== config.dim) {
      throw new InputError(
        config.gaussian
          ? `model: the Gaussian has ${config.gaussian.mean.length} coordinates, the network ${config.dim}`
          : "model: conditioning 'gaussian' needs the data's Gaussian",
      );
    }
    if (conditioning === 'fourier' && !config.fourier)
      throw new InputError("model: conditioning 'fourier' needs the features' frequencies");
    if (conditioning === 'mixture' && config.mixture?.components[0]?.mean.length !== config.dim) {
      throw new InputError(
        config.mixture
          ? `model: the mixture has ${config.mixture.components[0]?.mean.length ?? 0} coordinates, the network ${config.dim}`
          : "model: conditioning 'mixture' needs the data's mixture",
      );
    }
    this.spec = { kind: config.kind ?? 'score', conditioning };
    if (conditioning === 'fourier' && config.fourier) this.spec.fourier = new FourierBlock(core, config.fourier, config.dim);
    this.layout = new MlpLayout(core, modelDims(this.spec, config.dim, config.hidden), config.activation);
    this.params = core.f32(this.layout.paramCount);
    if (conditioning === 'gaussian' && config.gaussian) this.spec.gaussian = new GaussianBlock(core, config.gaussian);
    if (conditioning === 'mixture' && config.mixture) this.spec.mixture = new MixtureBlock(core, config.mixture);
  }

  /**
   * A new model with PyTorch-default initial weights drawn from `seed` (conditioning 'fourier' without frequencies: the
   * stream draws B first, N(0, FOURIER_SCALE^2), FOURIER_FREQUENCIES rows, then the weights).
   */
  static create(core: Core, config: ScoreNetConfig, normalization: Normalization, seed: number): ScoreModel {
    return core.scope((scope) => {
      const rng = scope.rng(seed);
      const fourier = config.conditioning === 'fourier' && !config.fourier ? drawFourier(core, rng, config.dim) : undefined;
      const model = new ScoreModel(core, fourier ? { ...config, fourier } : config, normalization);
      model.layout.initParams(rng, model.params);
      return model;
    });
  }

  get dim(): number {
    return this.config.dim;
  }

  /**
   * The noise level (standardised units) the model is read at when none is given: for noise-conditional
   * models the smallest level it was trained on, where the samplers end (ncsn: its last level; continuous:
   * the SDE's sigma at t = eps), 1 (ignored) otherwise. Densities are read elsewhere, where they are
   * determined (see density.ts); every output that reads a noise-conditional model names its sigma.
   */
  get defaultSigma(): number {
    const loss = this.training?.loss;
    if (!loss || this.spec.conditioning === 'none') return 1;
    if (loss.name === 'ncsn') return Math.min(...loss.sigmas);
    if (loss.name === 'dsm') return loss.sigma;
    if (loss.name === 'continuous') {
      const sde = sdeOf(loss);
      return sde.sigma(sde.eps);
    }
    return 1;
  }

  /**
   * The score s(x) = grad_x log p(x) in data units at points x [n, d], at noise level sigma
   * (standardised units; default {@link defaultSigma}) for noise-conditional models.
   */
  score(points: Points, sigma = this.defaultSigma): Float32Array {
    const d = this.dim;
    const out = this.evaluate(points, sigma, d, 'score', (x, n, o, ws) =>
      modelScore(this.core, this.spec, this.layout, this.params, x, n, sigma, o, ws),
    );
    // s_x = s_y / std (chain rule through y = (x - mean) / std)
    for (let i = 0; i < out.length; i++) out[i] /= this.normalization.std[i % d];
    return out;
  }

  /**
   * The energy E(x) [n] of an energy model, so that p(x) is proportional to exp(-E(x)); it is the energy
   * of the standardised data, which differs from the data-unit energy by a constant.
   */
  energy(points: Points, sigma = this.defaultSigma): Float32Array {
    if (this.spec.kind !== 'energy') throw new InputError('energy: this is a score model; only energy models have an energy');
    return this.evaluate(points, sigma, 1, 'energy', (x, n, o, ws) =>
      modelEnergy(this.core, this.spec, this.layout, this.params, x, n, sigma, o, ws),
    );
  }

  /**
   * The {@link DataBox} in standardised units, for a model of x = x0 + sigma z read at the sampler's sigma: noise-conditional
   * ncsn and continuous VE models (a VP model's x is scaled, and an unconditioned model ignores the sigma it is given).
   */
  denoiserBox(): DataBox | undefined {
    const loss = this.training?.loss;
    const ve = loss?.name === 'ncsn' || (loss?.name === 'continuous' && loss.sde === 've');
    if (!this.box || !ve || this.spec.conditioning === 'none') return undefined;
    const { mean, std } = this.normalization;
    const scale = (v: number[]) => v.map((x, k) => (x - mean[k]) / std[k]);
    return { lower: scale(this.box.lower), upper: scale(this.box.upper) };
  }

  /** Sampler steps and scores on standardised particles in chunks of `chunk` (see {@link ScoreSource}). */
  stepper(chunk: number): Stepper {
    const { core, spec, layout, params } = this;
    const work = { ws: core.f32(modelWorkspaceFloats(layout, chunk)), score: core.f32(chunk * this.dim), chunk };
    const guard = this.denoiserBox();
    const box = guard && { lower: core.f32(this.dim, guard.lower), upper: core.f32(this.dim, guard.upper) };
    let divWs: F32Buffer | undefined;
    return {
      level: Math.fround, // the kernels' sigma is an f32 (core-math SamplerConfig, modelScore)
      steps: (x, k, rule, sigma, rng, first, total, hold, score) =>
        samplerSteps(core, spec, layout, params, x, k, rule, rng, work, { sigma, first, total, hold, score, box }),
      score: (x, n, sigma, out) => {
        for (let i0 = 0; i0 < n; i0 += chunk) {
          const nb = Math.min(chunk, n - i0),
            d = this.dim;
          modelScore(
            core,
            spec,
            layout,
            params,
            x.subarray(i0 * d, (i0 + nb) * d),
            nb,
            sigma,
            out.subarray(i0 * d, (i0 + nb) * d),
            work.ws,
          );
        }
      },
      scoreDivergence: (x, n, sigma, score, divergence, probes) => {
        // One workspace for the solver's many calls (it grows if a call needs more).
        const need = modelDivergenceWorkspaceFloats(spec, layout, n, probes ? 1 : 0);
        if (!divWs || divWs.length < need) {
          divWs?.free();
          divWs = core.f32(need);
        }
        modelScoreDivergence(
          core,
          spec,
          layout,
          params,
          x.subarray(0, n * this.dim),
          n,
          sigma,
          { score, divergence },
          divWs,
          probes ? { v: probes, count: 1 } : undefined,
        );
      },
      free: () => {
        work.ws.free();
        work.score.free();
        box?.lower.free();
        box?.upper.free();
        divWs?.free();
      },
    };
  }

  /** Runs a model kernel over standardised points in chunks; `per` outputs per point. */
  private evaluate(
    points: Points,
    sigma: number,
    per: number,
    what: string,
    kernel: (x: F32Buffer, n: number, out: F32Buffer, ws: F32Buffer) => void,
  ): Float32Array {
    points = checkPoints(points, what); // a copy: the allocations below may detach the caller's view
    if (points.cols !== this.dim) throw new InputError(`${what}: points have dimension ${points.cols}, the model ${this.dim}`);
    if (!(Number.isFinite(sigma) && sigma > 0)) throw new InputError(`${what}: sigma must be a finite number > 0, got ${sigma}`);
    const { core } = this;
    const n = points.rows,
      d = this.dim;
    const chunk = Math.max(1, Math.min(n, 1024));
    const y = normalize(this.normalization, points.data);
    const result = new Float32Array(n * per);
    core.scope((scope) => {
      const x = scope.f32(chunk * d),
        out = scope.f32(chunk * per),
        ws = scope.f32(modelWorkspaceFloats(this.layout, chunk));
      for (let i0 = 0; i0 < n; i0 += chunk) {
        const nb = Math.min(chunk, n - i0);
        const xs = x.subarray(0, nb * d),
          outs = out.subarray(0, nb * per);
        xs.set(y.subarray(i0 * d, (i0 + nb) * d));
        kernel(xs, nb, outs, ws);
        result.set(outs.view, i0 * per);
      }
    });
    return result;
  }

  free(): void {
    this.params.free();
    this.layout.free();
    this.spec.gaussian?.free();
    this.spec.mixture?.free();
    this.spec.fourier?.free();
  }
}

/** A short human label of an objective, for titles and logs: `dsm σ=0.1`, `ncsn 10 levels σ 1→0.01`. */
export function objectiveLabel(loss: ObjectiveSpec): string {
  switch (loss.name) {
    case 'dsm':
      return `dsm σ=${short(loss.sigma)}`;
    case 'ncsn':
      return `ncsn ${loss.sigmas.length} levels σ ${short(Math.max(...loss.sigmas))}→${short(Math.min(...loss.sigmas))}`;
    case 'ssm':
    case 'ssm-vr':
      return `${loss.name} ${loss.slices ?? 1}×${loss.projection ?? 'gaussian'}`;
    case 'continuous':
      return loss.sde === 've' && loss.sigmaMax !== undefined && loss.sigmaMin !== undefined
        ? `continuous VE SDE σ ${short(loss.sigmaMax)}→${short(loss.sigmaMin)}`
        : `continuous ${loss.sde.toUpperCase()} SDE`;
    default:
      return 'esm (exact trace)';
  }
}

/** A noise level for labels: 3 significant digits. */
function short(v: number): number {
  return Number(v.toPrecision(3));
}
