/**
 * Activations (and the sigmoid / exp / tanh they need) with gradients that are correct to ANY order.
 *
 * tfjs's own gradients for `sigmoid`, `tanh` and `exp` reuse the saved OUTPUT of the forward kernel
 * (dy * y * (1 - y) and so on). The output is saved as a clone that is not connected to the input on
 * the tape, so a gradient of that gradient misses the dependence through y: second and higher
 * derivatives come out wrong, sometimes silently. `elu`'s gradient calls the `EluGrad` kernel, which has
 * no gradient of its own, so the second derivative throws.
 *
 * Each function here is a `tf.customGrad` that saves its INPUT `a` (through `save`, which records the
 * clone on the tape, never through a closure) and recomputes the derivative from `a` with the wrapped
 * functions again. A derivative of order n + 1 is then the customGrad of the expression for order n,
 * so `tf.grad(tf.grad(tf.grad(phi)))` is exact (up to float32 rounding) for every activation.
 * Masks use `tf.step`, whose (zero) gradient is registered; comparison kernels such as `lessEqual`
 * have no gradient and would make a higher-order backward pass throw.
 */
import type { Activation as CoreActivation } from '@scorefield/core-math';
import { tf } from './tf.js';

/** The activations of the WASM core (one list: core-math's). */
export type Activation = CoreActivation;

export const ACTIVATIONS: readonly Activation[] = ['silu', 'softplus', 'tanh', 'elu'];

type Unary = (a: tf.Tensor) => tf.Tensor;

/**
 * Wraps `forward` (any tfjs op, no gradient needed) as a unary op whose gradient is
 * dy * derivative(a), with `derivative` built from differentiable (wrapped) ops.
 */
function wrapUnary(forward: Unary, derivative: Unary): Unary {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const a = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([a]);
    return {
      value: forward(a),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, derivative(saved[0]!)),
    };
  });
  return (a) => op(a);
}

/** sigmoid(a) = 1 / (1 + exp(-a)); sigmoid' = sigmoid (1 - sigmoid). */
export const sigmoid: Unary = wrapUnary(
  (a) => tf.sigmoid(a),
  (a) => {
    const s = sigmoid(a);
    return tf.mul(s, tf.sub(1, s));
  },
);

/** exp(a); exp' = exp. */
export const exp: Unary = wrapUnary(
  (a) => tf.exp(a),
  (a) => exp(a),
);

/** tanh(a); tanh' = 1 - tanh^2. */
export const tanh: Unary = wrapUnary(
  (a) => tf.tanh(a),
  (a) => tf.sub(1, tf.square(tanh(a))),
);

/** softplus(a) = log(1 + exp(a)); softplus' = sigmoid. */
export const softplus: Unary = wrapUnary(
  (a) => tf.softplus(a),
  (a) => sigmoid(a),
);

/** silu(a) = a sigmoid(a); silu' = s (1 + a (1 - s)), s = sigmoid(a). */
export const silu: Unary = wrapUnary(
  (a) => tf.mul(a, tf.sigmoid(a)),
  (a) => {
    const s = sigmoid(a);
    return tf.mul(s, tf.add(1, tf.mul(a, tf.sub(1, s))));
  },
);

/**
 * elu(a) = a for a > 0, exp(a) - 1 otherwise (alpha = 1); elu'(a) = exp(min(a, 0)), written as
 * exp(a (1 - step(a))) so every higher derivative is exp(a) for a <= 0 and 0 for a > 0.
 */
export const elu: Unary = wrapUnary(
  (a) => tf.elu(a),
  (a) => exp(tf.mul(a, tf.sub(1, tf.step(a)))),
);

const BY_NAME: Record<Activation, Unary> = { silu, softplus, tanh, elu };

/** The activation function phi for a name; throws on an unknown name. */
export function activation(name: Activation): Unary {
  const f = BY_NAME[name];
  if (f === undefined)
    throw new Error(`@scorefield/tfjs: unknown activation '${String(name)}' (expected one of ${ACTIVATIONS.join(', ')})`);
  return f;
}
