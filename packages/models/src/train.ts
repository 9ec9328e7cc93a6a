import { Adam, dsmLossGrad, gatherRandomRows, InputError, type Activation, type Core } from '@scorefield/core-math';
import { fitNormalization, normalize } from './normalization.js';
import { ScoreModel } from './model.js';
import { checkPoints, type Points } from './points.js';

/** Options of {@link trainScoreModel}; sigma is in standardised data units. */
export interface TrainOptions {
  hidden?: number[];
  activation?: Activation;
  /** Number of Adam steps (default 3000). */
  steps?: number;
  /** Points per step, drawn with replacement (default 128). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** DSM noise level in standardised units (default 0.1). */
  sigma?: number;
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
  sigma: 0.1,
  seed: 0,
  progressEvery: 100,
};

/** Training stopped because the loss stopped being a finite number. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  constructor(readonly step: number, readonly loss: number) {
    super(`training diverged: loss is ${loss} at step ${step}; try a smaller --lr or a larger --sigma`);
  }
}

/** Result of {@link trainScoreModel}: the model and the loss of every step. */
export interface TrainResult {
  model: ScoreModel;
  losses: Float32Array;
}

/**
 * Trains a score network on `data` [rows, d] with single-level denoising score matching and Adam.
 * Data are standardised first (the normalisation is stored in the model). Deterministic for a seed.
 * see: Vincent 2011 (DSM); Kingma & Ba 2015 (Adam).
 */
export function trainScoreModel(core: Core, data: Points, options: TrainOptions = {}): TrainResult {
  const o = { ...trainDefaults, ...options };
  checkPoints(data, 'data');
  checkPositiveInt('steps', o.steps);
  checkPositiveInt('batch', o.batch);
  checkPositive('lr', o.lr);
  checkPositive('sigma', o.sigma);
  if (!(Number.isSafeInteger(o.seed) && o.seed >= 0)) throw new InputError(`train: seed must be a non-negative integer, got ${o.seed}`);
  o.hidden.forEach((h) => checkPositiveInt('hidden width', h));

  const d = data.cols;
  const normalization = fitNormalization(data);
  const model = ScoreModel.create(core, { dim: d, hidden: o.hidden, activation: o.activation }, normalization, o.seed);
  model.training = { loss: { name: 'dsm', sigma: o.sigma }, seed: o.seed, steps: o.steps, batch: o.batch, lr: o.lr, data: o.dataName };
  const net = model.layout;
  const train = core.f32(data.rows * d, normalize(normalization, data.data));
  const batch = core.f32(o.batch * d);
  const grads = core.f32(net.paramCount);
  const bufs = { noisy: core.f32(o.batch * d), score: core.f32(o.batch * d), gscore: core.f32(o.batch * d), ws: core.f32(net.workspaceFloats(o.batch)) };
  const adam = new Adam(core, net.paramCount, { lr: o.lr });
  // One stream for the whole run (seed + 1: the initial weights used `seed`).
  const rng = core.rng(o.seed + 1);
  const losses = new Float32Array(o.steps);
  try {
    for (let step = 1; step <= o.steps; step++) {
      gatherRandomRows(core, rng, train, data.rows, d, batch);
      grads.view.fill(0);
      const loss = dsmLossGrad(core, net, model.params, batch, o.batch, o.sigma, rng, grads, bufs);
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(step, loss);
      adam.update(model.params, grads);
      losses[step - 1] = loss;
      if (o.onProgress && (step % o.progressEvery === 0 || step === o.steps)) o.onProgress({ step, steps: o.steps, loss });
    }
  } catch (e) {
    model.free();
    throw e;
  } finally {
    for (const b of [train, batch, grads, bufs.noisy, bufs.score, bufs.gscore, bufs.ws]) b.free();
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
