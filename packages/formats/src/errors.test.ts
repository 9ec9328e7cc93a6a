import { describe, expect, it } from 'vitest';
import { excerpt, FormatError, MAX_QUOTE } from './errors.js';

describe('FormatError', () => {
  it('is an Error recognisable by its code, like core-math InputError', () => {
    const e = new FormatError('data.csv: the file is empty');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InputError');
    expect(e.code).toBe('E_INPUT');
    expect(String(e)).toBe('InputError: data.csv: the file is empty');
  });
});

describe('excerpt', () => {
  it('keeps short text and cuts long text to MAX_QUOTE characters', () => {
    expect(excerpt('abc')).toBe('abc');
    expect(excerpt('x'.repeat(MAX_QUOTE))).toBe('x'.repeat(MAX_QUOTE));
    expect(excerpt('x'.repeat(MAX_QUOTE + 1))).toBe(`${'x'.repeat(MAX_QUOTE - 3)}...`);
    expect(excerpt('x'.repeat(MAX_QUOTE + 1)).length).toBe(MAX_QUOTE);
  });

  it('escapes characters that would break the message onto another line', () => {
    expect(excerpt('a\nb\r\u2028\u0000')).toBe('a\\u000ab\\u000d\\u2028\\u0000');
  });
});
