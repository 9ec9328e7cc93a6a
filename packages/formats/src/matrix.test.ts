import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { checkMatrix, LITTLE_ENDIAN } from './matrix.js';

describe('checkMatrix', () => {
  it('accepts consistent matrices of any array-like', () => {
    expect(() => checkMatrix({ data: [1, 2, 3, 4, 5, 6], rows: 3, cols: 2 }, 's')).not.toThrow();
    expect(() => checkMatrix({ data: new Float32Array(0), rows: 0, cols: 5 }, 's')).not.toThrow();
  });

  it.each([
    [{ data: [1, 2, 3], rows: 2, cols: 2 }, 's: data has 3 values, expected rows x cols = 2 x 2 = 4'],
    [{ data: [], rows: -1, cols: 0 }, 's: rows and cols must be non-negative integers, got -1 x 0'],
    [{ data: [1], rows: 1.5, cols: 1 }, 's: rows and cols must be non-negative integers, got 1.5 x 1'],
  ])('refuses %j', (m, message) => {
    expect(() => checkMatrix(m, 's')).toThrow(new FormatError(message));
  });
});

describe('LITTLE_ENDIAN', () => {
  it('matches what a DataView sees', () => {
    const probe = new Uint16Array([0x0102]);
    expect(LITTLE_ENDIAN).toBe(new DataView(probe.buffer).getUint16(0, true) === 0x0102);
  });
});
