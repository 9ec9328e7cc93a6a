import { Adam, BoundObjective, gatherRandomRows, InputError, type Activation, type Conditioning, type Core, type ModelKind,
  type ObjectiveSpec } from '@scorefield/core-math';
import { fitNormalization, normalize } from './normalization.js';
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
  /** Number of Adam steps (default 3000). */
  steps?: number;
  /** Points per step, drawn with replacement (default 128). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
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
  constructor(readonly step: number, readonly loss: number) {
    super(`training diverged: loss is ${loss} at step ${step}; try a smaller --lr (or a larger noise level)`);
  }
}

/** Result of {@link trainScoreModel}: the model and the loss of every step. */
export interface TrainResult {
  model: ScoreModel;
  losses: Float32Array;
}

/**
 * Trains a score or energy model on `data` [rows, d] with any score-matching objective and Adam.
 * Data are standardised first (the normalisation is stored in the model). Deterministic for a seed.
 * see: core-math's objectives; Kingma & Ba 2015 (Adam).
 */
export function trainScoreModel(core: Core, data: Points, options: TrainOptions = {}): TrainResult {
  const o = { ...trainDefaults, ...options };
  checkPoints(data, 'data');
  checkPositiveInt('steps', o.steps);
  checkPositiveInt('batch', o.batch);
  checkPositive('lr', o.lr);
  if (!(Number.isSafeInteger(o.seed) && o.seed >= 0)) throw new InputError(`train: seed must be a non-negative integer, got ${o.seed}`);
  o.hidden.forEach((h) => checkPositiveInt('hidden width', h));

  const d = data.cols;
  const conditioning = o.conditioning ?? (o.loss.name === 'ncsn' || o.loss.name === 'continuous' ? 'both' : 'none');
  const normalization = fitNormalization(data);
  const model = ScoreModel.create(core, { dim: d, hidden: o.hidden, activation: o.activation, kind: o.kind, conditioning }, normalization, o.seed);
  let objective: BoundObjective;
  try {
    objective = new BoundObjective(core, o.loss, model.spec, model.layout);
  } catch (e) {
    model.free();
    throw e;
  }
  model.training = { loss: o.loss, seed: o.seed, steps: o.steps, batch: o.batch, lr: o.lr, data: o.dataName };
  const net = model.layout;
  const train = core.f32(data.rows * d, normalize(normalization, data.data));
  const batch = core.f32(o.batch * d);
  const grads = core.f32(net.paramCount);
  const ws = core.f32(objective.workspaceFloats(o.batch));
  const adam = new Adam(core, net.paramCount, { lr: o.lr });
  // One stream for the whole run (seed + 1: the initial weights used `seed`).
  const rng = core.rng(o.seed + 1);
  const losses = new Float32Array(o.steps);
  try {
    for (let step = 1; step <= o.steps; step++) {
      gatherRandomRows(core, rng, train, data.rows, d, batch);
      grads.view.fill(0);
      const loss = objective.lossGrad(model.params, batch, o.batch, rng, grads, ws);
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(step, loss);
      adam.update(model.params, grads);
      losses[step - 1] = loss;
      if (o.onProgress && (step % o.progressEvery === 0 || step === o.steps)) o.onProgress({ step, steps: o.steps, loss });
    }
  } catch (e) {
    model.free();
    throw e;
  } finally {
    for (const b of [train, batch, grads, ws]) b.free();
    objective.free();
    adam.free();
    rng.free();
  }
  return { model, losses };
}

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`train: ${name} must be an integer >= 1, got ${v}`);
}

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new InputError(`train: ${name} must be a finite number > 0, got ${v}`);
}
