import { describe, expect, it } from 'vitest';
import { fieldPlot, type FieldPlotOptions } from './field-plot.js';
import { gridPoints, type Range } from './range.js';
import { viridis } from './colormap.js';
import { groupContent, PYTHON, pythonParse, tagBalance, texts } from '../test/xml-check.js';

const R: Range = [-2, 2];

/** s(x) = -x on a g × g cell-centred grid over R × R. */
function inwardField(g: number): { points: Float64Array; vectors: Float64Array } {
  const points = gridPoints(R, R, g, g);
  return { points, vectors: points.map((v) => -v) };
}

/** A deterministic pseudo-random cloud (no Math.random). */
function cloud(n: number, seed: number): Float64Array {
  const out = new Float64Array(2 * n);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 3 - 1.5;
  }
  return out;
}

function full(): FieldPlotOptions {
  const g = 12;
  const points = gridPoints(R, R, g, g);
  return {
    title: 'learned score field · DSM σ=0.1',
    subtitle: 'silu MLP 2-64-64-2 · data: 8gaussians',
    xRange: R,
    yRange: R,
    field: inwardField(g),
    heat: {
      values: Float64Array.from({ length: g * g }, (_, k) => Math.hypot(points[2 * k], points[2 * k + 1])),
      nx: g,
      ny: g,
      label: 'log p(x)',
    },
    data: cloud(300, 1),
    samples: cloud(200, 2),
    labels: { data: 'data (8gaussians)', samples: 'Langevin samples', field: 'score s(x)' },
  };
}

/** Plot-area rectangle, read from the clip path. */
function plotBox(svg: string): { x: number; y: number; w: number; h: number } {
  const m = /<clipPath id="[^"]+"><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.-]+)" height="([\d.-]+)"\/><\/clipPath>/.exec(svg);
  if (!m) throw new Error('no clip path');
  return { x: +m[1], y: +m[2], w: +m[3], h: +m[4] };
}

/** Arrows in the field layer: tail, tip (from the path data) and stroke colour. Dots have no tip. */
function arrows(svg: string): { tail: [number, number]; tip?: [number, number]; colour: string }[] {
  const g = groupContent(svg, 'field');
  if (g === undefined) return [];
  return [...g.matchAll(/<path d="([^"]+)" stroke="(#[0-9a-f]{6})"/g)].map((m) => {
    const nums = m[1].match(/-?\d+(?:\.\d+)?/g)!.map(Number);
    if (m[1].endsWith('h0')) return { tail: [nums[0], nums[1]], colour: m[2] };
    return { tail: [nums[0], nums[1]], tip: [nums[4], nums[5]], colour: m[2] };
  });
}

