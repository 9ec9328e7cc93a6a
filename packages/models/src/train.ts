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
} from '@scorefield/core-math';
import { fitNormalization, identityNormalization, normalize } from './normalization.js';
import { ScoreModel } from './model.js';
import { checkPoints, type Points } from './points.js';

/** Options of {@link trainScoreModel}; noise levels are in standardised data units. */
export interface TrainOptions {
  hidden?: number[];
  activation?: Activation;
  /** The objective and its options (default: dsm, sigma 0.1). */
  loss?: ObjectiveSpec;
  /** Parametrization: a score network or an energy network, s = -grad E (default 'score'). */
  kind?: ModelKind;
  /** Noise conditioning (default: 'both' for ncsn and continuous, 'none' otherwise). */
  conditioning?: Conditioning;
  /** Standardise each coordinate before training (default true); noise levels are then in standardised units. */
  standardize?: boolean;
  /** Number of Adam steps (default 3000). */
  steps?: number;
  /** Points per step, drawn with replacement (default 128). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Learning-rate schedule over `steps`: constant (default) or a cosine decay to 0. */
  lrDecay?: 'none' | 'cosine';
  /** Rescale the gradient to this Euclidean norm when it is larger (default: no clipping). */
  clipGrad?: number;
  seed?: number;
  /** Name of the data, recorded in the model. */
  dataName?: string;
  /** Called every `progressEvery` steps and after the last one. */
  onProgress?: (p: { step: number; steps: number; loss: number }) => void;
  progressEvery?: number;
}

/** Defaults of {@link TrainOptions}. */
export const trainDefaults = {
  hidden: [128, 128, 128],
  activation: 'silu' as Activation,
  steps: 3000,
  batch: 128,
  lr: 1e-3,
  loss: { name: 'dsm', sigma: 0.1 } as ObjectiveSpec,
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

/** What a run needs to continue bit for bit: Adam's moments and step, and the stream position. */
export interface TrainerState {
  step: number;
  adamM: Float32Array;
  adamV: Float32Array;
  adamStep: number;
  rngCounter: bigint;
  losses: Float32Array;
}

/**
 * A training run that advances in pieces ({@link run}) so callers can pause, draw, checkpoint and resume;
 * the same seed gives the same bits however the steps are split. Data are standardised first (unless
 * `standardize: false`); the normalisation is stored in the model.
 * see: core-math's objectives; Kingma & Ba 2015 (Adam).
 */
export class Trainer {
  readonly model: ScoreModel;
  readonly options: typeof trainDefaults & TrainOptions;
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
    const o = { ...trainDefaults, ...options };
    this.options = o;
    data = checkPoints(data, 'data'); // a copy: the allocations below may detach the caller's view
    checkPositiveInt('steps', o.steps);
    checkPositiveInt('batch', o.batch);
    checkPositive('lr', o.lr);
    if (!(Number.isSafeInteger(o.seed) && o.seed >= 0)) throw new InputError(`train: seed must be a non-negative integer, got ${o.seed}`);
    o.hidden.forEach((h) => checkPositiveInt('hidden width', h));
    if (o.clipGrad !== undefined) checkPositive('clip-grad norm', o.clipGrad);
    if (o.lrDecay !== undefined && o.lrDecay !== 'none' && o.lrDecay !== 'cosine')
      throw new InputError(`train: unknown lr decay '${o.lrDecay}'; valid: none, cosine`);
    const d = data.cols;
    const conditioning = o.conditioning ?? (o.loss.name === 'ncsn' || o.loss.name === 'continuous' ? 'both' : 'none');
    const normalization = o.standardize === false ? identityNormalization(d) : fitNormalization(data);
    this.model = ScoreModel.create(
      core,
      { dim: d, hidden: o.hidden, activation: o.activation, kind: o.kind, conditioning },
      normalization,
      o.seed,
    );
    try {
      this.objective = new BoundObjective(core, o.loss, this.model.spec, this.model.layout);
    } catch (e) {
      this.model.free();
      throw e;
    }
    this.model.training = {
      loss: o.loss,
      seed: o.seed,
      steps: 0,
      batch: o.batch,
      lr: o.lr,
      data: o.dataName,
      ...(o.lrDecay === 'cosine' ? { lrDecay: 'cosine' as const } : {}),
    };
    const net = this.model.layout;
    this.rows = data.rows;
    this.bufs = {
      train: core.f32(data.rows * d, normalize(normalization, data.data)),
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
      loss = objective.lossGrad(model.params, bufs.batch, o.batch, rng, bufs.grads, bufs.ws);
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(this.step + 1, loss);
      this.applyGradient(bufs.grads, loss);
      onStep?.(this.step, loss);
    }
    return loss;
  }

  /**
   * One Adam step with a gradient computed elsewhere (e.g. summed over data-parallel shards), with the
   * clipping, schedule and bookkeeping of {@link run}.
   */
  applyGradient(grads: F32Buffer, loss: number): void {
    const o = this.options;
    if (o.clipGrad !== undefined) clipToNorm(grads.view, o.clipGrad);
    this.adam.update(this.model.params, grads, this.learningRate(this.step));
    if (this.step === this.lossLog.length) {
      const grown = new Float32Array(this.lossLog.length * 2);
      grown.set(this.lossLog);
      this.lossLog = grown;
    }
    this.lossLog[this.step++] = loss;
    this.model.training!.steps = this.step;
  }

  /** The learning rate of step `step` (0-based) under the schedule. */
  learningRate(step: number): number {
    const o = this.options;
    if (o.lrDecay !== 'cosine') return o.lr;
    return (o.lr * (1 + Math.cos((Math.PI * Math.min(step, o.steps)) / o.steps))) / 2; // see: Loshchilov & Hutter 2017
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
    };
  }

  /** Continues from a saved state (the model's parameters are restored separately, e.g. from its file). */
  restore(state: TrainerState, params: Float32Array): void {
    if (params.length !== this.model.params.length || state.adamM.length !== params.length || state.adamV.length !== params.length) {
      throw new InputError(`train: saved state has ${params.length} parameters, the model ${this.model.params.length}`);
    }
    this.model.params.set(params);
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

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`train: ${name} must be an integer >= 1, got ${v}`);
}

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new InputError(`train: ${name} must be a finite number > 0, got ${v}`);
}
