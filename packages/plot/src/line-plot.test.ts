import { describe, expect, it } from 'vitest';
import { linePlot, type LinePlotOptions } from './line-plot.js';
import { groupContent, PYTHON, pythonParse, tagBalance, texts } from '../test/xml-check.js';

/** A smooth decaying "loss" curve with a deterministic wiggle. */
function loss(n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => scale * (0.02 + 3 * Math.exp(-i / 60)) * (1 + 0.1 * Math.sin(i * 1.7)));
}

function opts(): LinePlotOptions {
  return {
    title: 'training loss · DSM σ=0.1',
    subtitle: 'seed 0 · batch 256',
    series: [
      { label: 'train', y: loss(400) },
      { label: 'eval', x: Float64Array.from({ length: 40 }, (_, i) => i * 10), y: loss(40, 1.1) },
    ],
    xLabel: 'step',
    yLabel: 'loss',
  };
}

/** Numeric value of a tick label ('−0.5', '0.001', '10⁻⁵', '1e-6'). */
function parseLabel(s: string): number {
  const sup: Record<string, string> = {
    '⁻': '-',
    '⁰': '0',
    '¹': '1',
    '²': '2',
    '³': '3',
    '⁴': '4',
    '⁵': '5',
    '⁶': '6',
    '⁷': '7',
    '⁸': '8',
    '⁹': '9',
  };
  const m = /^10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(s);
  if (m) return 10 ** Number([...m[1]].map((c) => sup[c]).join(''));
  return Number(s.replace('−', '-'));
}

function yTickLabels(svg: string): string[] {
  return texts(groupContent(groupContent(svg, 'axes')!, 'y-ticks')!);
}

function seriesPaths(svg: string): string[] {
  return [...groupContent(svg, 'series')!.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]);
}