describe('fieldPlot: document', () => {
  it('is a standalone SVG with viewBox, width and height', () => {
    const svg = fieldPlot(full());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 720" width="720" height="720"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const small = fieldPlot({ ...full(), width: 400, height: 300 });
    expect(small).toContain('viewBox="0 0 400 300" width="400" height="300"');
  });
  it('has balanced tags', () => {
    expect(tagBalance(fieldPlot(full()))).toEqual([]);
    expect(tagBalance(fieldPlot({ title: 'empty', xRange: R, yRange: R }))).toEqual([]);
  });
  it.skipIf(!PYTHON)('parses as XML (python minidom)', () => {
    expect(pythonParse(fieldPlot(full()))).toBe('');
    expect(pythonParse(fieldPlot({ ...full(), title: 'a <b> & "c" \u0001', labels: { data: '<&>' } }))).toBe('');
  });
  it('is deterministic', () => {
    expect(fieldPlot(full())).toBe(fieldPlot(full()));
  });
  it('keeps coordinates to at most 2 decimals', () => {
    const svg = fieldPlot(full());
    expect(svg).not.toMatch(/\d\.\d{3,}/);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
  it('escapes title, subtitle and labels', () => {
    const svg = fieldPlot({
      ...full(),
      title: 'x < y & z',
      subtitle: '"q" <i>',
      labels: { data: 'a<b', samples: 's&t', field: '<f>' },
      heat: { ...full().heat!, label: 'p&q' },
    });
    expect(texts(groupContent(svg, 'title')!)).toEqual(['x &lt; y &amp; z', '&quot;q&quot; &lt;i&gt;']);
    expect(svg).toContain('<title>x &lt; y &amp; z</title>');
    const legend = texts(groupContent(svg, 'legend')!);
    expect(legend).toEqual(expect.arrayContaining(['a&lt;b', 's&amp;t', '&lt;f&gt;', 'p&amp;q']));
    expect(svg).not.toMatch(/<i>|<f>|a<b/);
  });
});

describe('fieldPlot: layers', () => {
  it('has groups only for the layers given', () => {
    const only = fieldPlot({ title: 't', xRange: R, yRange: R, field: inwardField(5) });
    for (const c of ['field', 'axes', 'legend', 'title']) expect(only).toContain(`<g class="${c}"`);
    for (const c of ['data', 'samples', 'heat']) expect(only).not.toContain(`<g class="${c}"`);
    const dataOnly = fieldPlot({ title: 't', xRange: R, yRange: R, data: cloud(10, 3) });
    expect(dataOnly).toContain('<g class="data"');
    for (const c of ['field', 'samples', 'heat']) expect(dataOnly).not.toContain(`<g class="${c}"`);
    const none = fieldPlot({ title: 't', xRange: R, yRange: R });
    expect(none).not.toContain('<g class="legend"');
    const all = fieldPlot(full());
    for (const c of ['heat', 'data', 'samples', 'field', 'axes', 'legend', 'title']) expect(all).toContain(`<g class="${c}"`);
  });
  it('clips layers to the plot area', () => {
    const svg = fieldPlot(full());
    const id = /<clipPath id="([^"]+)"/.exec(svg)![1];
    for (const c of ['data', 'samples', 'field']) expect(svg).toMatch(new RegExp(`<g class="${c}" clip-path="url\\(#${id}\\)"`));
  });
  it('draws one dot per finite point inside the range, grey data and orange samples', () => {
    const data = [0, 0, 1, 1, NaN, 0, 0, Infinity, 50, 50, -1.5, 1.5];
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, data, samples: [0.5, 0.5] });
    const d = groupContent(svg, 'data')!;
    expect(d.match(/<circle/g)).toHaveLength(3); // (0,0), (1,1), (-1.5,1.5); NaN/∞ skipped, (50,50) far outside
    expect(svg).toMatch(/<g class="data"[^>]* fill="#5f5f5f"/);
    expect(svg).toMatch(/<g class="samples"[^>]* fill="#f07f0f" fill-opacity="0.6"/);
    expect(groupContent(svg, 'samples')!.match(/<circle/g)).toHaveLength(1);
  });
  it('uses equal aspect: one data unit is as long in x as in y', () => {
    const box = plotBox(fieldPlot({ title: 't', xRange: [0, 4], yRange: [0, 1], data: [1, 1] }));
    expect(box.w / box.h).toBeCloseTo(4, 2);
    const sq = plotBox(fieldPlot({ title: 't', xRange: R, yRange: R, width: 900, height: 500 }));
    expect(sq.w).toBeCloseTo(sq.h, 1);
    expect(sq.x).toBeGreaterThan(0);
    expect(sq.x + sq.w).toBeLessThan(900);
    expect(sq.y + sq.h).toBeLessThan(500);
  });
  it('labels axes with nice ticks inside the range', () => {
    const svg = fieldPlot({ title: 't', xRange: [-2.3, 2.3], yRange: [-2.3, 2.3] });
    const axes = groupContent(svg, 'axes')!;
    expect(texts(groupContent(axes, 'x-ticks')!)).toEqual(['−2', '−1', '0', '1', '2']);
    expect(texts(groupContent(axes, 'y-ticks')!)).toEqual(['−2', '−1', '0', '1', '2']);
  });
});

