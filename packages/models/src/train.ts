import {
  Adam,
  BoundObjective,
  gatherRandomRows,
  InputError,
  type Activation,
  type Conditioning,
  type Core,
  type F32Buffer,
  type ModelKind,
  type ObjectiveSpec,
  type Rng,
  scaleAdd,
} from '@scorefield/core-math';
import { fitGaussian } from './gaussian-fit.js';
import { fitMixture } from './mixture-fit.js';
import { constantNotice, fitGlobalNormalization, fitNormalization, identityNormalization, normalize } from './normalization.js';
import { checkColumns, checkImageShape, dataBox, ScoreModel, type ImageShape } from './model.js';
import { checkPoints, type Points } from './points.js';
import {
  dataScales,
  noiseLadder,
  resolveObjective,
  techniqueTwoRatio,
  type NoiseLadder,
  type NoiseLevelSource,
  type ObjectiveRequest,
} from './noise-levels.js';
import * as detMath from '@scorefield/core-math/det-math';

/** Options of {@link trainScoreModel}; noise levels are in standardised data units. */
export interface TrainOptions {
  /** Hidden layer widths (default {@link defaultHidden} of the data's dimension and the objective). */
  hidden?: number[];
  activation?: Activation;
  /**
   * The objective and its options (default: dsm). Noise levels left out (ncsn `sigmas`, dsm `sigma`, the VE
   * SDE's `sigmaMax`/`sigmaMin`) are chosen from the data (see {@link noiseLevels}).
   */
  loss?: ObjectiveRequest;
  /** Where noise levels left out of `loss` come from: the data (default) or the fixed levels of earlier versions. */
  noiseLevels?: NoiseLevelSource;
  /**
   * Decay m of the exponential moving average of the weights that the model holds, sampled and saved
   * (default 0.999; 0 turns it off). Warm-up: step t uses min(m, (1 + t) / (10 + t)).
   * see: Song & Ermon 2020, technique 5; Polyak & Juditsky 1992.
   */
  ema?: number;
  /** Parametrization: a score network or an energy network, s = -grad E (default 'score'). */
  kind?: ModelKind;
  /** Noise conditioning (default: 'both' for ncsn and continuous, 'none' otherwise). */
  conditioning?: Conditioning;
  /**
   * Standardise the data before training; noise levels are then in standardised units. `true`: each coordinate
   * by its own mean and std; `'global'`: one mean and one std over every coordinate (images: pixels keep their
   * relative scale); `false`: none. Default: `'global'` for images (`image` given), `true` otherwise.
   */
  standardize?: boolean | 'global';
  /** The data are images of this shape (stored in the model, {@link ScoreModel.image}). */
  image?: ImageShape;
  /** The data's column names, one per coordinate (stored in the model, {@link ScoreModel.columns}; samples carry them). */
  columns?: string[];
  /** Number of Adam steps (default {@link defaultSteps} of the objective). */
  steps?: number;
  /** Points per step, drawn with replacement (default {@link defaultBatch} of the objective and dimension). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Learning-rate schedule over `steps` ({@link lrDecays}; default {@link defaultLrDecay} of the objective). */
  lrDecay?: LrDecay;
  /** Rescale the gradient to this Euclidean norm when it is larger (default: no clipping). */
  clipGrad?: number;
  seed?: number;
  /** Name of the data, recorded in the model. */
  dataName?: string;
  /** Called every `progressEvery` steps and after the last one. */
  onProgress?: (p: { step: number; steps: number; loss: number }) => void;
  progressEvery?: number;
}

/** True for the noise-conditional objectives (ncsn, continuous), which learn a family of scores over the ladder. */
function conditional(loss: ObjectiveRequest): boolean {
  return loss.name === 'ncsn' || loss.name === 'continuous';
}

/** Low-dimensional data: where technique 2 has no root (d <= 4), the regime the 2-D measurements cover. */
export function lowDimensional(d: number): boolean {
  return techniqueTwoRatio(d) === undefined;
}

/**
 * Adam steps by default: noise-conditional objectives (ncsn, continuous) learn a family of scores over
 * the whole ladder and need more steps than one score; on low-dimensional data (d <= 4) they train the
 * narrower network of {@link defaultHidden} for longer (measured: docs/results, "Defaults").
 */