describe('linePlot', () => {
  it('is a standalone SVG with balanced tags', () => {
    const svg = linePlot(opts());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 440" width="720" height="440"')).toBe(true);
    expect(tagBalance(svg)).toEqual([]);
    expect(tagBalance(linePlot({ ...opts(), logY: true }))).toEqual([]);
  });
  it.skipIf(!PYTHON)('parses as XML (python minidom)', () => {
    expect(pythonParse(linePlot(opts()))).toBe('');
    expect(pythonParse(linePlot({ ...opts(), logY: true, title: '<&>' }))).toBe('');
  });
  it('is deterministic and has one path per series plus a legend entry each', () => {
    const svg = linePlot(opts());
    expect(linePlot(opts())).toBe(svg);
    expect(seriesPaths(svg)).toHaveLength(2);
    expect(texts(groupContent(svg, 'legend')!)).toEqual(['train', 'eval']);
    expect(texts(groupContent(svg, 'axes')!)).toEqual(expect.arrayContaining(['step', 'loss']));
  });
  it('uses linear nice ticks by default', () => {
    const labels = yTickLabels(linePlot(opts())).map(parseLabel);
    const step = labels[1] - labels[0];
    for (let i = 1; i < labels.length; i++) expect(labels[i] - labels[i - 1]).toBeCloseTo(step, 9);
    expect(labels[0]).toBeGreaterThanOrEqual(0); // a loss never gets a negative axis
  });
  it('uses powers of ten as y ticks when logY is set', () => {
    const svg = linePlot({ ...opts(), logY: true, series: [{ label: 'l', y: [5, 0.5, 2e-3, 4e-4] }] });
    const values = yTickLabels(svg).map(parseLabel);
    expect(values.length).toBeGreaterThanOrEqual(4);
    for (const v of values) {
      const e = Math.log10(v);
      expect(Math.abs(e - Math.round(e))).toBeLessThan(1e-9);
    }
    expect(values[0]).toBeCloseTo(1e-3, 12); // decades inside the 5 %-padded range 4e-4 … 5
    expect(values[values.length - 1]).toBe(1);
    // A narrow range snaps out to whole decades, so there are always two labelled powers of ten.
    expect(yTickLabels(linePlot({ title: 't', logY: true, series: [{ label: 'l', y: [0.5, 0.9] }] })).map(parseLabel)).toEqual([0.1, 1]);
    expect(yTickLabels(linePlot({ title: 't', logY: true, series: [{ label: 'l', y: [1, 1] }] })).map(parseLabel)).toEqual([0.1, 1, 10]);
    expect(yTickLabels(linePlot({ title: 't', logY: true, series: [{ label: 'l', y: [1e-9, 1e3] }] }))).toContain('10⁻⁶');
  });
  it('skips non-finite values, breaking the line, and draws isolated points as dots', () => {
    const svg = linePlot({ title: 't', series: [{ label: 'l', y: [1, NaN, 3, Infinity, 5, 6, -Infinity] }] });
    const [d] = seriesPaths(svg);
    expect(d).not.toMatch(/NaN|Infinity/);
    expect(d.match(/M/g)).toHaveLength(3); // [1] · [3] · [5, 6]
    expect(d.match(/h0/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(1);
  });
  it('skips values ≤ 0 on a log axis', () => {
    const svg = linePlot({ title: 't', logY: true, series: [{ label: 'l', y: [1, 0, -2, 0.1, 0.01] }] });
    const [d] = seriesPaths(svg);
    expect(d.match(/M/g)).toHaveLength(2); // [1] · [0.1, 0.01]
    expect(d).not.toMatch(/NaN|Infinity/);
  });
  it('copes with no drawable values at all', () => {
    const svg = linePlot({ title: 't', logY: true, series: [{ label: 'l', y: [NaN, 0, -1] }] });
    expect(tagBalance(svg)).toEqual([]);
    expect(svg).toContain('no finite values to plot');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
  it('escapes title and labels', () => {
    const svg = linePlot({ title: 'a<b', subtitle: 'c&d', xLabel: '<x>', yLabel: '"y"', series: [{ label: 'l&m', y: [1, 2] }] });
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('c&amp;d');
    expect(svg).toContain('&lt;x&gt;');
    expect(svg).toContain('&quot;y&quot;');
    expect(svg).toContain('l&amp;m');
    expect(tagBalance(svg)).toEqual([]);
  });
  it('rejects x and y of different lengths', () => {
    expect(() => linePlot({ title: 't', series: [{ label: 'l', x: [1, 2, 3], y: [1, 2] }] })).toThrow(
      /series 0 \("l"\) has 3 x values but 2 y values/,
    );
  });
});

describe('linePlot: dense series', () => {
  const n = 100_000;
  const noisy = Float64Array.from(
    { length: n },
    (_, i) => 0.3 + 2 * Math.exp(-i / 8000) + 0.1 * Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1),
  );
  it('draws 10⁵ points as a path of at most a few points per pixel column, keeping the min and max of every column', () => {
    const svg = linePlot({ title: 'loss', series: [{ label: 'train', y: noisy }], logY: true });
    const d = seriesPaths(svg)[0];
    const pts = [...d.matchAll(/[ML]([\d.-]+) ([\d.-]+)/g)].map((m) => [+m[1], +m[2]]);
    expect(pts.length).toBeLessThan(4 * 720);
    expect(pts.length).toBeGreaterThan(720);
    // Same vertical extent as the full line: compare with a 4-point series of the same bounds.
    let lo = 0,
      hi = 0;
    for (let i = 0; i < n; i++) {
      if (noisy[i] < noisy[lo]) lo = i;
      if (noisy[i] > noisy[hi]) hi = i;
    }
    const idx = [0, lo, hi, n - 1].sort((p, q) => p - q);
    const ref = seriesPaths(linePlot({ title: 'loss', series: [{ label: 'train', x: idx, y: idx.map((i) => noisy[i]) }], logY: true }))[0];
    const refYs = [...ref.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((m) => +m[1]);
    const ys = pts.map((p) => p[1]);
    expect(Math.min(...ys)).toBe(Math.min(...refYs));
    expect(Math.max(...ys)).toBe(Math.max(...refYs));
    // x runs left to right across the whole box, in order
    for (let i = 1; i < pts.length; i++) expect(pts[i][0]).toBeGreaterThanOrEqual(pts[i - 1][0]);
  });
  it('keeps exact extremes: a single spike survives decimation', () => {
    const y = new Float64Array(50_000).fill(1);
    y[31_337] = 5;
    y[12_345] = 0.2;
    const d = seriesPaths(linePlot({ title: 't', series: [{ label: 's', y }] }))[0];
    const ys = [...d.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((m) => +m[1]);
    const ref = seriesPaths(linePlot({ title: 't', series: [{ label: 's', y: [1, 5, 0.2] }] }))[0];
    const refYs = [...ref.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((m) => +m[1]);
    expect(Math.min(...ys)).toBeCloseTo(Math.min(...refYs), 2);
    expect(Math.max(...ys)).toBeCloseTo(Math.max(...refYs), 2);
  });
  it('still breaks the line at non-finite values', () => {
    const y = Float64Array.from({ length: 20_000 }, (_, i) => (i === 10_000 ? NaN : 1 + (i % 7)));
    const d = seriesPaths(linePlot({ title: 't', series: [{ label: 's', y }] }))[0];
    expect(d.match(/M/g)).toHaveLength(2);
  });
});
