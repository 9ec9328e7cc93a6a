import { decodeSafetensors, type Tensor } from '@scorefield/formats';
import { fail } from './errors.js';
import { MNIST_SIZE } from './mnist.js';
import { readPackageFile } from '#package-file';
import * as detMath from '@scorefield/core-math/det-math';

/** The shipped weights, relative to the package root (`@scorefield/datasets/assets/mnist-classifier.safetensors`). */
export const MNIST_CLASSIFIER_FILE = 'assets/mnist-classifier.safetensors';

/** A row-major matrix of `rows` x `cols` values (the shape every `@scorefield/metrics` function takes). */
export interface Rows {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** What {@link MnistClassifier.run} returns for n images. */
export interface ClassifierOutput {
  /**
   * The feature map of the image metrics, `[n, featureDim]`: the penultimate layer h = silu(fc1(...)) divided
   * by its root-mean-square over the train digits (`feature_scale`, stored with the weights), so the coordinates are
   * of order 1, as the KID kernel (a . b / d + 1)^3 expects.
   */
  features: Rows;
  /** softmax(fc2(h)): `[n, classes]`, each row sums to 1. */
  probabilities: Rows;
}

/** The fixed MNIST classifier (a small convolutional net), read from its safetensors file. */
export interface MnistClassifier {
  /** Width of the feature layer (128). */
  featureDim: number;
  /** Number of classes (10). */
  classes: number;
  /** The file's metadata: architecture, training recipe, `test_accuracy`, `test_accuracy_14`, data hashes. */
  metadata: Record<string, string>;
  /** The root-mean-square of the penultimate layer over the train digits; features are the layer divided by it. */
  featureScale: number;
  /**
   * Features and class probabilities of `images` (`cols` 784 for 28x28 or 196 for 14x14, pixels in [0, 1] as
   * loaded; values outside are used as they are). 14x14 images are upsampled to 28x28 by repeating each pixel
   * 2x2, which is how the classifier saw them in training. Plain float64 TypeScript, deterministic: the same
   * bits for an image alone or in any batch.
   * @throws {DatasetError} for another image size, a shape that does not add up, or a non-finite pixel
   */
  run(images: { data: ArrayLike<number>; rows: number; cols: number }): ClassifierOutput;
}

/** Loads the shipped classifier (Node: fs; browser: fetch; or decode fetched bytes with {@link decodeMnistClassifier}). */
export async function loadMnistClassifier(): Promise<MnistClassifier> {
  return decodeMnistClassifier(await readPackageFile(MNIST_CLASSIFIER_FILE));
}

/** A 3x3 convolution with padding 1: weights `[outputs, inputs, 3, 3]` (PyTorch's layout). */
interface Conv {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** One dense layer, weights input-major (`w[k * outputs + j]`) so the forward pass streams rows. */
interface Dense {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** The network: conv1, conv2 (each followed by silu and 2x2 max pooling), fc1 (silu: the features), fc2 (logits). */
interface Net {
  conv1: Conv;
  conv2: Conv;
  fc1: Dense;
  fc2: Dense;
  featureScale: number;
}

const SOURCE = 'mnist-classifier.safetensors';

/**
 * Builds the classifier from the bytes of its safetensors file: `conv{1,2}.{weight,bias}` (`[out, in, 3, 3]`),
 * `fc{1,2}.{weight,bias}` (`[out, in]`), float32, and `feature_scale`, one positive number.
 * @throws {DatasetError} when a tensor is missing or the shapes do not chain from a 28x28 image
 */
export function decodeMnistClassifier(bytes: Uint8Array): MnistClassifier {
  const { tensors, metadata } = decodeSafetensors(bytes, { source: SOURCE });
  const pair = (name: string): [Tensor, Tensor] => {
    const weight = tensors[`${name}.weight`];
    const bias = tensors[`${name}.bias`];
    if (!weight || !bias) fail(SOURCE, `missing tensor ${name}.${weight ? 'bias' : 'weight'}`);
    return [weight, bias];
  };
  const conv = (name: string, inputs: number): Conv => {
    const [weight, bias] = pair(name);
    const [outputs, given, kh, kw] = weight.shape;
    if (weight.shape.length !== 4 || given !== inputs || kh !== 3 || kw !== 3 || bias.shape.join() !== String(outputs)) {
      fail(SOURCE, `${name} has weight ${shape(weight)} and bias ${shape(bias)}, expected [outputs, ${inputs}, 3, 3] and [outputs]`);
    }
    return { inputs, outputs, w: Float64Array.from(weight.data), b: Float64Array.from(bias.data) };
  };
  const dense = (name: string, inputs: number): Dense => {
    const [weight, bias] = pair(name);
    const [outputs, given] = weight.shape;
    if (weight.shape.length !== 2 || given !== inputs || bias.shape.join() !== String(outputs)) {
      fail(SOURCE, `${name} has weight ${shape(weight)} and bias ${shape(bias)}, expected [outputs, ${inputs}] and [outputs]`);
    }
    return { inputs, outputs, w: transpose(weight.data, outputs, inputs), b: Float64Array.from(bias.data) };
  };
  const conv1 = conv('conv1', 1);
  const conv2 = conv('conv2', conv1.outputs);
  const pooled = (MNIST_SIZE / 4) ** 2; // two 2x2 poolings: 28 -> 14 -> 7
  const fc1 = dense('fc1', conv2.outputs * pooled);
  const fc2 = dense('fc2', fc1.outputs);
  const scale = tensors.feature_scale;
  if (scale?.data.length !== 1 || !(scale.data[0] > 0 && Number.isFinite(scale.data[0]))) {
    fail(SOURCE, 'missing tensor feature_scale (one positive number)');
  }
  const net: Net = { conv1, conv2, fc1, fc2, featureScale: scale.data[0] };
  return {
    featureDim: fc1.outputs,
    classes: fc2.outputs,
    metadata,
    featureScale: net.featureScale,
    run: (images) => run(images, net),
  };
}

function shape(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** `[out, in]` (PyTorch) to `[in, out]`, in float64. */
function transpose(w: Float32Array | Float64Array, outputs: number, inputs: number): Float64Array {
  const t = new Float64Array(w.length);
  for (let j = 0; j < outputs; j++) for (let k = 0; k < inputs; k++) t[k * outputs + j] = w[j * inputs + k];
  return t;
}

function run(images: { data: ArrayLike<number>; rows: number; cols: number }, net: Net): ClassifierOutput {
  const fn = 'mnistClassifier';
  const { data, rows, cols } = images;
  const pixels = MNIST_SIZE * MNIST_SIZE;
  if (!Number.isSafeInteger(rows) || rows < 0) fail(fn, `rows must be a whole number, got ${String(rows)}`);
  if (cols !== pixels && cols * 4 !== pixels) fail(fn, `images have ${cols} pixels, expected 784 (28x28) or 196 (14x14)`);
  if (data?.length !== rows * cols) fail(fn, `${data?.length} pixel values do not make ${rows} images of ${cols}`);
  const { conv1, conv2, fc1, fc2, featureScale } = net;
  const half = MNIST_SIZE / 2;
  const quarter = MNIST_SIZE / 4;
  const features = new Float64Array(rows * fc1.outputs);
  const probabilities = new Float64Array(rows * fc2.outputs);
  // conv inputs are kept zero-padded by one pixel (the borders are never written), so the kernels need no bounds
  const x = new Float64Array((MNIST_SIZE + 2) ** 2);
  const a1 = new Float64Array(conv1.outputs * pixels);
  const p1 = new Float64Array(conv1.outputs * (half + 2) ** 2);
  const a2 = new Float64Array(conv2.outputs * half * half);
  const p2 = new Float64Array(conv2.outputs * quarter * quarter);
  const h = new Float64Array(fc1.outputs);
  for (let r = 0; r < rows; r++) {
    readImage(data, r, cols, x, fn);
    conv3x3(conv1, x, MNIST_SIZE, a1);
    silu(a1);
    maxPool2(a1, conv1.outputs, MNIST_SIZE, p1, 1);
    conv3x3(conv2, p1, half, a2);
    silu(a2);
    maxPool2(a2, conv2.outputs, half, p2, 0);
    dense(fc1, p2, h);
    silu(h);
    for (let j = 0; j < h.length; j++) features[r * h.length + j] = h[j] / featureScale;
    const p = probabilities.subarray(r * fc2.outputs, (r + 1) * fc2.outputs);
    dense(fc2, h, p);
    softmax(p);
  }
  return { features: { data: features, rows, cols: fc1.outputs }, probabilities: { data: probabilities, rows, cols: fc2.outputs } };
}

/** Image `r` into the interior of `x` (28x28 padded to 30x30), repeating each pixel of a 14x14 image 2x2. */
function readImage(data: ArrayLike<number>, r: number, cols: number, x: Float64Array, fn: string): void {
  const side = Math.round(Math.sqrt(cols));
  const factor = MNIST_SIZE / side;
  const stride = MNIST_SIZE + 2;
  for (let y = 0; y < MNIST_SIZE; y++) {
    for (let c = 0; c < MNIST_SIZE; c++) {
      const v = data[r * cols + Math.floor(y / factor) * side + Math.floor(c / factor)];
      if (!Number.isFinite(v)) fail(fn, `image ${r} has a non-finite pixel ${v}`);
      x[(y + 1) * stride + c + 1] = v;
    }
  }
}

/**
 * out[o] = b[o] + sum_i w[o, i] * x[i], 3x3 kernels (cross-correlation, as PyTorch) with zero padding 1: `x` holds
 * the input planes already padded, (size + 2)^2 each; `out` gets size^2 per output channel.
 */
function conv3x3(layer: Conv, x: Float64Array, size: number, out: Float64Array): void {
  const { inputs, outputs, w, b } = layer;
  const ps = size + 2;
  const padded = ps * ps;
  for (let o = 0; o < outputs; o++) {
    for (let y = 0; y < size; y++) {
      for (let c = 0; c < size; c++) {
        let acc = b[o];
        for (let i = 0; i < inputs; i++) {
          const k = (o * inputs + i) * 9;
          const t = i * padded + y * ps + c; // top-left tap
          const m = t + ps;
          const d = m + ps;
          acc +=
            w[k] * x[t] +
            w[k + 1] * x[t + 1] +
            w[k + 2] * x[t + 2] +
            w[k + 3] * x[m] +
            w[k + 4] * x[m + 1] +
            w[k + 5] * x[m + 2] +
            w[k + 6] * x[d] +
            w[k + 7] * x[d + 1] +
            w[k + 8] * x[d + 2];
        }
        out[(o * size + y) * size + c] = acc;
      }
    }
  }
}

/** 2x2 max pooling with stride 2 of `channels` planes of `size` x `size`, into planes padded by `pad` pixels. */
function maxPool2(x: Float64Array, channels: number, size: number, out: Float64Array, pad: number): void {
  const half = size / 2;
  const stride = half + 2 * pad;
  for (let ch = 0; ch < channels; ch++) {
    for (let y = 0; y < half; y++) {
      for (let c = 0; c < half; c++) {
        const i = ch * size * size + 2 * y * size + 2 * c;
        out[(ch * stride + y + pad) * stride + c + pad] = Math.max(x[i], x[i + 1], x[i + size], x[i + size + 1]);
      }
    }
  }
}

/** out = x W + b. Skips zero inputs. */
function dense(layer: Dense, x: Float64Array, out: Float64Array): void {
  const { inputs, outputs, w, b } = layer;
  out.set(b);
  for (let k = 0; k < inputs; k++) {
    const v = x[k];
    if (v === 0) continue;
    const row = k * outputs;
    for (let j = 0; j < outputs; j++) out[j] += v * w[row + j];
  }
}

/** silu(a) = a sigmoid(a) (Elfwing et al. 2018), in place. */
function silu(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i] / (1 + detMath.exp(-a[i]));
}

/** Numerically stable softmax, in place. */
function softmax(z: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = detMath.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) z[i] /= sum;
}
