import { describe, expect, it } from 'vitest';
import { parseIdx } from './idx.js';

/** An IDX file: type code, dims, big-endian values. */
function idx(type: number, dims: number[], values: number[], size: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length * size);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  values.forEach((x, i) => {
    const at = 4 + 4 * dims.length + i * size;
    if (type === 0x08) v.setUint8(at, x);
    else if (type === 0x0d) v.setFloat32(at, x);
    else if (type === 0x0e) v.setFloat64(at, x);
    else if (type === 0x0b) v.setInt16(at, x);
  });
  return out;
}

describe('parseIdx', () => {
  it('flattens images to vectors scaled to [0, 1] (MNIST layout: 3 items of 2 x 2 unsigned bytes)', () => {
    const m = parseIdx(idx(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0], 1), { source: 'img-idx3-ubyte' });
    expect([m.rows, m.cols]).toEqual([3, 4]);
    expect(Array.from(m.data.subarray(0, 4))).toEqual([0, 1, 0.2, 0.4]);
  });

  it('reads labels (1-D: one value per row), floats, doubles and shorts as they are', () => {
    expect(parseIdx(idx(0x08, [4], [7, 2, 1, 0], 1)).cols).toBe(1);
    expect(Array.from(parseIdx(idx(0x0e, [1, 2], [-1.5, 2.25], 8)).data)).toEqual([-1.5, 2.25]);
    expect(Array.from(parseIdx(idx(0x0d, [2, 1], [0.5, -3], 4)).data)).toEqual([0.5, -3]);
    expect(Array.from(parseIdx(idx(0x0b, [1, 2], [-300, 300], 2)).data)).toEqual([-300, 300]);
  });

  it.each([
    [new Uint8Array([1, 2]), 'x: not an IDX file (2 bytes, the header alone has at least 8)'],
    [new Uint8Array([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'x: not an IDX file (bad magic bytes)'],
    [new Uint8Array([0, 0, 7, 1, 0, 0, 0, 1, 5]), 'x: unknown IDX element type 0x07'],
    [new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]), 'x: truncated IDX header: 2 dimensions need 12 bytes, found 8'],
    [idx(0x08, [2, 3], [1, 2, 3, 4, 5], 1), 'x: truncated IDX file: expected 6 data bytes, found 5'],
    [idx(0x08, [1, 2], [1, 2, 3], 1), 'x: 1 bytes after the data (expected exactly 2)'],
    [idx(0x08, [0, 2], [], 1), 'x: no data rows (first dimension is 0)'],
    [idx(0x0d, [1, 2], [NaN, 1], 4), 'x: item 0, value 0 (both 0-based) is NaN, not finite'],
  ])('refuses bad files in one line: %#', (bytes, message) => {
    expect(() => parseIdx(bytes, { source: 'x' })).toThrow(message);
  });

  it('checks the expected dimension', () => {
    expect(() => parseIdx(idx(0x08, [1, 2, 2], [1, 2, 3, 4], 1), { source: 'x', dim: 2 })).toThrow(
      'x: points have dimension 4, expected 2',
    );
  });
});
