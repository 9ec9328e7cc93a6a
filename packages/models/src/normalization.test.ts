import { describe, expect, it } from 'vitest';
import { constantNotice, denormalizeInPlace, fitNormalization, normalize } from './normalization.js';

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

  it('keeps a constant or near-constant coordinate with unit scale, records it, and says so in one line', () => {
    const n = fitNormalization({ data: [1, 2, 1, 3, 1, 7], rows: 3, cols: 2 });
    expect(n.mean).toEqual([1, 4]);
    expect(n.std[0]).toBe(1);
    expect(n.std[1]).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(n.constant).toEqual([0]);
    expect(constantNotice(n)).toBe(
      'data: coordinate 0 (0-based) is constant (value 1); kept with unit scale (samples hold it at that value)',
    );
    // Spread below single precision's resolution of the value: constant for the network.
    const near = fitNormalization({ data: [1e6, 0, 1e6 + 1e-3, 5, 1e6, 0], rows: 3, cols: 2 });
    expect(near.constant).toEqual([0]);
    expect(near.std[0]).toBe(1);
    const many = fitNormalization({ data: [0, 0, 0, 0, 0, 0, 0, 1], rows: 2, cols: 4 });
    expect(constantNotice(many)).toMatch(/^data: coordinates 0, 1, 2 \(0-based\) are constant \(values 0, 0, 0\); kept/);
    expect(constantNotice(fitNormalization({ data: [1, 2], rows: 2, cols: 1 }))).toBeUndefined();
  });

  it('refuses data whose standardisation overflows, in one line', () => {
    expect(() => fitNormalization({ data: [1.7e308, -1.7e308, 0, 1], rows: 2, cols: 2 })).toThrow(
      /^data: coordinate 0 \(0-based\) does not standardise \(mean 8\.5e\+307, std Infinity\): its values are too large for single/,
    );
    expect(() => fitNormalization({ data: [1e39, 1, 1e39, 2], rows: 2, cols: 2 })).toThrow(/coordinate 0 \(0-based\) does not standardise/);
  });
});
