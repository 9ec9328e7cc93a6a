import { describe, expect, it } from 'vitest';
import { heatValues, type FieldSnapshot } from './render.js';
import { contentSecurityPolicy } from '../vite.config.js';

const field = (over: Partial<FieldSnapshot> = {}): FieldSnapshot => ({
  step: 0,
  range: { x0: 0, x1: 1, y0: 0, y1: 1 },
  grid: 2,
  noise: 0,
  score: new Float32Array([1, 0, 0, 2, 3, 4, 0, 0]),
  logDensity: new Float32Array([-1, -30, 0, -5]),
  ...over,
});

describe('heatmap values', () => {
  it('density: the maximum maps to 1, values 10 nats below or more to <= 0', () => {
    const h = heatValues(field(), 'density', 'score')!;
    expect(Array.from(h.t)).toEqual([0.9, -2, 1, 0.5].map((v) => Math.fround(v)));
    expect(h.legend).toMatch(/∫ s·dx/);
    expect(heatValues(field(), 'density', 'energy')!.legend).toMatch(/−E\(x\)/);
  });

  it('|s| is log-scaled to [0, 1]; the error map needs the true score', () => {
    const h = heatValues(field(), 'norm', 'score')!;
    expect(Math.max(...h.t)).toBeCloseTo(1, 6);
    expect(h.t[3]).toBe(0);
    expect(heatValues(field(), 'error', 'score')).toBeNull();
    const e = heatValues(field({ trueScore: new Float32Array([1, 0, 0, 2, 3, 4, 1, 0]) }), 'error', 'score')!;
    expect(Array.from(e.t.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(heatValues(field(), 'none', 'score')).toBeNull();
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
