import { describe, expect, it } from 'vitest';
import { looksNumeric, parseStrictNumber } from './strict-number.js';

describe('parseStrictNumber', () => {
  it.each([
    ['0', 0],
    ['-0', -0],
    ['1e-3', 0.001],
    ['-.5', -0.5],
    ['+2', 2],
    ['3.', 3],
    ['1E+2', 100],
    ['007', 7],
    ['-1.5e-300', -1.5e-300],
  ])('accepts %s', (text, value) => {
    expect(parseStrictNumber(text)).toBe(value);
  });

  it.each(['', ' ', '1.2.3', '0x10', '1e', '1e+', '.', '-', 'e5', '1_000', '1 2', '--1', '0b1', 'abc', '١'])('rejects %j', (text) => {
    expect(parseStrictNumber(text)).toBe('invalid');
  });

  it.each(['nan', 'NaN', 'inf', '-Inf', 'Infinity', '+infinity', '1e999', '-1e400'])('reports %s as non-finite', (text) => {
    expect(parseStrictNumber(text)).toBe('non-finite');
    expect(looksNumeric(text)).toBe(true);
  });

  it('tells column names from numbers', () => {
    expect(looksNumeric('x0')).toBe(false);
    expect(looksNumeric('2')).toBe(true);
  });
});
