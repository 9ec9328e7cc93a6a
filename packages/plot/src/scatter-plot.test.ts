import { describe, expect, it } from 'vitest';
import { scatterPlot, type ScatterPlotOptions } from './scatter-plot.js';
import type { Range } from './range.js';
import { groupContent, PYTHON, pythonParse, tagBalance, texts } from '../test/xml-check.js';

const R: Range = [-3, 3];

/** A deterministic pseudo-random cloud in [-2, 2]² (no Math.random). */
function cloud(n: number, seed: number, spread = 4): Float64Array {
  const out = new Float64Array(2 * n);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * spread;
  }
  return out;
}

function base(): ScatterPlotOptions {
  return {
    title: 'Langevin sampling',
    subtitle: 'score model · 8gaussians',
    xRange: R,
    yRange: R,
    data: cloud(500, 1),
    samples: cloud(200, 2, 2),
    labels: { data: 'data', samples: 'particles' },
    note: 'step 120/1000 · σ = 0.31',
  };
}

/** The `d` of each histogram path in a marginal group, keyed by series. */
function hists(svg: string, cls: 'marginal-x' | 'marginal-y'): Record<string, string> {
  const g = groupContent(svg, cls);
  if (g === undefined) return {};
  const out: Record<string, string> = {};
  for (const m of g.matchAll(/<path class="hist (\w+)" d="([^"]+)"/g)) out[m[1]] = m[2];
  return out;
}

/** Bar heights (px from the baseline) of a step path: one flat segment per bin. */
function barHeights(d: string, dir: 'x' | 'y'): number[] {
  const start = /^M([\d.-]+) ([\d.-]+)/.exec(d)!;
  const baseline = dir === 'x' ? +start[2] : +start[1];
  const flat = dir === 'x' ? /V([\d.-]+)H[\d.-]+/g : /H([\d.-]+)V[\d.-]+/g;
  return [...d.matchAll(flat)].map((m) => Math.abs(baseline - +m[1]));
}

