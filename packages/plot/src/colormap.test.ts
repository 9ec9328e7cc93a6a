import { describe, expect, it } from 'vitest';
import { colormap, magma, viridis } from './colormap.js';

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}
/** Relative luminance (WCAG), 0–1. */
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('colour maps', () => {
  it('hit matplotlib endpoints and midpoint', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    expect(viridis(0.5)).toBe('#21918c');
    expect(magma(0)).toBe('#000004');
    expect(magma(1)).toBe('#fcfdbf');
  });
  it('clamp out-of-range and NaN input', () => {
    expect(viridis(-3)).toBe(viridis(0));
    expect(viridis(7)).toBe(viridis(1));
    expect(viridis(NaN)).toBe(viridis(0));
    expect(magma(2)).toBe(magma(1));
  });
  it('always return #rrggbb', () => {
    for (let i = 0; i <= 100; i++) {
      expect(viridis(i / 100)).toMatch(/^#[0-9a-f]{6}$/);
      expect(magma(i / 100)).toMatch(/^#[0-9a-f]{6}$/);
    }
  });
  it('increase in luminance from 0 to 1 (viridis and magma)', () => {
    for (const f of [viridis, magma]) {
      let prev = -1;
      for (let i = 0; i <= 64; i++) {
        const l = luminance(f(i / 64));
        expect(l).toBeGreaterThan(prev - 1e-3); // interpolation rounding may wobble by a hair
        prev = l;
      }
      expect(luminance(f(1)) - luminance(f(0))).toBeGreaterThan(0.7);
    }
  });
  it('are looked up by name', () => {
    expect(colormap('viridis')).toBe(viridis);
    expect(colormap('magma')).toBe(magma);
    expect(() => colormap('jet' as never)).toThrow(/unknown colormap/);
  });
});
