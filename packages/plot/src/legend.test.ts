import { describe, expect, it } from 'vitest';
import { boxLegend, flowLegend, legendRows, type LegendItem } from './legend.js';
import { tagBalance, texts } from '../test/xml-check.js';

const items: LegendItem[] = [
  { label: 'data', symbol: { kind: 'dot', fill: '#555555' } },
  { label: 'samples', symbol: { kind: 'dot', fill: '#f07f0f', opacity: 0.8 } },
  { label: 'score s(x)', symbol: { kind: 'arrow', color: '#21918c' } },
  { label: 'arrow colour: |s(x)|, max 3', symbol: { kind: 'note' } },
];

describe('legendRows', () => {
  it('fits entries on one row when there is room, a note always on its own row', () => {
    const rows = legendRows(items, 1000);
    expect(rows.map((r) => r.items.map((i) => i.label))).toEqual([['data', 'samples', 'score s(x)'], ['arrow colour: |s(x)|, max 3']]);
  });
  it('wraps when the row is full', () => {
    const rows = legendRows(items.slice(0, 3), 120);
    expect(rows.length).toBe(3);
    for (const r of rows) expect(r.items).toHaveLength(1);
  });
});

describe('flowLegend / boxLegend', () => {
  it('draw a symbol and an escaped label per entry in a legend group', () => {
    const withSpecial = [...items, { label: 'a<b', symbol: { kind: 'line', color: '#000000' } } as LegendItem];
    for (const svg of [flowLegend(withSpecial, 600, 360, 16, 704), boxLegend(withSpecial, 700, 20)]) {
      expect(svg.startsWith('<g class="legend"')).toBe(true);
      expect(tagBalance(svg)).toEqual([]);
      expect(texts(svg)).toEqual(['data', 'samples', 'score s(x)', 'arrow colour: |s(x)|, max 3', 'a&lt;b']);
      expect(svg.match(/<circle/g)).toHaveLength(2);
    }
  });
  it('keeps flow rows inside the given limits', () => {
    const svg = flowLegend(items, 600, 10, 16, 704); // centred far left: clamped to minX
    const xs = [...svg.matchAll(/<text x="([\d.]+)"/g)].map((m) => Number(m[1]));
    for (const x of xs) expect(x).toBeGreaterThanOrEqual(16);
  });
});
