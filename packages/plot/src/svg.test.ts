import { describe, expect, it } from 'vitest';
import { attrs, el, esc, hashId, num, sig, text } from './svg.js';

describe('esc', () => {
  it('escapes the five XML specials', () => {
    expect(esc(`a<b & "c" 'd' >`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;');
  });
  it('drops characters XML 1.0 cannot carry, keeps tab/newline and non-ASCII', () => {
    expect(esc('a\u0000b\u0007c\td\ne σ·x')).toBe('abc\td\ne σ·x');
  });
});

describe('num', () => {
  it('rounds to 2 decimals and trims zeros', () => {
    expect(num(12.3456)).toBe('12.35');
    expect(num(3)).toBe('3');
    expect(num(0.1 + 0.2)).toBe('0.3');
    expect(num(-0.001)).toBe('0');
    expect(num(1e-9)).toBe('0');
    expect(num(123456789.125)).toBe('123456789.13');
    expect(num(1.5, 0)).toBe('2');
  });
  it('prints non-finite as 0 rather than an unparsable attribute', () => {
    expect(num(NaN)).toBe('0');
    expect(num(Infinity)).toBe('0');
  });
});

describe('sig', () => {
  it('keeps 3 significant digits and switches to exponents at the extremes', () => {
    expect(sig(12.345)).toBe('12.3');
    expect(sig(0.5)).toBe('0.5');
    expect(sig(-2.5)).toBe('−2.5');
    expect(sig(0.000123)).toBe('1.23e-4');
    expect(sig(1234567)).toBe('1.23e+6');
    expect(sig(1000000)).toBe('1e+6');
    expect(sig(0)).toBe('0');
  });
});

describe('el / attrs / text', () => {
  it('builds self-closing and nested elements, dropping undefined attributes', () => {
    expect(el('rect', { x: 1.234, y: 2, fill: undefined, stroke: 'a"b' })).toBe('<rect x="1.23" y="2" stroke="a&quot;b"/>');
    expect(el('g', { class: 'k' }, '<a/>', '<b/>')).toBe('<g class="k"><a/><b/></g>');
    expect(attrs({ a: false, b: null, c: 0 })).toBe(' c="0"');
  });
  it('escapes text content', () => {
    expect(text('<&>', { x: 1 })).toBe('<text x="1">&lt;&amp;&gt;</text>');
  });
});

describe('hashId', () => {
  it('is deterministic 8-digit hex and differs for different input', () => {
    expect(hashId('abc')).toMatch(/^[0-9a-f]{8}$/);
    expect(hashId('abc')).toBe(hashId('abc'));
    expect(hashId('abc')).not.toBe(hashId('abd'));
  });
});