export const defaultStepsOf = { conditional: 10_000, conditionalLowDim: 15_000, unconditional: 3000, dsm: 6000 };

/**
 * The default number of steps for an objective on data of dimension d ({@link defaultStepsOf}). dsm runs the
 * other objectives' 3000 steps at a constant rate, then as many again while its rate decays ({@link defaultLrDecay}).
 */
export function defaultSteps(loss: ObjectiveRequest, d = 2): number {
  if (loss.name === 'dsm') return defaultStepsOf.dsm;
  if (!conditional(loss)) return defaultStepsOf.unconditional;
  return lowDimensional(d) ? defaultStepsOf.conditionalLowDim : defaultStepsOf.conditional;
}

/**
 * Hidden widths by data dimension d and objective: three layers of 128 up to d = 64, of 256 above (d = 64-784:
 * images), and of 64 for noise-conditional objectives on low-dimensional data (d <= 4, where technique 2 has
 * no root). 256: chosen by training speed on 28x28 MNIST (one core, the machine under load):
 * 784-128-128-128 43 steps/s, 784-512-512 11, 784-1024-1024 3.1; 256 keeps the 10 000 default ncsn steps near
 * 15 minutes. At these widths, with conditioning 'gaussian', the MNIST samples are mostly recognisable digits (measured:
 * apps/cli README, "Images"). 64: on 2-D
 * data noise-conditional objectives are limited by their number of steps, not by the width: at about the same
 * time a 64-wide network trained 15 000 steps beat a 128-wide one trained 10 000 (docs/results, "Defaults").
 */
export function defaultHidden(d: number, loss: ObjectiveRequest = trainDefaults.loss): number[] {
  if (d > 64) return [256, 256, 256];
  return conditional(loss) && lowDimensional(d) ? [64, 64, 64] : [128, 128, 128];
}

/**
 * Noise conditioning by objective, dimension and parametrisation: none for one-level objectives; score networks of ncsn up to 4 dimensions
 * and of continuous up to 4 dimensions are preconditioned and read Fourier features of their input ('fourier': 'precond', whose input and
 * target keep unit scale at every level, see: Karras et al. 2022, table 1, with sin(2 pi B y), cos(2 pi B y) beside y, see: Tancik et al.
 * 2020; without them a 64-wide MLP stalled on 25gaussians for two of three seeds, one output coordinate stuck at the skip term:
 * docs/results, notes); ncsn score networks above 4 dimensions take 'gaussian' (the skip term is the exact blurred score of the data's
 * Gaussian: the network learns only what its Wiener filter misses); energy networks and continuous above 4 dimensions take 'both'. An MLP
 * with the 1/sigma output scale alone ('both') cannot rescale inputs that span the ladder: above 4 dimensions (14x14 MNIST) its denoised
 * estimate at sigma_1 was off by 0.94 sigma per pixel, the data's Gaussian by 0.04 sigma (models README, "Images"); in 2-D its samples of
 * thin or sharp-edged data were diffuse (circles: 8% of the samples far from both rings, against 0.4% of the data; MMD² 0.0114 against
 * 0.0022 preconditioned; docs/results, "Defaults"). 'precond' on 14x14 MNIST denoised worse than the Wiener filter from sigma 9 to 0.3 and
 * its annealed chains ran away; 'gaussian' matches the filter down to sigma 1, beats it below, and its 14x14 chains stay bounded (apps/cli
 * README, "Images").
 */
export function defaultConditioning(loss: string, d: number, kind: ModelKind = 'score'): Conditioning {
  if (loss !== 'ncsn' && loss !== 'continuous') return 'none';
  if (kind !== 'score') return 'both';
  if (lowDimensional(d)) return 'fourier';
  return loss === 'ncsn' ? 'mixture' : 'both';
}

/**
 * Points per step by objective, dimension and parametrisation: 256 for score models of noise-conditional objectives
 * on low-dimensional data (d <= 4), 128 otherwise (NCSN's batch). A denoising loss on a 2-D point carries 2 numbers
 * against an image's thousands, and in 2-D the gradient noise, not the steps, limited the score at the smallest
 * levels: 25gaussians' continuous model, 15 000 steps, relative score error at sigma_L 0.26 at batch 128, 0.07 at 256
 * (MMD² 0.0126 against -0.0002; docs/results, "Defaults"). Energy models (not measured at 256, and 2-3x the cost
 * of a step) keep 128.
 */
