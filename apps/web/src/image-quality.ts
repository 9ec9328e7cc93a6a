/**
 * How good image samples are, measured as `scorefield eval --samples` measures them for a model trained on
 * mnist (apps/cli image-eval.ts), on the fixed MNIST classifier of @scorefield/datasets: KID of the samples'
 * features against the held-out test split's (997 digits, eval's seed 0), beside its floor (as many train
 * digits, the first ones, against the same test digits), and the classifier's class shares and mean top-class
 * probability beside the test digits', and eval's memorisation check against the digits the run trained on (the
 * page's first `data-size` digits; `scorefield eval --train` with those digits gives the same numbers: by default
 * eval compares with the whole train split). Runs in the job worker, and in Node for the tests.
 */
import { decodeMnist, decodeMnistClassifier, type ImageSet, type MnistClassifier } from '@scorefield/datasets';
import { classCoverage, kid, memorisation } from '@scorefield/metrics';

/**
 * What image samples are measured against: the test split at the model's size (in {@link ImageAssets}), and the
 * digits the run trained on, [rows, imageSize^2]: the first ones are KID's floor, all of them memorisation's reference.
 */
export interface ImageReference {
  kind: 'mnist';
  imageSize: 14 | 28;
  train: Float32Array;
}

export interface ImageQuality {
  kid: number;
  kidError: number;
  /** KID of as many train digits as samples against the same test digits: what real digits score. */
  floor: number;
  floorError: number;
  /** The classifier's mean top-class probability of the samples, and of the test digits. */
  meanTop: number;
  heldOutMeanTop: number;
  /** Share of the samples the classifier puts in each class 0-9. */
  shares: number[];
  minShare: number;
  /** Each sample's top class and its probability (the grid's captions, as `scorefield plot --kind grid` captions). */
  top: number[];
  topProbability: number[];
  /**
   * The memorisation check (@scorefield/metrics' memorisation, pixel space): median distance of the samples to their
   * nearest training digit over the test digits' (1: as new as unseen digits; 0: copies), and the share of samples
   * closer to a training digit than 95% of the test digits are (0.05 expected; copies raise it).
   */
  memorisation: { ratio: number; closerShare: number };
}

/** The fixed files the metrics read: the classifier's weights and the test split (IDX bytes). */
export interface ImageAssets {
  classifier: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** The classifier and its outputs on the test split at one image size: computed once per job worker and size. */
interface Prepared {
  classifier: MnistClassifier;
  test: ImageSet;
  features: { data: Float64Array | Float32Array; rows: number; cols: number };
  heldOutMeanTop: number;
}
const prepared = new Map<number, Prepared>();

function prepare(assets: ImageAssets, imageSize: 14 | 28): Prepared {
  let p = prepared.get(imageSize);
  if (!p) {
    const classifier = decodeMnistClassifier(assets.classifier);
    const test = decodeMnist(assets.testImages, assets.testLabels, { imageSize });
    const real = classifier.run(test);
    p = { classifier, test, features: real.features, heldOutMeanTop: classCoverage(real.probabilities).meanTopProbability };
    prepared.set(imageSize, p);
  }
  return p;
}

/**
 * The image metrics of `samples` [n, imageSize^2] (n >= 20, KID's 10 subsets of 2), or a reason they cannot be
 * taken (samples that are not finite numbers: the classifier reads pixels).
 */
export function imageQuality(samples: Float32Array, ref: ImageReference, assets: ImageAssets): ImageQuality | string {
  const cols = ref.imageSize * ref.imageSize,
    rows = samples.length / cols;
  if (!samples.every(Number.isFinite)) return 'the samples are not all finite numbers';
  if (rows < 20) return `KID needs at least 20 samples, got ${rows}`;
  if (ref.train.length < rows * cols) return `the KID floor needs ${rows} train digits of ${cols} pixels`;
  const p = prepare(assets, ref.imageSize);
  const s = p.classifier.run({ data: samples, rows, cols });
  const floorImages = { data: ref.train.subarray(0, rows * cols), rows, cols };
  // eval's seed (0 without --seed) for the KID subsets of the samples and of the floor.
  const k = kid(s.features, p.features, { seed: 0 });
  const floor = kid(p.classifier.run(floorImages).features, p.features, { seed: 0 });
  const cov = classCoverage(s.probabilities);
  const memo = memorisation({ data: samples, rows, cols }, { data: ref.train, rows: ref.train.length / cols, cols }, p.test);
  const probs = s.probabilities.data,
    classes = s.probabilities.cols;
  const top = Array.from({ length: rows }, (_, i) => {
    const row = Array.from(probs.subarray(i * classes, (i + 1) * classes));
    return row.indexOf(Math.max(...row));
  });
  return {
    kid: k.value,
    kidError: k.standardError,
    floor: floor.value,
    floorError: floor.standardError,
    meanTop: cov.meanTopProbability,
    heldOutMeanTop: p.heldOutMeanTop,
    shares: Array.from(cov.fractions),
    minShare: cov.minFraction,
    top,
    topProbability: top.map((c, i) => probs[i * classes + c]),
    memorisation: { ratio: memo.ratio, closerShare: memo.closerShare },
  };
}

/**
 * KID of the samples beside the data's, in words: a difference is read only when it is larger than the two standard
 * errors together (the ± intervals do not overlap); otherwise the two cannot be told apart with this many samples
 * (64 samples give a rough KID), and a lower KID than the data's is noise, not samples better than the data.
 */
export function kidVerdict(m: Pick<ImageQuality, 'kid' | 'kidError' | 'floor' | 'floorError'>): { text: string; title: string } {
  const gap = m.kid - m.floor,
    noise = m.kidError + m.floorError;
  const f = (x: number) => String(Number(x.toPrecision(2)));
  const apart = `the samples' KID is ${f(gap)} from the data's; their standard errors add up to ${f(noise)}`;
  if (Math.abs(gap) <= noise)
    return {
      text: 'same as the data, within noise',
      title: `${apart}: the ± intervals overlap, so no difference can be read (more samples narrow them: scorefield eval draws 1,000)`,
    };
  if (gap > 0) return { text: `worse than the data (by ${f(gap)}, beyond noise)`, title: `${apart}: the samples are off` };
  return {
    text: `below the data's (by ${f(-gap)}, beyond noise)`,
    title: `${apart}: KID is unbiased and can fall below the data's by chance; it does not mean better than real digits`,
  };
}

/** The memorisation ratio in a few words: what the number means and what is good (ImageQuality.memorisation). */
export function memorisationText(memo: ImageQuality['memorisation']): { text: string; title: string } {
  const f = (x: number) => String(Number(x.toPrecision(3)));
  return {
    text: `${f(memo.ratio)} (1: new digits, good; 0: copies)`,
    title:
      'Distance from each sample to its nearest training digit, median, over the same for the test digits (unseen ones). ' +
      '1 or more: the samples are as far from the training digits as new digits are (good); towards 0: they copy ' +
      `training digits. ${f(memo.closerShare)} of the samples are closer to a training digit than 95% of the test digits ` +
      'are (0.05 expected; copies raise it).',
  };
}
