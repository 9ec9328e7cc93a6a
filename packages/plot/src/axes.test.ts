import { describe, expect, it } from 'vitest';
import { axesFrame, gridLines } from './axes.js';
import { tagBalance, texts, groupContent } from '../test/xml-check.js';

const box = { x: 50, y: 40, w: 400, h: 300 };

describe('gridLines', () => {
  it('draws one line per tick across the box, minor lines separately', () => {
    const svg = gridLines(box, [50, 250, 450], [40, 340], [100]);
    expect(svg.startsWith('<g class="grid"')).toBe(true);
    expect(svg).toContain('M50 40V340M250 40V340M450 40V340M50 40H450M50 340H450');
    expect(svg).toContain('M50 100H450');
    expect(tagBalance(svg)).toEqual([]);
  });
});

describe('axesFrame', () => {
  it('draws the frame, outward tick marks and labels, and axis titles', () => {
    const svg = axesFrame(
      box,
      [
        { px: 50, label: '0' },
        { px: 450, label: '1' },
      ],
      [{ px: 340, label: '−1' }],
      { x: 'step', y: 'loss & more' },
    );
    expect(tagBalance(svg)).toEqual([]);
    expect(svg).toContain('<rect x="50" y="40" width="400" height="300" fill="none"');
    expect(svg).toContain('M50 340v4M450 340v4M50 340h-4');
    expect(texts(groupContent(svg, 'x-ticks')!)).toEqual(['0', '1']);
    expect(texts(groupContent(svg, 'y-ticks')!)).toEqual(['−1']);
    expect(svg).toContain('>step</text>');
    expect(svg).toContain('>loss &amp; more</text>');
    expect(svg).toMatch(/class="y-label"[^>]*transform="rotate\(-90 /);
  });
});
