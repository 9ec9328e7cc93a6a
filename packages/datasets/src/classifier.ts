import { decodeSafetensors, type Tensor } from '@scorefield/formats';
import { fail } from './errors.js';
import { MNIST_SIZE } from './mnist.js';
import { readPackageFile } from './package-file.js';

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
  /** The penultimate layer, silu(fc2(silu(fc1(x)))): `[n, featureDim]`, the feature map of the image metrics. */
  features: Rows;
  /** softmax(fc3(features)): `[n, classes]`, each row sums to 1. */
  probabilities: Rows;
}

/** The fixed MNIST classifier (an MLP 784-256-128-10 with silu), read from its safetensors file. */
export interface MnistClassifier {
  /** Width of the feature layer (128). */
  featureDim: number;
  /** Number of classes (10). */
  classes: number;
  /** The file's metadata: architecture, training recipe, `test_accuracy`, `test_accuracy_14`, data hashes. */
  metadata: Record<string, string>;
  /**
   * Features and class probabilities of `images` (`cols` 784 for 28x28 or 196 for 14x14, pixels in [0, 1] as
   * loaded; values outside are used as they are). 14x14 images are upsampled to 28x28 by repeating each pixel
   * 2x2, which is how the classifier saw them in training. Plain float64 TypeScript, deterministic: the same
   * bits in Node and in browsers, whatever the batch.
   * @throws {DatasetError} for another image size, a shape that does not add up, or a non-finite pixel
   */
  run(images: { data: ArrayLike<number>; rows: number; cols: number }): ClassifierOutput;
}

/** Loads the shipped classifier (Node: fs; browser: fetch; or decode fetched bytes with {@link decodeMnistClassifier}). */
export async function loadMnistClassifier(): Promise<MnistClassifier> {
  return decodeMnistClassifier(await readPackageFile(MNIST_CLASSIFIER_FILE));
}

/** One dense layer, weights input-major (`w[k * outputs + j]`) so the forward pass streams rows. */
interface Dense {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/**
 * Builds the classifier from the bytes of its safetensors file (tensors `fc{1,2,3}.{weight,bias}`, PyTorch's
 * `[out, in]` layout, float32).
 * @throws {DatasetError} when a tensor is missing or the shapes do not chain from 784 inputs
 */
export function decodeMnistClassifier(bytes: Uint8Array): MnistClassifier {
  const source = 'mnist-classifier.safetensors';
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  let inputs = MNIST_SIZE * MNIST_SIZE;
  const layers = ['fc1', 'fc2', 'fc3'].map((name): Dense => {
    const weight = tensors[`${name}.weight`];
    const bias = tensors[`${name}.bias`];
    if (!weight || !bias) fail(source, `missing tensor ${name}.${weight ? 'bias' : 'weight'}`);
    const [outputs, given] = weight.shape;
    if (weight.shape.length !== 2 || given !== inputs || bias.shape.length !== 1 || bias.shape[0] !== outputs) {
      fail(source, `${name} has weight ${shape(weight)} and bias ${shape(bias)}, expected [outputs, ${inputs}] and [outputs]`);
    }
    const layer = { inputs, outputs, w: transpose(weight.data, outputs, inputs), b: Float64Array.from(bias.data) };
    inputs = outputs;
    return layer;
  });
  const [fc1, fc2, fc3] = layers;
  return {
    featureDim: fc2.outputs,
    classes: fc3.outputs,
    metadata,
    run: (images) => run(images, fc1, fc2, fc3),
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

function run(images: { data: ArrayLike<number>; rows: number; cols: number }, fc1: Dense, fc2: Dense, fc3: Dense): ClassifierOutput {
  const fn = 'mnistClassifier';
  const { data, rows, cols } = images;
  if (!Number.isSafeInteger(rows) || rows < 0) fail(fn, `rows must be a whole number, got ${String(rows)}`);
  if (cols !== fc1.inputs && cols * 4 !== fc1.inputs) fail(fn, `images have ${cols} pixels, expected 784 (28x28) or 196 (14x14)`);
  if (data?.length !== rows * cols) fail(fn, `${data?.length} pixel values do not make ${rows} images of ${cols}`);
  const features = new Float64Array(rows * fc2.outputs);
  const probabilities = new Float64Array(rows * fc3.outputs);
  const x = new Float64Array(fc1.inputs);
  const h1 = new Float64Array(fc1.outputs);
  for (let r = 0; r < rows; r++) {
    readImage(data, r, cols, x, fn);
    dense(fc1, x, h1);
    silu(h1);
    const h2 = features.subarray(r * fc2.outputs, (r + 1) * fc2.outputs);
    dense(fc2, h1, h2);
    silu(h2);
    const p = probabilities.subarray(r * fc3.outputs, (r + 1) * fc3.outputs);
    dense(fc3, h2, p);
    softmax(p);
  }
  return { features: { data: features, rows, cols: fc2.outputs }, probabilities: { data: probabilities, rows, cols: fc3.outputs } };
}

/** Image `r` into `x` (28x28), repeating each pixel of a 14x14 image 2x2. */
function readImage(data: ArrayLike<number>, r: number, cols: number, x: Float64Array, fn: string): void {
  const side = Math.round(Math.sqrt(cols));
  const factor = MNIST_SIZE / side;
  for (let y = 0; y < MNIST_SIZE; y++) {
    for (let c = 0; c < MNIST_SIZE; c++) {
      const v = data[r * cols + Math.floor(y / factor) * side + Math.floor(c / factor)];
      if (!Number.isFinite(v)) fail(fn, `image ${r} has a non-finite pixel ${v}`);
      x[y * MNIST_SIZE + c] = v;
    }
  }
}

/** out = x W + b. Skips zero inputs: most pixels of a digit are background. */
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
  for (let i = 0; i < a.length; i++) a[i] = a[i] / (1 + Math.exp(-a[i]));
}

/** Numerically stable softmax, in place. */
function softmax(z: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) z[i] /= sum;
}
