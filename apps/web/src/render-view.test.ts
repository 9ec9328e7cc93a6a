import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../vite.config.js';
import { HEAT_STOPS, heatColour, heatValues, type FieldSnapshot } from './heat.js';
import { binnedLoss, logScalable, smoothingSpan } from './render-loss.js';
import { PALETTE, ticks } from './render-view.js';

const field = (over: Partial<FieldSnapshot> = {}): FieldSnapshot => ({
  step: 0,
  range: { x0: 0, x1: 1, y0: 0, y1: 1 },
  grid: 2,
  noise: 0,
  score: new Float32Array([1, 0, 0, 2, 3, 4, 0, 0]),
  ...over,
});

/** CIE L*a*b* of an sRGB colour (D65), for colour distances (CIE76 delta E). */
function lab([r, g, b]: number[]): [number, number, number] {
  const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [R, G, B] = [r, g, b].map(lin);
  const xyz = [
    (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047,
    0.2126 * R + 0.7152 * G + 0.0722 * B,
    (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883,
  ];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (841 / 108) * t + 4 / 29);
  const [fx, fy, fz] = xyz.map(f);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const deltaE = (a: number[], b: number[]) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));
const nearestHeat = (c: number[]) => Math.min(...Array.from({ length: 101 }, (_, k) => deltaE(c, heatColour(k / 100))));

describe('heat map values', () => {
  it('an energy model shows exp(-E) relative to its maximum, at the level the field is drawn at', () => {
    const h = heatValues(field({ energy: new Float32Array([1, 30, 0, 5]), sigma: 0.5 }), 'density', null)!;
    expect(Array.from(h.t)).toEqual([Math.exp(-1), Math.exp(-30), 1, Math.exp(-5)].map((v) => Math.fround(v)));
    expect(h.legend).toBe('density exp(−E), relative');
  });

  it('a continuous model shows its ODE density (saying when it is of an older step); a score model has none and shows |s|', () => {
    const density = { step: 3, grid: 2, logp: new Float32Array([-1, 0, -2, -Infinity]) };
    const h = heatValues(field({ step: 5 }), 'density', density)!;
    expect(Array.from(h.t)).toEqual([Math.exp(-1), 1, Math.exp(-2), 0].map((v) => Math.fround(v)));
    expect(h.legend).toBe('density p(x) by the ODE (step 3), relative');
    expect(heatValues(field(), 'density', null)!.legend).toBe('|s(x)|, log scale');
  });

  it('|s| is log-scaled to [0, 1] with its top value for the colour bar; the error map needs the true score', () => {
    const h = heatValues(field(), 'norm', null)!;
    expect(Math.max(...h.t)).toBeCloseTo(1, 6);
    expect(h.t[3]).toBe(0);
    expect(h.range[1]).toBeCloseTo(5, 5);
    expect(heatValues(field(), 'error', null)).toBeNull();
    const e = heatValues(field({ trueScore: new Float32Array([1, 0, 0, 2, 3, 4, 1, 0]) }), 'error', null)!;
    expect(Array.from(e.t.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(heatValues(field(), 'none', null)).toBeNull();
  });
});

describe('colours', () => {
  it('particles and true-score arrows stay far from every heat colour; data and arrows stay visible on it', () => {
    const report = Object.fromEntries(
      Object.entries(PALETTE)
        .filter(([, c]) => c.startsWith('#'))
        .map(([k, c]) => [k, nearestHeat(rgb(c))]),
    );
    expect(report.particle).toBeGreaterThan(60);
    expect(report.trueArrow).toBeGreaterThan(60);
    expect(report.data).toBeGreaterThan(20);
    expect(report.arrow).toBeGreaterThan(20);
    // ... and from each other.
    expect(deltaE(rgb(PALETTE.particle), rgb(PALETTE.data))).toBeGreaterThan(50);
    expect(deltaE(rgb(PALETTE.particle), rgb(PALETTE.trueArrow))).toBeGreaterThan(40);
  });

  it('the heat ramp goes from dark to light', () => {
    const L = HEAT_STOPS.map((c) => lab(c)[0]);
    for (let i = 1; i < L.length; i++) expect(L[i]).toBeGreaterThan(L[i - 1]);
    expect(heatColour(0)).toEqual(HEAT_STOPS[0]);
    expect(heatColour(1)).toEqual(HEAT_STOPS[HEAT_STOPS.length - 1]);
    expect(heatColour(Number.NaN)).toEqual(HEAT_STOPS[0]);
  });
});

describe('axes and the loss chart', () => {
  it('ticks are round numbers inside the range', () => {
    expect(ticks(-4.2, 4.2, 6)).toEqual([-4, -2, 0, 2, 4]);
    expect(ticks(0.013, 0.061, 4)).toEqual([0.02, 0.04, 0.06].map((v) => expect.closeTo(v, 12)));
    expect(ticks(-1, 30, 6)).toEqual([0, 10, 20, 30]);
  });

  it('bins the per-step loss and smooths it with an exponential moving average', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 3 : 1));
    const b = binnedLoss(values, 1000, 10, 9);
    expect(Array.from(b.mean)).toEqual(Array(10).fill(2));
    expect(b.smooth[9]).toBeGreaterThan(1.9);
    expect(b.smooth[9]).toBeLessThan(2.3);
    expect(b.end[9]).toBe(1000);
    expect(smoothingSpan(100)).toBe(20);
    expect(smoothingSpan(30_000)).toBe(600);
    expect(logScalable([{ values, count: 1000, colour: '', label: '' }])).toBe(true);
    expect(logScalable([{ values: Float32Array.from([1, -1]), count: 2, colour: '', label: '' }])).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  it('allows only the app itself and WebAssembly in the build; the dev server adds inline styles and its socket', () => {
    const build = contentSecurityPolicy(false);
    expect(build).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(build).toContain("worker-src 'self'");
    expect(build).not.toContain('unsafe-inline');
    expect(build).not.toMatch(/'unsafe-eval'/);
    expect(contentSecurityPolicy(true)).toContain("style-src 'self' 'unsafe-inline'");
  });
});