describe('fieldPlot: arrows', () => {
  it('draws one arrow per grid point with a finite point and vector', () => {
    const f = inwardField(10);
    f.vectors[0] = NaN;
    f.vectors[13] = Infinity;
    f.points[40] = NaN;
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, field: f });
    expect(arrows(svg)).toHaveLength(100 - 3);
    expect(arrows(fieldPlot({ title: 't', xRange: R, yRange: R, field: inwardField(25) }))).toHaveLength(625);
  });
  it('centres each arrow on its point and points along the vector (s(x) = -x points inwards)', () => {
    const g = 9;
    const f = inwardField(g);
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, field: f });
    const box = plotBox(svg);
    const cx = box.x + box.w / 2,
      cy = box.y + box.h / 2;
    const list = arrows(svg);
    expect(list).toHaveLength(g * g);
    let checked = 0;
    list.forEach((a, k) => {
      const x = f.points[2 * k],
        y = f.points[2 * k + 1];
      const ppx = box.x + ((x - R[0]) / (R[1] - R[0])) * box.w;
      const ppy = box.y + ((R[1] - y) / (R[1] - R[0])) * box.h; // SVG y is flipped
      if (!a.tip) {
        expect(Math.hypot(a.tail[0] - ppx, a.tail[1] - ppy)).toBeLessThan(0.02);
        return;
      }
      const [tx, ty] = a.tail,
        [hx, hy] = a.tip;
      expect((tx + hx) / 2).toBeCloseTo(ppx, 1);
      expect((ty + hy) / 2).toBeCloseTo(ppy, 1);
      // Tip closer to the centre than the tail.
      expect(Math.hypot(hx - cx, hy - cy)).toBeLessThan(Math.hypot(tx - cx, ty - cy));
      // Direction in SVG coordinates = (vx, -vy) normalised.
      const vx = f.vectors[2 * k],
        vy = -f.vectors[2 * k + 1];
      const len = Math.hypot(hx - tx, hy - ty);
      const cos = ((hx - tx) * vx + (hy - ty) * vy) / (len * Math.hypot(vx, vy));
      expect(cos).toBeGreaterThan(0.999);
      checked++;
    });
    expect(checked).toBeGreaterThan(g * g - 2);
  });
  it('scales lengths so the 95th percentile norm is 0.9 of a cell, capped at one cell', () => {
    const g = 20;
    const f = inwardField(g);
    f.vectors[0] *= 100; // an outlier must not shrink everything else
    f.vectors[1] *= 100;
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, field: f });
    const cell = plotBox(svg).w / g;
    const lens = arrows(svg)
      .map((a) => (a.tip ? Math.hypot(a.tip[0] - a.tail[0], a.tip[1] - a.tail[1]) : 0))
      .sort((a, b) => a - b);
    const p95 =
      lens[Math.floor(0.95 * (lens.length - 1))] +
      (lens[Math.ceil(0.95 * (lens.length - 1))] - lens[Math.floor(0.95 * (lens.length - 1))]) * ((0.95 * (lens.length - 1)) % 1);
    expect(p95 / cell).toBeGreaterThan(0.87);
    expect(p95 / cell).toBeLessThan(0.93);
    expect(lens[lens.length - 1]).toBeLessThanOrEqual(cell + 0.05);
  });
  it('colours arrows by norm with viridis and notes the maximum norm in the legend', () => {
    const points = [-1, 0, 0, 0, 1, 0];
    const vectors = [0.5, 0, 2, 0, 12.345, 0];
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, field: { points, vectors } });
    const cols = arrows(svg).map((a) => a.colour);
    expect(cols).toEqual([viridis((0.9 * 0.5) / 12.345), viridis((0.9 * 2) / 12.345), viridis(0.9)]);
    expect(cols[2]).not.toBe(viridis(1)); // the palest top of viridis is kept off white paper
    expect(texts(groupContent(svg, 'legend')!)).toContain('arrow colour: |s(x)|, max 12.3');
  });
  it('draws zero vectors as dots and survives an all-zero field', () => {
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, field: { points: [0, 0, 1, 1], vectors: [0, 0, 0, 0] } });
    expect(arrows(svg).every((a) => a.tip === undefined)).toBe(true);
    expect(arrows(svg)).toHaveLength(2);
    expect(tagBalance(svg)).toEqual([]);
  });
});

