import { fail, plural } from './errors.js';

/**
 * A set of points, row-major: point `i` is `data[i * cols .. (i + 1) * cols)`.
 * `rows` is the number of points, `cols` their dimension. Structurally the same as
 * `@scorefield/formats`' `Matrix`, so parsed files can be passed straight in.
 */
export interface Points {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** Validated points: the data as a Float64Array of exactly `rows * cols` finite values. */
export interface CheckedPoints {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** A value for messages: the number as text (`NaN`, `Infinity`, `1.5`), or the type of a non-number. */
export function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v;
}

/**
 * Checks `p` and returns its data as a Float64Array (the same array when it already is one).
 * Throws a one-line {@link MetricError} naming `fn` and `name` when the shape is wrong, the data
 * length is not `rows * cols`, there are fewer than `minRows` points, or a value is not finite.
 */
export function checkPoints(fn: string, name: string, p: Points, minRows = 1): CheckedPoints {
  if (p === null || typeof p !== 'object') fail(fn, `${name} must be { data, rows, cols }, got ${p === null ? 'null' : typeof p}`);
  const { rows, cols, data } = p;
  if (!Number.isInteger(rows) || rows < 0) fail(fn, `${name}.rows must be a non-negative integer, got ${show(rows)}`);
  if (!Number.isInteger(cols) || cols < 1) fail(fn, `${name}.cols must be a positive integer, got ${show(cols)}`);
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') fail(fn, `${name}.data must be an array of numbers`);
  if (data.length !== rows * cols) fail(fn, `${name}.data has length ${data.length}, expected rows * cols = ${rows * cols}`);
  if (rows < minRows) fail(fn, `${name} has ${plural(rows, 'point')}, need at least ${minRows}`);
  const out = data instanceof Float64Array ? data : Float64Array.from(data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      fail(fn, `${name} has a non-finite value ${show(data[i])} at point ${Math.floor(i / cols)}, coordinate ${i % cols} (both 0-based)`);
    }
  }
  return { data: out, rows, cols };
}

/** Throws `fn: x has dimension a, y has dimension b` unless both sets have the same `cols`. */
export function checkSameDim(fn: string, x: CheckedPoints, y: CheckedPoints, xName = 'x', yName = 'y'): void {
  if (x.cols !== y.cols) fail(fn, `${xName} has dimension ${x.cols}, ${yName} has dimension ${y.cols}`);
}
