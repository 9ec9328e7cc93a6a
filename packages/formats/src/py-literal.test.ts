import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { parsePyLiteral, pyRepr } from './py-literal.js';

describe('parsePyLiteral', () => {
  it('parses the header numpy writes, padding included', () => {
    const v = parsePyLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }      \n", 's');
    expect(v).toEqual({
      type: 'dict',
      entries: [
        ['descr', '<f4'],
        ['fortran_order', false],
        ['shape', { type: 'tuple', items: [3, 2] }],
      ],
    });
  });

  it('distinguishes (3,) from (3) and reads (), lists, None, escapes and Python 2 longs', () => {
    expect(parsePyLiteral('(3,)', 's')).toEqual({ type: 'tuple', items: [3] });
    expect(parsePyLiteral('( 3 , )', 's')).toEqual({ type: 'tuple', items: [3] });
    expect(parsePyLiteral('(3)', 's')).toBe(3);
    expect(parsePyLiteral('()', 's')).toEqual({ type: 'tuple', items: [] });
    expect(parsePyLiteral('[None, True, -4, 5L]', 's')).toEqual({ type: 'list', items: [null, true, -4, 5] });
    expect(parsePyLiteral(String.raw`'a\'b"c\\'`, 's')).toBe(`a'b"c\\`);
  });

  it.each([
    ['', 'unexpected end at offset 0'],
    ['{', 'unexpected end at offset 1'],
    ["{'a': 1", "expected '}', found the end at offset 7"],
    ['(1 2)', "expected ',' or ')', found '2' at offset 3"],
    ["'abc", 'unterminated string at offset 4'],
    ['1.5', "unexpected '.' after the literal at offset 1"],
    ['x', "unexpected 'x' at offset 0"],
    ['{1: }', "unexpected '}' at offset 4"],
  ])('rejects %j', (text, detail) => {
    expect(() => parsePyLiteral(text, 'h.npy')).toThrow(new FormatError(`h.npy: .npy header is not a valid Python literal: ${detail}`));
  });

  it('limits nesting instead of overflowing the stack', () => {
    expect(() => parsePyLiteral('['.repeat(100000), 's')).toThrow(/nesting deeper than 32/);
  });
});

describe('pyRepr', () => {
  it('prints Python-style', () => {
    expect(pyRepr({ type: 'tuple', items: [5] })).toBe('(5,)');
    expect(pyRepr({ type: 'tuple', items: [5, 2] })).toBe('(5, 2)');
    expect(
      pyRepr({
        type: 'dict',
        entries: [
          ["it's", null],
          ['b', { type: 'list', items: [true, false] }],
        ],
      }),
    ).toBe("{'it\\'s': None, 'b': [True, False]}");
  });
});