export function defaultBatch(loss: ObjectiveRequest, d: number, kind: ModelKind = 'score'): number {
  return conditional(loss) && lowDimensional(d) && kind === 'score' ? defaultBatchOf.conditionalLowDim : defaultBatchOf.other;
}

/**
 * Learning-rate schedules over a run of T steps: `none` (constant), `cosine` (lr (1 + cos(pi t / T)) / 2 to 0; see:
 * Loshchilov & Hutter 2017), `linear-tail` (constant for the first half, then linearly to 0: the warmup-stable-decay
 * schedule without warm-up; see: Hagele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed Training
 * Durations").
 */
export const lrDecays = { none: 1, cosine: 1, 'linear-tail': 1 } as const;
export type LrDecay = keyof typeof lrDecays;

/**
 * Learning-rate schedule by objective: `linear-tail` for dsm, constant otherwise. dsm regresses the score on
 * -z / sigma, whose variance d / sigma^2 is large at the small data-driven sigma. At a constant rate that label noise
 * does not only make the weights fluctuate (which the moving average removes): it biases them, towards scores that are
 * too weak (the implicit regularisation of label-noise SGD, whose strength grows with the rate; see: Blanc et al.
 * 2020, Damian et al. 2021). On the correlated Gaussian of docs/results the model's precision in the thin direction came
 * out 2-4% low, the samples' covariance 3-9% wide, and a wider average of the weights made it worse. Decaying the rate
 * removes it; decaying from the start (cosine) left harder data underfit in 3000 steps (circles, MMD² 0.0276 against
 * 0.0049), so dsm keeps the 3000 constant-rate steps of the other objectives and adds 3000 that decay to 0
 * ({@link defaultSteps}; measured: packages/models/README.md, "Defaults").
 */
export function defaultLrDecay(loss: ObjectiveRequest): LrDecay {
  return loss.name === 'dsm' ? 'linear-tail' : 'none';
}

/** The batch sizes of {@link defaultBatch}. */
export const defaultBatchOf = { conditionalLowDim: 256, other: 128 };

/**
 * Defaults of {@link TrainOptions} (steps: {@link defaultSteps}; hidden: {@link defaultHidden} and batch:
 * {@link defaultBatch} of the dimension and objective; the `hidden` and `batch` here are their values for 2-D data
 * and the trainer's default objective, dsm).
 */
export const trainDefaults = {
  hidden: [128, 128, 128],
  activation: 'silu' as Activation,
  batch: 128,
  lr: 1e-3,
  loss: { name: 'dsm' } as ObjectiveRequest,
  noiseLevels: 'data' as NoiseLevelSource,
  ema: 0.999,
  kind: 'score' as ModelKind,
  seed: 0,
  progressEvery: 100,
};

/** Training stopped because the loss stopped being a finite number. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`training diverged: loss is ${loss} at step ${step}; try a smaller --lr (or a larger noise level)`);
  }
}

/** Result of {@link trainScoreModel}: the model and the loss of every step. */
export interface TrainResult {
  model: ScoreModel;
  losses: Float32Array;
}

/** What a run needs to continue bit for bit: Adam's moments and step, the stream position, the averages. */
export interface TrainerState {
  step: number;
  adamM: Float32Array;
  adamV: Float32Array;
  adamStep: number;
  rngCounter: bigint;
  losses: Float32Array;
  /** The moving average of the weights (absent when the run keeps none). */
  averaged?: Float32Array;
  /** The moving average of the loss ({@link TrainingRecord.lossAverage}). */
  lossAverage?: number;
}

/** The decay of the moving averages at step t (0-based): min(m, (1 + t) / (10 + t)), so short runs average their own steps. */
export function averageDecay(m: number, t: number): number {
  return Math.min(m, (1 + t) / (10 + t));
}

/** Decay of the loss average kept in the training record (whether or not the weights are averaged). */
const LOSS_AVERAGE = 0.999;

