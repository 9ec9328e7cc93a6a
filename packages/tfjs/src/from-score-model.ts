/**
 * A trained scorefield model (a `ScoreModel` of @scorefield/models, weights in WASM memory) as tfjs functions
 * of tensors, in data units: the standardisation the network was trained in and its noise conditioning are
 * applied here, so `score(x)` equals `model.score(x)` (up to float32 rounding), on any tfjs backend.
 */
import type { ScoreModel } from '@scorefield/models';
import { tf, ensureReady } from './tf.js';
import { energy, score, type NetSpec, type SigmaLike } from './model.js';

/** What {@link fromScoreModel} returns. Its tensors belong to it: call {@link dispose} when done. */
export interface TensorScoreModel {
  /** The network: the model's kind and conditioning, its widths and activation. */
  readonly spec: NetSpec;
  /** The parameters, flat, in the layout of the WASM core (and of this package). */
  readonly params: tf.Tensor1D;
  /** Per-coordinate standardisation y = (x - mean) / std that the network works in. */
  readonly mean: tf.Tensor1D;
  readonly std: tf.Tensor1D;
  /** The noise level (standardised units) used when none is given: the model's `defaultSigma`. */
  readonly sigma: number;
  /** s(x) = grad_x log p(x) in data units, [n, d] -> [n, d]; sigma in standardised units. Differentiable in x. */
  score(x: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor2D;
  /** E(x) of an energy model (p proportional to exp(-E)), the energy of the standardised data as `model.energy`: [n, d] -> [n]. */
  energy(x: tf.Tensor2D, sigma?: SigmaLike): tf.Tensor1D;
  /** Frees the tensors above. */
  dispose(): void;
}

/** Copies a model's weights into tensors and returns its score (and energy) as tensor functions in data units. */
export function fromScoreModel(model: ScoreModel): TensorScoreModel {
  ensureReady();
  const { gaussian, fourier, ...rest } = model.spec;
  const spec: NetSpec = {
    ...rest,
    ...(gaussian && { gaussian: gaussian.spec }),
    ...(fourier && { fourier: fourier.spec }),
    dims: [...model.layout.dims],
    activation: model.config.activation,
  };
  const params = tf.tensor1d(model.params.toArray(), 'float32');
  const mean = tf.tensor1d(model.normalization.mean, 'float32');
  const std = tf.tensor1d(model.normalization.std, 'float32');
  const standardize = (x: tf.Tensor2D) => tf.div(tf.sub(x, mean), std) as tf.Tensor2D;
  return {
    spec,
    params,
    mean,
    std,
    sigma: model.defaultSigma,
    // s_x(x) = s_y(y) / std by the chain rule through y = (x - mean) / std.
    score: (x, sigma = model.defaultSigma) => tf.tidy(() => tf.div(score(spec, params, standardize(x), sigma), std) as tf.Tensor2D),
    energy: (x, sigma = model.defaultSigma) => tf.tidy(() => energy(spec, params, standardize(x), sigma)),
    dispose: () => tf.dispose([params, mean, std]),
  };
}