describe('fieldPlot: heat map', () => {
  it('draws one rect per finite cell on the gridPoints grid, with a labelled colour bar', () => {
    const nx = 4,
      ny = 3;
    const values = Float64Array.from({ length: nx * ny }, (_, k) => k);
    values[5] = NaN;
    const svg = fieldPlot({ title: 't', xRange: [0, 4], yRange: [0, 3], heat: { values, nx, ny, label: 'density' } });
    const heat = groupContent(svg, 'heat')!;
    const rects = [...heat.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9a-f]{6})"\/>/g)];
    expect(rects).toHaveLength(nx * ny - 1);
    // Cell (0, 0) is bottom-left and gets the lowest value's colour; cell (3, 2) top-right the highest.
    const box = plotBox(svg);
    const first = rects[0];
    expect(+first[1]).toBeCloseTo(box.x, 1);
    expect(+first[2] + +first[4]).toBeCloseTo(box.y + box.h, 1);
    expect(first[5]).toBe('#440154');
    expect(rects[rects.length - 1][5]).toBe('#fde725');
    // Cells tile the plot area.
    expect(+first[3]).toBeCloseTo(box.w / nx, 1);
    expect(+first[4]).toBeCloseTo(box.h / ny, 1);
    const bar = groupContent(heat, 'colorbar')!;
    expect(texts(bar)).toContain('density');
    expect(texts(bar)).toEqual(['0', '2', '4', '6', '8', '10', 'density']);
  });
  it('uses magma when asked', () => {
    const svg = fieldPlot({
      title: 't',
      xRange: R,
      yRange: R,
      heat: { values: [0, 1, 2, 3], nx: 2, ny: 2, label: 'v', colormap: 'magma' },
    });
    expect(svg).toContain('fill="#000004"');
    expect(svg).toContain('fill="#fcfdbf"');
    expect(svg).toContain('stop-color="#000004"');
  });
  it('handles constant values', () => {
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, heat: { values: [2, 2, 2, 2], nx: 2, ny: 2, label: 'v' } });
    expect(tagBalance(svg)).toEqual([]);
    expect(svg).not.toMatch(/NaN/);
  });
});

