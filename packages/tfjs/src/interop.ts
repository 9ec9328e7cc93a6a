/** Conversions between row-major matrices ({ data, rows, cols }) and 2-D tfjs tensors. */
import { tf, ensureReady } from './tf.js';

/** A row-major matrix: `rows` x `cols` values in `data`. */
export interface MatrixLike {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** A float32 row-major matrix as returned by {@link fromTensor}. */
export interface Float32Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** A float32 [rows, cols] tensor holding `m.data` (any array-like of numbers, e.g. a Float64Array, is rounded to float32). */
export function toTensor(m: MatrixLike): tf.Tensor2D {
  ensureReady();
  if (m === null || typeof m !== 'object') throw new Error('@scorefield/tfjs: toTensor expects { data, rows, cols }');
  const { rows, cols, data } = m;
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 0) {
    throw new Error(`@scorefield/tfjs: toTensor: rows and cols must be non-negative integers, got ${String(rows)} x ${String(cols)}`);
  }
  const length = data?.length;
  if (length !== rows * cols) {
    throw new Error(
      `@scorefield/tfjs: toTensor: data has ${String(length)} values, expected rows x cols = ${rows} x ${cols} = ${rows * cols}`,
    );
  }
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  return tf.tensor2d(values, [rows, cols], 'float32');
}

/** The values of a 2-D tensor as a float32 row-major matrix (a copy). Throws for any other rank. */
export function fromTensor(t: tf.Tensor): Float32Matrix {
  ensureReady();
  if (!(t instanceof tf.Tensor)) throw new Error('@scorefield/tfjs: fromTensor expects a tf.Tensor');
  if (t.rank !== 2)
    throw new Error(`@scorefield/tfjs: fromTensor expects a 2-D tensor, got rank ${t.rank} with shape ${JSON.stringify(t.shape)}`);
  if (t.isDisposed) throw new Error('@scorefield/tfjs: fromTensor: the tensor is disposed');
  const [rows, cols] = t.shape as [number, number];
  const values = t.dtype === 'float32' ? t.dataSync() : tf.tidy(() => tf.cast(t, 'float32').dataSync());
  return { data: Float32Array.from(values as ArrayLike<number>), rows, cols };
}
