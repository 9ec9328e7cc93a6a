import { InputError, MlpLayout, type Activation, type Core, type F32Buffer } from '@scorefield/core-math';
import { identityNormalization, normalize, type Normalization } from './normalization.js';
import { checkPoints, type Points } from './points.js';

/** Architecture of a score network s: R^d -> R^d. */
export interface ScoreNetConfig {
  /** Data dimension d. */
  dim: number;
  /** Hidden layer widths, e.g. [128, 128, 128]. */
  hidden: number[];
  activation: Activation;
}

/** What produced a model (stored in the file so it is self-describing). */
export interface TrainingRecord {
  loss: { name: 'dsm'; sigma: number };
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  data?: string;
}

/** A score network with its parameters in WASM memory and the normalisation of its data. */
export class ScoreModel {
  readonly layout: MlpLayout;
  readonly params: F32Buffer;

  constructor(readonly core: Core, readonly config: ScoreNetConfig, readonly normalization: Normalization = identityNormalization(config.dim),
    public training?: TrainingRecord) {
    if (!Number.isInteger(config.dim) || config.dim < 1) throw new InputError(`model: dimension must be an integer >= 1, got ${config.dim}`);
    if (normalization.mean.length !== config.dim || normalization.std.length !== config.dim) {
      throw new InputError(`model: normalisation has ${normalization.mean.length} coordinates, the network ${config.dim}`);
    }
    this.layout = new MlpLayout(core, [config.dim, ...config.hidden, config.dim], config.activation);
    this.params = core.f32(this.layout.paramCount);
  }

  /** A new model with PyTorch-default initial weights drawn from `seed`. */
  static create(core: Core, config: ScoreNetConfig, normalization: Normalization, seed: number): ScoreModel {
    const model = new ScoreModel(core, config, normalization);
    const rng = core.rng(seed);
    model.layout.initParams(rng, model.params);
    rng.free();
    return model;
  }

  get dim(): number {
    return this.config.dim;
  }

  /** The score s(x) = grad_x log p(x) in data units at points x [n, d]. */
  score(points: Points): Float32Array {
    checkPoints(points, 'score');
    if (points.cols !== this.dim) throw new InputError(`score: points have dimension ${points.cols}, the model ${this.dim}`);
    const { core, layout } = this;
    const n = points.rows, d = this.dim;
    const chunk = Math.min(n, 1024);
    const x = core.f32(chunk * d), out = core.f32(chunk * d), ws = core.f32(layout.workspaceFloats(chunk));
    const y = normalize(this.normalization, points.data);
    const result = new Float32Array(n * d);
    for (let i0 = 0; i0 < n; i0 += chunk) {
      const nb = Math.min(chunk, n - i0);
      const xs = x.subarray(0, nb * d), outs = out.subarray(0, nb * d);
      xs.set(y.subarray(i0 * d, (i0 + nb) * d));
      layout.forward(this.params, xs, outs, nb, ws);
      result.set(outs.view, i0 * d);
    }
    // s_x = s_y / std (chain rule through y = (x - mean) / std)
    for (let i = 0; i < result.length; i++) result[i] /= this.normalization.std[i % d];
    x.free(); out.free(); ws.free();
    return result;
  }

  free(): void {
    this.params.free();
    this.layout.free();
  }
}
