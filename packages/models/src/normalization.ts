import { InputError } from '@scorefield/core-math';
import { checkPoints, type Points } from './points.js';

/**
 * Per-coordinate standardisation y = (x - mean) / std. The network sees y; samples and scores are
 * mapped back to data units (s_x(x) = s_y(y) / std).
 */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Mean and (population) standard deviation per coordinate; a constant coordinate is an input error. */
export function fitNormalization(p: Points): Normalization {
  p = checkPoints(p, 'data');
  const mean = new Array<number>(p.cols).fill(0),
    std = new Array<number>(p.cols).fill(0);
  for (let i = 0; i < p.rows; i++) for (let k = 0; k < p.cols; k++) mean[k] += p.data[i * p.cols + k] / p.rows;
  for (let i = 0; i < p.rows; i++) for (let k = 0; k < p.cols; k++) std[k] += (p.data[i * p.cols + k] - mean[k]) ** 2 / p.rows;
  for (let k = 0; k < p.cols; k++) {
    std[k] = Math.sqrt(std[k]);
    if (!(std[k] > 1e-12 * Math.max(1, Math.abs(mean[k])))) {
      throw new InputError(`data: coordinate ${k + 1} is constant (${mean[k]}); cannot standardise it`);
    }
  }
  return { mean, std };
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
