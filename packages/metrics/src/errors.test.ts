import { describe, expect, it } from 'vitest';
import { MetricError, fail } from './errors.js';

describe('MetricError', () => {
  it('is an Error with name InputError and code E_INPUT', () => {
    const e = new MetricError('mmd2: bad');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InputError');
    expect(e.code).toBe('E_INPUT');
    expect(String(e)).toBe('InputError: mmd2: bad');
  });

  it('fail() prefixes the function name', () => {
    expect(() => fail('energyDistance', 'x is empty')).toThrow(new MetricError('energyDistance: x is empty'));
  });
});