describe('fieldPlot: heat options (energy, density, error maps)', () => {
  const cellFills = (svg: string): string[] =>
    [...groupContent(svg, 'heat')!.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#[0-9a-f]{6})"\/>/g)].map(
      (m) => m[1],
    );
  it('draws a heat map alone when no field is given (no arrows, no arrow note)', () => {
    const svg = fieldPlot({ title: 'energy E(x)', xRange: R, yRange: R, heat: { values: [0, 1, 2, 3], nx: 2, ny: 2, label: 'E(x)' } });
    expect(groupContent(svg, 'field')).toBeUndefined();
    expect(texts(groupContent(svg, 'legend')!)).toEqual(['E(x)']);
    expect(cellFills(svg)).toHaveLength(4);
  });
  it('colours by log10 with decade ticks when logScale is set, leaving values ≤ 0 blank', () => {
    const values = [1e-4, 1e-3, 1e-2, 1e-1, 1, 0, -1, NaN, 10];
    const svg = fieldPlot({ title: 't', xRange: R, yRange: R, heat: { values, nx: 3, ny: 3, label: '|s − s_true|', logScale: true } });
    const fills = cellFills(svg);
    expect(fills).toHaveLength(6);
    expect(fills[0]).toBe('#440154'); // 1e-4: bottom of the scale
    expect(fills[5]).toBe('#fde725'); // 10: top
    // evenly spaced in log: 1e-2 sits at 2/5 of the scale
    expect(fills[2]).toBe(viridis(0.4));
    const labels = texts(groupContent(svg, 'colorbar')!);
    expect(labels).toEqual(['10⁻⁴', '0.001', '0.01', '0.1', '1', '10', '|s − s_true|']);
  });
  it('uses 1-2-5 ticks on a log scale spanning less than two decades', () => {
    const svg = fieldPlot({
      title: 't',
      xRange: R,
      yRange: R,
      heat: { values: [0.3, 0.6, 1, 2.5], nx: 2, ny: 2, label: 'p', logScale: true },
    });
    expect(texts(groupContent(svg, 'colorbar')!)).toEqual(['0.5', '1', '2', 'p']);
  });
  it('clamps to a fixed range, so frames share colours and outliers do not wash out the map', () => {
    const svg = fieldPlot({
      title: 't',
      xRange: R,
      yRange: R,
      heat: { values: [-5, 0, 5, 1000], nx: 2, ny: 2, label: 'E', range: [0, 10] },
    });
    expect(cellFills(svg)).toEqual([viridis(0), viridis(0), viridis(0.5), viridis(1)]);
    expect(texts(groupContent(svg, 'colorbar')!)).toEqual(['0', '2', '4', '6', '8', '10', 'E']);
    const logged = fieldPlot({
      title: 't',
      xRange: R,
      yRange: R,
      heat: { values: [1e-6, 1e-2, 1, 1e6], nx: 2, ny: 2, label: 'p', logScale: true, range: [1e-2, 1] },
    });
    expect(cellFills(logged)).toEqual([viridis(0), viridis(0), viridis(1), viridis(1)]);
  });
  it('rejects a bad heat range', () => {
    const heat = { values: [1, 2, 3, 4], nx: 2, ny: 2, label: 'v' };
    expect(() => fieldPlot({ title: 't', xRange: R, yRange: R, heat: { ...heat, range: [1, 1] } })).toThrow(/heat\.range/);
    expect(() => fieldPlot({ title: 't', xRange: R, yRange: R, heat: { ...heat, range: [0, 1], logScale: true } })).toThrow(/positive/);
  });
  it('shows a note under the legend at a fixed place, left-aligned with the plot area', () => {
    const a = fieldPlot({ ...full(), note: 'σ = 0.31' });
    const b = fieldPlot({ ...full(), note: 'σ = 1.2 · step 10000' });
    expect(texts(groupContent(a, 'note')!)).toEqual(['σ = 0.31']);
    const at = (svg: string): string => /<g class="note"[^>]*><text x="([\d.]+)" y="([\d.]+)"/.exec(svg)!.slice(1).join(',');
    expect(at(a)).toBe(at(b));
    expect(+at(a).split(',')[0]).toBeCloseTo(plotBox(a).x, 1);
    expect(plotBox(a)).toEqual(plotBox(b));
    expect(groupContent(fieldPlot(full()), 'note')).toBeUndefined();
    expect(tagBalance(a)).toEqual([]);
  });
});

describe('fieldPlot: errors', () => {
  const base = { title: 't', xRange: R, yRange: R };
  it('rejects field arrays of different or odd length', () => {
    expect(() => fieldPlot({ ...base, field: { points: [0, 0, 1, 1], vectors: [1, 1] } })).toThrow(
      /field\.points has 4 values but field\.vectors has 2/,
    );
    expect(() => fieldPlot({ ...base, field: { points: [0, 0, 1], vectors: [1, 1, 1] } })).toThrow(/odd number of values \(3\)/);
  });
  it('rejects a heat grid of the wrong size', () => {
    expect(() => fieldPlot({ ...base, heat: { values: [1, 2, 3], nx: 2, ny: 2, label: 'v' } })).toThrow(
      /heat\.values has 3 values but nx × ny = 2 × 2 = 4/,
    );
    expect(() => fieldPlot({ ...base, heat: { values: [], nx: 0, ny: 2, label: 'v' } })).toThrow(/positive integers/);
  });
  it('rejects odd point arrays and empty ranges', () => {
    expect(() => fieldPlot({ ...base, data: [1, 2, 3] })).toThrow(/data has an odd number/);
    expect(() => fieldPlot({ ...base, samples: [1] })).toThrow(/samples has an odd number/);
    expect(() => fieldPlot({ ...base, xRange: [1, 1] })).toThrow(/xRange/);
    expect(() => fieldPlot({ ...base, yRange: [0, NaN] })).toThrow(/yRange/);
  });
  it('throws plain Errors', () => {
    try {
      fieldPlot({ ...base, field: { points: [0, 0], vectors: [] } });
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).constructor).toBe(Error);
    }
  });
});
