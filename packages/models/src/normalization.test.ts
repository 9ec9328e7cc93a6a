import { describe, expect, it } from 'vitest';
import { denormalizeInPlace, fitNormalization, normalize } from './normalization.js';

describe('normalization', () => {
  it('standardises each coordinate and maps back', () => {
    const p = { data: [1, 10, 3, 30, 5, 50], rows: 3, cols: 2 };
    const n = fitNormalization(p);
    expect(n.mean).toEqual([3, 30]);
    expect(n.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    const y = normalize(n, p.data);
    expect(y[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 6);
    expect(Array.from(denormalizeInPlace(n, y)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual(p.data);
  });

  it('refuses a constant coordinate, naming it', () => {
    expect(() => fitNormalization({ data: [1, 2, 1, 3], rows: 2, cols: 2 })).toThrow(
      'data: coordinate 1 is constant (1); cannot standardise it',
    );
  });
});
