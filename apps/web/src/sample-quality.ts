/**
 * How good the samples are, measured exactly as `scorefield eval --samples` measures them: the metrics
 * package's smearingMetrics, each number beside its floor (the same metric for a second, independent draw
 * of the data: what perfect samples would score).
 *
 * - MMD²: unbiased, on coordinates standardised by the reference's mean and standard deviation, a sum of RBF
 *   kernels with bandwidths 0.05 to 2 (standardizedMmd2).
 * - In-mode share (mixtures): the share of samples within 2 standard deviations of a component's centre.
 * - Mode weights (mixtures): the share of samples nearest each component's centre (within 4 of the largest standard
 *   deviations; farther: off-mode) beside the mixture's weights, as eval's `modes` (@scorefield/metrics' modeFractions);
 *   the same for the twin draw of the data says how far from the weights a draw of this size lands by chance.
 *
 * The reference: for a built-in dataset eval's 2000 fresh points (seed stream 2^31 + 0) and its twin (2^33 + 0);
 * for drawn or loaded points eval's halves of them (even and odd rows), or, past 4000 points, two seeded random
 * halves of 2000 (eval --data <file> uses every point).
 */
import { datasetComponents, datasetPoints, datasets, type Core } from '@scorefield/core-math';
import { modeFractions, smearingMetrics } from '@scorefield/metrics';
import { imageQuality, type ImageAssets, type ImageQuality, type ImageReference } from './image-quality.js';
import type { MnistSource } from './protocol.js';
import { disjointSubsets } from './subsets.js';

/** `scorefield eval`'s held-out data: seed streams 2^31 + --seed and 2^33 + --seed (default 0), --n points (default 2000). */
export const EVAL_SEED = 2 ** 31;
export const EVAL_TWIN_SEED = 2 ** 33;
export const EVAL_POINTS = 2000;
/** Drawn or loaded points measured against: eval's halves up to this many points, random halves of EVAL_POINTS past it. */
const HALVES_MAX = 2 * EVAL_POINTS;
const SUBSET_SEED = 0x5eed_0002;

/**
 * What the samples are measured against: 2-D points (a built-in dataset, drawn or loaded points), or MNIST digits
 * (the job worker loads the digits the run trained on from their source, and the test split: {@link ImageReference}).
 */
export type Reference =
  | { kind: 'builtin'; name: string }
  | { kind: 'points'; reference: Float32Array; twin: Float32Array }
  | { kind: 'mnist'; digits: MnistSource };

export interface SampleQuality {
  mmd: number;
  /** MMD² of the twin draw of the data. */
  floor: number;
  /** Mixtures: the in-mode share of the samples, and of the twin. */
  inMode?: number;
  inModeFloor?: number;
  /** Mixtures: the samples' share per mode beside the mixture's weights (eval's `modes`), and the twin draw's. */
  modes?: ModeWeights;
  /** Images: eval's image metrics (image-quality.ts), or why they could not be taken. */
  image?: ImageQuality | string;
}

/** The samples' share per mode of a mixture, beside its weights (normalised), as `scorefield eval` reports `modes`. */
export interface ModeWeights {
  centres: number[][];
  /** Share of all samples nearest each centre (off-mode samples count in the total). */
  fractions: number[];
  weights: number[];
  /** Share of samples farther than 4 of the largest standard deviations from every centre. */
  offMode: number;
  /** max_k |fractions[k] - weights[k]|, of the samples and of the twin draw of the data (what chance alone gives). */
  maxAbsError: number;
  twinMaxAbsError: number;
}

/** The quality of image samples: the image metrics; the 2-D ones do not apply (NaN). */
export function imageSampleQuality(samples: Float32Array, ref: ImageReference, assets: ImageAssets): SampleQuality {
  return { mmd: Number.NaN, floor: Number.NaN, image: imageQuality(samples, ref, assets) };
}

/** The reference of drawn or loaded points [x0, y0, ...]: eval's even and odd rows, or two random halves when there are many. */
export function pointsReference(points: ArrayLike<number>): Reference {
  const rows = points.length / 2;
  if (rows > HALVES_MAX) return { kind: 'points', ...disjointSubsets({ data: points, rows }, EVAL_POINTS, EVAL_POINTS, SUBSET_SEED) };
  const half = (parity: number) => {
    const n = Math.floor((rows - parity + 1) / 2);
    return Float32Array.from({ length: 2 * n }, (_, k) => points[2 * (2 * Math.floor(k / 2) + parity) + (k % 2)]);
  };
  return { kind: 'points', reference: half(0), twin: half(1) };
}

/** Measures `samples` [n, 2] (data units) against `ref` (2-D references; images: {@link imageSampleQuality}). */
export function sampleQuality(core: Core, samples: Float32Array, ref: Exclude<Reference, { kind: 'mnist' }>): SampleQuality {
  const builtin = ref.kind === 'builtin' ? ref.name : null;
  const reference = builtin ? datasetPoints(core, builtin, EVAL_SEED, EVAL_POINTS) : (ref as { reference: Float32Array }).reference;
  const twin = builtin ? datasetPoints(core, builtin, EVAL_TWIN_SEED, EVAL_POINTS) : (ref as { twin: Float32Array }).twin;
  const points = (v: Float32Array) => ({ data: v, rows: v.length / 2, cols: 2 });
  const mixture = builtin && datasets[builtin as keyof typeof datasets].mixture;
  const m = smearingMetrics(
    points(samples),
    points(reference),
    points(twin),
    mixture ? { components: datasetComponents(core, builtin) } : {},
  );
  const q: SampleQuality = { mmd: m.mmd2.value, floor: m.mmd2.floor, inMode: m.inModeShare?.value, inModeFloor: m.inModeShare?.floor };
  if (mixture) {
    // eval's modes: the same centres, weights and radius (apps/cli eval.ts).
    const comps = datasetComponents(core, builtin);
    const centres = comps.map((c) => [...c.mean]),
      radius = 4 * Math.max(...comps.map((c) => c.std));
    const of = (v: Float32Array) =>
      modeFractions(
        points(v),
        centres,
        comps.map((c) => c.weight),
        { radius },
      );
    const s = of(samples);
    q.modes = { centres, ...s, twinMaxAbsError: of(twin).maxAbsError };
  }
  return q;
}