/**
 * A training run that advances in pieces ({@link run}) so callers can pause, draw, checkpoint and resume;
 * the same seed gives the same bits however the steps are split. Data are standardised first (unless
 * `standardize: false`); the normalisation is stored in the model, and noise levels left out of the
 * objective are chosen from the standardised data ({@link ladder}). `model` holds the moving average of
 * the weights (unless `ema: 0`): the weights to sample, plot and save; Adam trains {@link params}.
 * see: core-math's objectives; Kingma & Ba 2015 (Adam); Song & Ermon 2020 (techniques 1, 2, 5).
 */
export class Trainer {
  readonly model: ScoreModel;
  readonly options: typeof trainDefaults & TrainOptions & { steps: number };
  /** The objective with every noise level filled in (as recorded in the model). */
  readonly loss: ObjectiveSpec;
  /** The ladder chosen from the data, when some noise level came from it. */
  readonly ladder?: NoiseLadder;
  /** One-line notices about the data (e.g. constant coordinates kept). */
  readonly notices: string[] = [];
  /** The weights Adam trains: `model.params` itself when the weights are not averaged. */
  readonly params: F32Buffer;
  step = 0;
  private lossLog: Float32Array;
  private readonly objective: BoundObjective;
  private readonly adam: Adam;
  private readonly rng: Rng;
  private readonly bufs: { train: F32Buffer; batch: F32Buffer; grads: F32Buffer; ws: F32Buffer };
  private readonly rows: number;

  constructor(
    readonly core: Core,
    data: Points,
    options: TrainOptions = {},
  ) {
    // Options given as undefined keep their defaults.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TrainOptions;
    const loss = given.loss ?? trainDefaults.loss;
    const o = {
      ...trainDefaults,
      ...given,
      hidden: given.hidden ?? defaultHidden(data.cols, loss),
      steps: given.steps ?? defaultSteps(loss, data.cols),
      batch: given.batch ?? defaultBatch(loss, data.cols, given.kind ?? trainDefaults.kind),
      lrDecay: given.lrDecay ?? defaultLrDecay(loss),
    };
    this.options = o;
    data = checkPoints(data, 'data'); // a copy: the allocations below may detach the caller's view
    checkPositiveInt('steps', o.steps);
    checkPositiveInt('batch', o.batch);
    checkPositive('lr', o.lr);
    if (!(Number.isSafeInteger(o.seed) && o.seed >= 0)) throw new InputError(`train: seed must be a non-negative integer, got ${o.seed}`);
    o.hidden.forEach((h) => checkPositiveInt('hidden width', h));
    if (o.clipGrad !== undefined) checkPositive('clip-grad norm', o.clipGrad);
    if (!Object.hasOwn(lrDecays, o.lrDecay))
      throw new InputError(`train: unknown lr decay '${o.lrDecay}'; valid: ${Object.keys(lrDecays).join(', ')}`);
    if (!(Number.isFinite(o.ema) && o.ema >= 0 && o.ema < 1)) throw new InputError(`train: ema must be a number in [0, 1), got ${o.ema}`);
    const d = data.cols;
    const conditioning = o.conditioning ?? defaultConditioning(o.loss.name, d, o.kind);
    const image = o.image && checkImageShape(o.image, d, `train: image shape of ${o.dataName ?? 'the data'}`);
    const standardize = o.standardize ?? (image ? 'global' : true);
    if (standardize !== true && standardize !== false && standardize !== 'global')
      throw new InputError(`train: standardize must be true, false or 'global', got ${String(standardize)}`);
    const normalization =
      standardize === false
        ? identityNormalization(d)
        : standardize === 'global'
          ? fitGlobalNormalization(data, o.dataName)
          : fitNormalization(data, o.dataName);
    const notice = constantNotice(normalization);
    if (notice) this.notices.push(notice);
    const standardized = normalize(normalization, data.data);
    if (o.noiseLevels === 'data' && needsLevels(o.loss))
      this.ladder = noiseLadder(dataScales({ data: standardized, rows: data.rows, cols: d }), d);
    this.loss = resolveObjective(o.loss, this.ladder, o.noiseLevels);
    const points = { data: standardized, rows: data.rows, cols: d };
    const gaussian = conditioning === 'gaussian' ? fitGaussian(points) : undefined;
    const mixture = conditioning === 'mixture' ? fitMixture(core, points, o.seed) : undefined;
    this.model = ScoreModel.create(
      core,
      {
        dim: d,
        hidden: o.hidden,
        activation: o.activation,
        kind: o.kind,
        conditioning,
        ...(gaussian && { gaussian }),
        ...(mixture && { mixture }),
      },
      normalization,
      o.seed,
    );
    if (image) this.model.image = image;
    this.model.box = dataBox(data);
    if (o.columns) this.model.columns = checkColumns(o.columns, d, `train: column names of ${o.dataName ?? 'the data'}`);
    try {
      this.objective = new BoundObjective(core, this.loss, this.model.spec, this.model.layout);
    } catch (e) {
      this.model.free();
      throw e;
    }
    this.model.training = {
      loss: this.loss,
      seed: o.seed,
      steps: 0,
      batch: o.batch,
      lr: o.lr,
      data: o.dataName,
      ...(o.lrDecay !== 'none' ? { lrDecay: o.lrDecay } : {}),
      ...(o.ema > 0 ? { ema: o.ema } : {}),
    };
    const net = this.model.layout;
    this.rows = data.rows;
    this.params = o.ema > 0 ? copyOf(core, this.model.params) : this.model.params;
    this.bufs = {
      train: core.f32(data.rows * d, standardized),
      batch: core.f32(o.batch * d),
      grads: core.f32(net.paramCount),
      ws: core.f32(this.objective.workspaceFloats(o.batch)),
    };
    this.adam = new Adam(core, net.paramCount, { lr: o.lr });
    // One stream for the whole run (seed + 1: the initial weights used `seed`).
    this.rng = core.rng(o.seed + 1);
    this.lossLog = new Float32Array(Math.max(16, o.steps));
  }

