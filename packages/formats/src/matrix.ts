import { FormatError } from './errors.js';

/** A dense matrix of points: `rows` points of dimension `cols`, stored row-major in `data` (length rows * cols). */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** What the encoders accept: any array-like of numbers in row-major order, e.g. a Float32Array or number[]. */
export interface MatrixLike {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/**
 * Checks that `m` is a consistent row-major matrix (non-negative integer shape, data length rows * cols)
 * and throws a {@link FormatError} starting with `source` otherwise.
 */
export function checkMatrix(m: MatrixLike, source: string): void {
  const { rows, cols } = m;
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 0) {
    throw new FormatError(`${source}: rows and cols must be non-negative integers, got ${String(rows)} x ${String(cols)}`);
  }
  const length = m.data?.length;
  if (length !== rows * cols) {
    throw new FormatError(`${source}: data has ${String(length)} values, expected rows x cols = ${rows} x ${cols} = ${rows * cols}`);
  }
}

/** True when this machine stores numbers little-endian (all current JS engines do, but typed-array views depend on it). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