function clipRects(svg: string): string[] {
  return [...svg.matchAll(/<clipPath id="[^"]+">(<rect[^>]+>)<\/clipPath>/g)].map((m) => m[1]);
}

describe('scatterPlot: structure', () => {
  it('is well-formed XML with the expected layer groups', () => {
    const svg = scatterPlot(base());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 720" width="720" height="720"')).toBe(true);
    expect(tagBalance(svg)).toEqual([]);
    for (const cls of ['grid', 'data', 'samples', 'axes', 'marginal-x', 'marginal-y', 'legend', 'note', 'title']) {
      expect(groupContent(svg, cls), cls).toBeDefined();
    }
    expect(texts(groupContent(svg, 'legend')!)).toEqual(['data', 'particles']);
    expect(texts(groupContent(svg, 'note')!)).toEqual(['step 120/1000 · σ = 0.31']);
  });
  it.skipIf(!PYTHON)('parses as XML (python minidom)', () => {
    expect(pythonParse(scatterPlot(base()))).toBe('');
    expect(pythonParse(scatterPlot({ ...base(), title: '<a & b>', note: '"q" & <r>' }))).toBe('');
  });
  it('is deterministic', () => {
    expect(scatterPlot(base())).toBe(scatterPlot(base()));
  });
  it('draws one dot per finite point inside the range', () => {
    const data = [0, 0, 1, 1, NaN, 0, 50, 50, -1, 2];
    const svg = scatterPlot({ ...base(), data, samples: [0.5, 0.5] });
    expect(groupContent(svg, 'data')!.match(/<circle/g)).toHaveLength(3);
    expect(groupContent(svg, 'samples')!.match(/<circle/g)).toHaveLength(1);
  });
  it('has a data and a samples histogram on each edge, one flat step per bin', () => {
    for (const bins of [40, 7]) {
      const svg = scatterPlot({ ...base(), bins });
      const hx = hists(svg, 'marginal-x'),
        hy = hists(svg, 'marginal-y');
      expect(Object.keys(hx).sort()).toEqual(['data', 'samples']);
      expect(Object.keys(hy).sort()).toEqual(['data', 'samples']);
      // bins × 2 series × 2 edges flat segments in all
      let steps = 0;
      for (const d of [...Object.values(hx)]) {
        expect(barHeights(d, 'x')).toHaveLength(bins);
        steps += bins;
      }
      for (const d of [...Object.values(hy)]) {
        expect(barHeights(d, 'y')).toHaveLength(bins);
        steps += bins;
      }
      expect(steps).toBe(bins * 2 * 2);
    }
  });
  it('draws only the series given, and no marginals when asked', () => {
    const onlyData = scatterPlot({ ...base(), samples: undefined });
    expect(Object.keys(hists(onlyData, 'marginal-x'))).toEqual(['data']);
    expect(groupContent(onlyData, 'samples')).toBeUndefined();
    const none = scatterPlot({ ...base(), marginals: false });
    expect(groupContent(none, 'marginal-x')).toBeUndefined();
    expect(groupContent(none, 'marginal-y')).toBeUndefined();
    expect(tagBalance(none)).toEqual([]);
    expect(groupContent(scatterPlot({ ...base(), note: undefined }), 'note')).toBeUndefined();
  });
});

describe('scatterPlot: histograms', () => {
  it('puts points in the right bins: x along the top edge, y (bottom to top) along the right edge', () => {
    // 4 bins over [-3, 3]: every data point at x in bin 3, y in bin 0.
    const data = [2.5, -2.5, 2.9, -2.9, 1.6, -1.6];
    const svg = scatterPlot({ ...base(), data, samples: undefined, bins: 4 });
    const hx = barHeights(hists(svg, 'marginal-x').data, 'x');
    const hy = barHeights(hists(svg, 'marginal-y').data, 'y');
    expect(hx.slice(0, 3)).toEqual([0, 0, 0]);
    expect(hx[3]).toBeGreaterThan(0);
    expect(hy[0]).toBeGreaterThan(0); // first flat segment is the lowest y
    expect(hy.slice(1)).toEqual([0, 0, 0]);
  });
  it('normalises each series to a density, with the data peak at 85 % of the panel', () => {
    // Data: 100 points, half in bin 0 and half in bin 1; samples: 10 points, all in bin 0.
    const data: number[] = [];
    for (let i = 0; i < 50; i++) data.push(-2.9, 0, -1, 0);
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) samples.push(-2.5, 0);
    const svg = scatterPlot({ ...base(), data, samples, bins: 4 });
    const depth = 64; // px, the marginal panel depth
    const hd = barHeights(hists(svg, 'marginal-x').data, 'x');
    const hs = barHeights(hists(svg, 'marginal-x').samples, 'x');
    expect(hd[0]).toBeCloseTo(0.85 * depth, 1);
    expect(hd[1]).toBeCloseTo(0.85 * depth, 1);
    // samples density in bin 0 is twice the data's: past the panel top, so cut at the edge
    expect(hs[0]).toBeCloseTo(depth, 1);
    expect(hs.slice(1)).toEqual([0, 0, 0]);
  });
  it('keeps the histogram scale fixed by the data when the samples change', () => {
    const a = scatterPlot(base());
    const b = scatterPlot({ ...base(), samples: cloud(300, 9, 1) });
    expect(hists(a, 'marginal-x').data).toBe(hists(b, 'marginal-x').data);
    expect(hists(a, 'marginal-y').data).toBe(hists(b, 'marginal-y').data);
  });
});

describe('scatterPlot: fixed layout for animation frames', () => {
  it('keeps plot area and panels fixed when points and note text change', () => {
    const a = scatterPlot(base());
    const b = scatterPlot({ ...base(), samples: cloud(50, 7, 6), note: 'step 1000/1000 · σ = 0.01' });
    expect(clipRects(a)).toHaveLength(1);
    const baselines = (svg: string): string[] => [...svg.matchAll(/<path class="baseline" d="([^"]+)"/g)].map((m) => m[1]);
    expect(baselines(a)).toHaveLength(2);
    expect(baselines(b)).toEqual(baselines(a));
    expect(clipRects(b)).toEqual(clipRects(a));
    const noteAt = (svg: string): string => /<g class="note"[^>]*><text x="([\d.]+)" y="([\d.]+)"/.exec(svg)!.slice(1).join(',');
    expect(noteAt(b)).toBe(noteAt(a));
  });
  it('uses equal aspect: the scatter area is square for square ranges', () => {
    const rect = /<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.-]+)" height="([\d.-]+)"/.exec(clipRects(scatterPlot(base()))[0])!;
    expect(+rect[3]).toBeCloseTo(+rect[4], 1);
  });
});

describe('scatterPlot: refused input', () => {
  it('throws plain Errors naming the problem', () => {
    expect(() => scatterPlot({ ...base(), xRange: [1, 1] })).toThrow(/xRange/);
    expect(() => scatterPlot({ ...base(), data: [1, 2, 3] })).toThrow(/data has an odd number/);
    expect(() => scatterPlot({ ...base(), bins: 0 })).toThrow(/bins/);
    expect(() => scatterPlot({ ...base(), bins: 2.5 })).toThrow(/bins/);
    expect(() => scatterPlot({ ...base(), width: -1 })).toThrow(/width/);
  });
});