  /** The loss of every step so far. */
  get losses(): Float32Array {
    return this.lossLog.subarray(0, this.step);
  }

  /** True when `model` holds a moving average of {@link params}. */
  get averaging(): boolean {
    return this.params !== this.model.params;
  }

  /**
   * `count` more Adam steps; returns the last loss. A non-finite loss throws {@link TrainingDivergedError}
   * naming the step (the model keeps the parameters of the step before).
   */
  run(count: number, onStep?: (step: number, loss: number) => void): number {
    const { core, model, objective, rng, bufs, options: o } = this;
    const d = model.dim;
    let loss = NaN;
    for (let k = 0; k < count; k++) {
      gatherRandomRows(core, rng, bufs.train, this.rows, d, bufs.batch);
      bufs.grads.view.fill(0);
      loss = objective.lossGrad(this.params, bufs.batch, o.batch, rng, bufs.grads, bufs.ws);
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(this.step + 1, loss);
      this.applyGradient(bufs.grads, loss);
      onStep?.(this.step, loss);
    }
    return loss;
  }

  /**
   * One Adam step with a gradient computed elsewhere (e.g. summed over data-parallel shards), with the
   * clipping, schedule, averaging and bookkeeping of {@link run}.
   */
  applyGradient(grads: F32Buffer, loss: number): void {
    const o = this.options,
      t = this.step,
      record = this.model.training!;
    if (o.clipGrad !== undefined) clipToNorm(grads.view, o.clipGrad);
    this.adam.update(this.params, grads, this.learningRate(t));
    if (this.averaging) {
      const m = averageDecay(o.ema, t);
      scaleAdd(this.core, this.model.params, m, this.params, 1 - m);
    }
    const m = averageDecay(LOSS_AVERAGE, t);
    record.lossAverage = record.lossAverage === undefined ? loss : m * record.lossAverage + (1 - m) * loss;
    if (this.step === this.lossLog.length) {
      const grown = new Float32Array(this.lossLog.length * 2);
      grown.set(this.lossLog);
      this.lossLog = grown;
    }
    this.lossLog[this.step++] = loss;
    record.steps = this.step;
  }

  /** The learning rate of step `step` (0-based) under the schedule. */
  learningRate(step: number): number {
    const o = this.options;
    if (o.lrDecay === 'linear-tail') {
      const start = o.steps / 2;
      return step < start ? o.lr : (o.lr * Math.max(0, o.steps - step)) / (o.steps - start);
    }
    if (o.lrDecay !== 'cosine') return o.lr;
    return (o.lr * (1 + detMath.cos((Math.PI * Math.min(step, o.steps)) / o.steps))) / 2; // see: Loshchilov & Hutter 2017
  }

