import { datasets, InputError } from '@scorefield/core-math';
import { loadMnist, loadMnistClassifier, MNIST_CLASSES, readByteIdx } from '@scorefield/datasets';
import { classCoverage, kid, memorisation } from '@scorefield/metrics';
import type { ImageShape } from '@scorefield/models';
import type { CommandIO } from './command.js';
import { fileKind, MNIST, readPoints, shapeText } from './data.js';
import { readInputFile } from './io.js';

type Images = { data: ArrayLike<number>; rows: number; cols: number };

/** Reference images for an image model's metrics: held-out images with labels, and the training images. */
export interface ImageReference {
  name: string;
  heldOut: Images;
  labels: Uint8Array;
  train: Images;
}

/**
 * MNIST's held-out test split (997 digits) and its train split, at the model's image size: the reference of
 * `eval` on models trained on MNIST.
 */
export async function mnistReference(shape: ImageShape): Promise<ImageReference> {
  const imageSize = shape.width as 28 | 14;
  const [test, train] = await Promise.all([loadMnist({ split: 'test', imageSize }), loadMnist({ split: 'train', imageSize })]);
  return { name: `${MNIST} test split`, heldOut: test, labels: test.labels, train };
}

/**
 * Held-out images from a file (--data) with their labels (--labels: an IDX file of bytes or a one-column CSV of
 * classes 0-9) and the training images (--train, the file the model was trained on). Each is required: the class
 * shares and the memorisation check need them, so a missing one is one line, exit 2.
 */
export async function fileReference(
  o: { data: string; labels?: string; train?: string },
  shape: ImageShape,
  io: CommandIO,
): Promise<ImageReference> {
  // A built-in 2-D dataset is no set of images: say so, not that its labels are missing.
  if (Object.hasOwn(datasets, o.data))
    throw new InputError(
      `eval: dataset ${o.data} is 2-D, the model's ${shapeText(shape)} images ${shape.width * shape.height}: give --data mnist, ` +
        'or a file of held-out images with --labels and --train',
    );
  if (o.labels === undefined)
    throw new InputError(
      `eval: class coverage needs the labels of ${o.data}: give --labels <labels.idx1-ubyte|labels.csv> (classes 0-9), or --data mnist`,
    );
  if (o.train === undefined)
    throw new InputError(`eval: the memorisation check needs the training images: give --train <file> (what the model was trained on)`);
  const d = shape.width * shape.height;
  const read = async (path: string, flag: string) => {
    const m = await readPoints(path, { io });
    if (m.cols !== d)
      throw new InputError(`--${flag} ${path}: points have dimension ${m.cols}, the model's ${shapeText(shape)} images ${d}`);
    return m;
  };
  const heldOut = await read(o.data, 'data');
  const labels = await readLabels(o.labels, heldOut.rows, io);
  return { name: o.data, heldOut, labels, train: await read(o.train, 'train') };
}

async function readLabels(path: string, rows: number, io: CommandIO): Promise<Uint8Array> {
  let labels: Uint8Array;
  if (fileKind(path) === 'idx') {
    const idx = readByteIdx(readInputFile(path, 'idx'), path);
    if (idx.dims.length !== 1) throw new InputError(`--labels ${path}: expected one label per image, found shape ${idx.dims.join(' x ')}`);
    labels = idx.data;
  } else {
    const m = await readPoints(path, { io });
    if (m.cols !== 1) throw new InputError(`--labels ${path}: expected one column of classes, found ${m.cols}`);
    const bad = m.data.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < MNIST_CLASSES));
    if (bad >= 0) throw new InputError(`--labels ${path}: label ${bad} (0-based) is ${m.data[bad]}, not a class 0-${MNIST_CLASSES - 1}`);
    labels = Uint8Array.from(m.data);
  }
  const bad = labels.findIndex((c) => c >= MNIST_CLASSES);
  if (bad >= 0) throw new InputError(`--labels ${path}: label ${labels[bad]} at ${bad} is not a class 0-${MNIST_CLASSES - 1}`);
  if (labels.length !== rows) throw new InputError(`--labels ${path}: ${labels.length} labels for ${rows} images of --data`);
  return labels;
}

/** The first `rows` rows of a point set. */
function head(p: Images, rows: number): Images {
  const n = Math.min(rows, p.rows);
  return { data: Float64Array.from({ length: n * p.cols }, (_, i) => p.data[i]), rows: n, cols: p.cols };
}

/**
 * The image metrics of `eval`: KID of the samples against the held-out images on the MNIST classifier's
 * features, beside its floor (as many training images against the same held-out ones); the classifier's class
 * shares and mean top-class probability beside the held-out images' (and their labels' shares); and the
 * memorisation check in pixel space (held-out images as the reference).
 */
export async function imageMetrics(samples: Images, ref: ImageReference, seed: number) {
  const classifier = await loadMnistClassifier();
  const s = classifier.run(samples);
  const real = classifier.run(ref.heldOut);
  const floorImages = head(ref.train, samples.rows);
  const k = kid(s.features, real.features, { seed });
  const floor = kid(classifier.run(floorImages).features, real.features, { seed });
  const cov = classCoverage(s.probabilities),
    realCov = classCoverage(real.probabilities);
  const labelShares = Array.from({ length: MNIST_CLASSES }, (_, c) => ref.labels.filter((l) => l === c).length / ref.labels.length);
  const memo = memorisation(samples, ref.train, ref.heldOut);
  return {
    reference: ref.name,
    heldOut: ref.heldOut.rows,
    kid: { value: k.value, standardError: k.standardError, floor: floor.value, floorStandardError: floor.standardError },
    classCoverage: {
      fractions: Array.from(cov.fractions),
      minFraction: cov.minFraction,
      meanTopProbability: cov.meanTopProbability,
      heldOutMeanTopProbability: realCov.meanTopProbability,
      topProbabilityRatio: cov.meanTopProbability / realCov.meanTopProbability,
      heldOutLabelShares: labelShares,
    },
    memorisation: {
      ratio: memo.ratio,
      closerShare: memo.closerShare,
      sampleMedian: memo.sampleMedian,
      heldOutMedian: memo.heldOutMedian,
    },
  };
}

export type ImageMetrics = Awaited<ReturnType<typeof imageMetrics>>;

/** The text lines of {@link imageMetrics}. */
export function imageReport(m: ImageMetrics): string[] {
  const f = (v: number) => String(Number(v.toPrecision(4)));
  const c = m.classCoverage;
  return [
    `image metrics against the ${m.reference} (${m.heldOut} held-out images; features of the MNIST classifier):`,
    `  ${'KID'.padEnd(22)}${f(m.kid.value)} ± ${f(m.kid.standardError)} | floor (train vs held-out) ${f(m.kid.floor)} ± ` +
      `${f(m.kid.floorStandardError)}`,
    `  ${'mean top-class prob.'.padEnd(22)}${f(c.meanTopProbability)} | held-out ${f(c.heldOutMeanTopProbability)} (ratio ` +
      `${f(c.topProbabilityRatio)})`,
    `  ${'class shares'.padEnd(22)}${c.fractions.map((v) => v.toFixed(3)).join(' ')} (smallest ${f(c.minFraction)})`,
    `  ${'held-out label shares'.padEnd(22)}${c.heldOutLabelShares.map((v) => v.toFixed(3)).join(' ')}`,
    `  ${'memorisation ratio'.padEnd(22)}${f(m.memorisation.ratio)} (1: as far from the training images as held-out ones; 0: copies); ` +
      `closer share ${f(m.memorisation.closerShare)} (0.05 expected)`,
  ];
}
