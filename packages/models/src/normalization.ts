import { InputError } from '@scorefield/core-math';
import { checkPoints, type Points } from './points.js';

/**
 * Per-coordinate standardisation y = (x - mean) / std. The network sees y; samples and scores are
 * mapped back to data units (s_x(x) = s_y(y) / std).
 */
export interface Normalization {
  mean: number[];
  std: number[];
  /**
   * Coordinates (0-based) that were constant or nearly so in the data: they are kept with std 1 (so
   * y = x - mean), not refused. Absent when there are none.
   */
  constant?: number[];
}

/**
 * A coordinate whose spread is below this fraction of its magnitude is constant for the network: the
 * WASM core works in f32 (relative precision 6e-8), so standardising it would only amplify rounding.
 */
export const CONSTANT_RELATIVE_STD = 1e-7;

/** Largest finite f32: the network, its data and its samples are single precision. */
const F32_MAX = 3.4028234663852886e38;

/**
 * Mean and (population) standard deviation per coordinate. A constant or near-constant coordinate
 * (std 0, or below {@link CONSTANT_RELATIVE_STD} of |mean|) is kept with std 1 and listed in `constant`
 * (see {@link constantNotice}). Data whose mean or spread is not a finite single-precision number
 * (values near the float limits) are an input error naming `what`: the model could not represent them.
 */
export function fitNormalization(p: Points, what = 'data'): Normalization {
  p = checkPoints(p, what);
  const mean = new Array<number>(p.cols).fill(0),
    std = new Array<number>(p.cols).fill(0);
  for (let i = 0; i < p.rows; i++) for (let k = 0; k < p.cols; k++) mean[k] += p.data[i * p.cols + k] / p.rows;
  for (let i = 0; i < p.rows; i++) for (let k = 0; k < p.cols; k++) std[k] += (p.data[i * p.cols + k] - mean[k]) ** 2 / p.rows;
  const constant: number[] = [];
  for (let k = 0; k < p.cols; k++) {
    std[k] = Math.sqrt(std[k]);
    if (!(Number.isFinite(mean[k]) && Number.isFinite(std[k]) && Math.abs(mean[k]) + std[k] <= F32_MAX)) {
      throw new InputError(
        `${what}: coordinate ${k} (0-based) does not standardise (mean ${mean[k]}, std ${std[k]}): its values are too large for single ` +
          `precision; rescale the data`,
      );
    }
    if (!(std[k] > CONSTANT_RELATIVE_STD * Math.abs(mean[k]) && Number.isFinite(1 / std[k]))) {
      std[k] = 1;
      constant.push(k);
      // An exactly constant coordinate keeps its value (the running mean can be off in the last bits).
      if (allEqual(p, k)) mean[k] = p.data[k];
    }
  }
  return constant.length ? { mean, std, constant } : { mean, std };
}

/**
 * One mean and one (population) standard deviation over every coordinate, repeated per coordinate: the
 * standardisation of images, whose pixels share one scale (a pixel that is nearly always background would
 * otherwise be blown up by its tiny std). Data all of one value keep std 1.
 */
export function fitGlobalNormalization(p: Points, what = 'data'): Normalization {
  p = checkPoints(p, what);
  const n = p.rows * p.cols;
  let mean = 0,
    variance = 0;
  for (let i = 0; i < n; i++) mean += p.data[i] / n;
  for (let i = 0; i < n; i++) variance += (p.data[i] - mean) ** 2 / n;
  let std = Math.sqrt(variance);
  if (!(Number.isFinite(mean) && Number.isFinite(std) && Math.abs(mean) + std <= F32_MAX))
    throw new InputError(`${what}: values do not standardise (mean ${mean}, std ${std}): too large for single precision; rescale the data`);
  if (!(std > CONSTANT_RELATIVE_STD * Math.abs(mean) && Number.isFinite(1 / std))) std = 1;
  return { mean: new Array<number>(p.cols).fill(mean), std: new Array<number>(p.cols).fill(std) };
}

function allEqual(p: Points, k: number): boolean {
  for (let i = 1; i < p.rows; i++) if (p.data[i * p.cols + k] !== p.data[k]) return false;
  return true;
}

/**
 * The one-line notice for the constant coordinates of a normalisation, or undefined when there are none. Coordinates
 * are 0-based, as `--hold` and every other message count them, so a named index can be passed on as it is.
 */
export function constantNotice(n: Normalization): string | undefined {
  const c = n.constant ?? [];
  if (!c.length) return undefined;
  const many = c.length > 1,
    shown = c.slice(0, 5);
  const more = c.length > 5 ? ` and ${c.length - 5} more` : '';
  const values = `value${many ? 's' : ''} ${shown.map((k) => n.mean[k]).join(', ')}${more ? ', ...' : ''}`;
  return (
    `data: coordinate${many ? 's' : ''} ${shown.join(', ')}${more} (0-based) ${many ? 'are' : 'is'} constant (${values}); kept with ` +
    `unit scale (samples hold ${c.length > 1 ? 'them at their values' : 'it at that value'})`
  );
}

/** The identity normalisation for d coordinates. */
export function identityNormalization(d: number): Normalization {
  return { mean: new Array(d).fill(0), std: new Array(d).fill(1) };
}

/** y = (x - mean) / std, into a new Float32Array. */
export function normalize(n: Normalization, data: ArrayLike<number>): Float32Array {
  const d = n.mean.length;
  return Float32Array.from({ length: data.length }, (_, i) => (data[i] - n.mean[i % d]) / n.std[i % d]);
}

/** x = mean + std * y, in place. */
export function denormalizeInPlace(n: Normalization, y: Float32Array): Float32Array {
  const d = n.mean.length;
  for (let i = 0; i < y.length; i++) y[i] = n.mean[i % d] + n.std[i % d] * y[i];
  return y;
}
