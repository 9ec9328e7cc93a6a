import { describe, expect, it } from 'vitest';
import { drawnWidth, fittedFontSize, linear, textWidth } from './layout.js';

describe('linear', () => {
  it('maps the data interval onto the pixel interval, flipped when asked', () => {
    expect(linear(0, 10, 100, 300)(5)).toBe(200);
    const y = linear(-1, 1, 500, 100); // data y up, SVG y down
    expect(y(-1)).toBe(500);
    expect(y(1)).toBe(100);
    expect(y(0)).toBe(300);
  });
});

describe('textWidth', () => {
  it('grows with length and font size, wide letters wider than narrow ones', () => {
    expect(textWidth('', 12)).toBe(0);
    expect(textWidth('abcd', 12)).toBeGreaterThan(textWidth('ab', 12));
    expect(textWidth('abcd', 24)).toBeCloseTo(2 * textWidth('abcd', 12), 9);
    expect(textWidth('WWW', 12)).toBeGreaterThan(textWidth('iii', 12));
  });
  it('is in the right ballpark for a sans-serif font (about half an em per character)', () => {
    const w = textWidth('Langevin samples', 13);
    expect(w).toBeGreaterThan(80);
    expect(w).toBeLessThan(130);
  });
});

describe('fittedFontSize', () => {
  it('keeps the size of a line that fits and shrinks a longer one until it fits', () => {
    const line = 'score model, silu MLP 41-64-64-64-2, conditioning fourier · data: 8gaussians';
    expect(fittedFontSize(line, 13, drawnWidth(line, 13) + 1)).toBe(13);
    const room = drawnWidth(line, 13) / 2;
    const size = fittedFontSize(line, 13, room);
    expect(size).toBeLessThan(13);
    expect(drawnWidth(line, size)).toBeLessThanOrEqual(room);
    expect(drawnWidth(line, size + 0.2)).toBeGreaterThan(room);
    // Bold text is drawn wider: what fits as regular text shrinks as a bold title.
    expect(fittedFontSize(line, 16, drawnWidth(line, 16, true), true)).toBe(16);
    expect(fittedFontSize(line, 16, drawnWidth(line, 16), true)).toBeLessThan(16);
  });
});
