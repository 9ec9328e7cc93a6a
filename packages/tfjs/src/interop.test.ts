import { describe, expect, it } from 'vitest';
import { tf, fromTensor, toTensor } from './index.js';

describe('tensor interop', () => {
  it('round-trips a matrix through a 2-D tensor', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i * 0.37 - 2);
    const t = toTensor({ data, rows: 3, cols: 4 });
    expect(t.shape).toEqual([3, 4]);
    expect(t.dtype).toBe('float32');
    const back = fromTensor(t);
    expect(back.rows).toBe(3);
    expect(back.cols).toBe(4);
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    // a copy: changing it does not change the tensor
    back.data[0] = 99;
    expect(t.dataSync()[0]).toBe(data[0]);
    t.dispose();
  });

  it('accepts any array-like (Float64Array, number[]) and rounds to float32', () => {
    const t = toTensor({ data: new Float64Array([0.1, 0.2]), rows: 1, cols: 2 });
    expect(Array.from(fromTensor(t).data)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    const u = toTensor({ data: [1, 2, 3, 4, 5, 6], rows: 2, cols: 3 });
    expect(u.arraySync()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const e = toTensor({ data: [], rows: 0, cols: 3 });
    expect(fromTensor(e)).toEqual({ data: new Float32Array(0), rows: 0, cols: 3 });
    tf.dispose([t, u, e]);
  });

  it('converts int32 / bool tensors to float32', () => {
    const t = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    expect(fromTensor(t)).toEqual({ data: Float32Array.from([1, 2, 3, 4]), rows: 2, cols: 2 });
    t.dispose();
  });

  it('rejects bad shapes with clear errors', () => {
    expect(() => toTensor({ data: [1, 2, 3], rows: 2, cols: 2 })).toThrow(/data has 3 values, expected rows x cols = 2 x 2 = 4/);
    expect(() => toTensor({ data: [], rows: -1, cols: 0 })).toThrow(/non-negative integers/);
    expect(() => toTensor({ data: [1], rows: 0.5, cols: 2 })).toThrow(/non-negative integers/);
    const v = tf.tensor1d([1, 2, 3]);
    const c = tf.zeros([2, 2, 2]);
    expect(() => fromTensor(v)).toThrow(/expects a 2-D tensor, got rank 1 with shape \[3\]/);
    expect(() => fromTensor(c)).toThrow(/got rank 3/);
    expect(() => fromTensor([[1]] as unknown as tf.Tensor)).toThrow(/expects a tf.Tensor/);
    tf.dispose([v, c]);
    const d = tf.zeros([1, 1]);
    d.dispose();
    expect(() => fromTensor(d)).toThrow(/disposed/);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const t = toTensor({ data: [1, 2, 3, 4], rows: 2, cols: 2 });
    const i = tf.cast(t, 'int32');
    fromTensor(t);
    fromTensor(i);
    tf.dispose([t, i]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