  /** A copy of what {@link restore} needs to continue this run exactly. */
  state(): TrainerState {
    return {
      step: this.step,
      adamM: this.adam.m.toArray(),
      adamV: this.adam.v.toArray(),
      adamStep: this.adam.step,
      rngCounter: this.rng.counter,
      losses: this.losses.slice(),
      ...(this.averaging ? { averaged: this.model.params.toArray() } : {}),
      ...(this.model.training!.lossAverage !== undefined ? { lossAverage: this.model.training!.lossAverage } : {}),
    };
  }

  /** Continues from a saved state; `params` are the trained weights ({@link params}, e.g. from a checkpoint). */
  restore(state: TrainerState, params: Float32Array): void {
    if (params.length !== this.params.length || state.adamM.length !== params.length || state.adamV.length !== params.length) {
      throw new InputError(`train: saved state has ${params.length} parameters, the model ${this.params.length}`);
    }
    if (this.averaging !== (state.averaged !== undefined) || (state.averaged && state.averaged.length !== params.length))
      throw new InputError(
        `train: saved state ${state.averaged ? 'has' : 'has no'} averaged weights, this run ${this.averaging ? 'keeps' : 'keeps none'}`,
      );
    this.params.set(params);
    if (state.averaged) this.model.params.set(state.averaged);
    if (state.lossAverage !== undefined) this.model.training!.lossAverage = state.lossAverage;
    this.adam.m.set(state.adamM);
    this.adam.v.set(state.adamV);
    this.adam.step = state.adamStep;
    this.rng.counter = state.rngCounter;
    this.step = state.step;
    this.lossLog = new Float32Array(Math.max(this.lossLog.length, state.losses.length * 2));
    this.lossLog.set(state.losses);
    this.model.training!.steps = state.step;
  }

  /** Frees the training buffers and hands over the model (the caller frees it). */
  finish(): TrainResult {
    this.free();
    return { model: this.model, losses: this.losses.slice() };
  }

  /** Frees the training buffers (not the model). */
  free(): void {
    const { bufs } = this;
    for (const b of [bufs.train, bufs.batch, bufs.grads, bufs.ws]) b.free();
    if (this.averaging) this.params.free();
    this.objective.free();
    this.adam.free();
    this.rng.free();
  }
}

/**
 * Trains a score or energy model on `data` [rows, d] with any score-matching objective and Adam, for
 * `steps` steps (see {@link Trainer}). Deterministic for a seed.
 */
export function trainScoreModel(core: Core, data: Points, options: TrainOptions = {}): TrainResult {
  const trainer = new Trainer(core, data, options);
  const o = trainer.options;
  try {
    trainer.run(o.steps, (step, loss) => {
      if (o.onProgress && (step % o.progressEvery === 0 || step === o.steps)) o.onProgress({ step, steps: o.steps, loss });
    });
  } catch (e) {
    trainer.free();
    trainer.model.free();
    throw e;
  }
  return trainer.finish();
}

/** g <- g * min(1, max / |g|), in place. see: Pascanu et al. 2013, gradient norm clipping. */
function clipToNorm(g: Float32Array, max: number): void {
  let sq = 0;
  for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (norm > max) {
    const scale = max / norm;
    for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
}

/** A new buffer holding the values of `b` (allocated first: a growing WASM memory detaches older views). */
function copyOf(core: Core, b: F32Buffer): F32Buffer {
  const copy = core.f32(b.length);
  copy.set(b.view);
  return copy;
}

/** True when the objective leaves out a noise level that {@link resolveObjective} would fill in. */
function needsLevels(loss: ObjectiveRequest): boolean {
  if (loss.name === 'ncsn') return loss.sigmas === undefined;
  if (loss.name === 'dsm') return loss.sigma === undefined;
  if (loss.name === 'continuous') return (loss.sde ?? 've') === 've' && (loss.sigmaMax === undefined || loss.sigmaMin === undefined);
  return false;
}

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`train: ${name} must be an integer >= 1, got ${v}`);
}

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new InputError(`train: ${name} must be a finite number > 0, got ${v}`);
}
