import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { imageGrid, type ImageGridOptions } from './image-grid.js';
import { renderRgba } from './raster/index.js';
import { groupContent, pythonParse, tagBalance, texts } from '../test/xml-check.js';

/** n deterministic 4x3 images with values in [0, 1] (no Math.random). */
function images(n: number, w = 4, h = 3): Float64Array {
  return Float64Array.from({ length: n * w * h }, (_, i) => ((i * 7919) % 101) / 100);
}

function base(): ImageGridOptions {
  return {
    title: 'samples',
    subtitle: 'ncsn · 14x14',
    images: images(7),
    imageWidth: 4,
    imageHeight: 3,
    captions: ['0', '1', '2', '3', '4', '5', '6'],
  };
}

/** Every embedded image: its position, size and decoded grey bytes (filter-0 rows, as the writer makes them). */
function embedded(svg: string): { x: number; y: number; width: number; height: number; grey: number[] }[] {
  return [
    ...svg.matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" href="data:image\/png;base64,([^"]+)"/g),
  ].map((m) => {
    const png = Buffer.from(m[5], 'base64');
    const w = png.readUInt32BE(16);
    const idat = png.subarray(41, 41 + png.readUInt32BE(33));
    const raw = inflateSync(idat);
    const grey = [...raw].filter((_, i) => i % (w + 1) !== 0);
    return { x: +m[1], y: +m[2], width: +m[3], height: +m[4], grey };
  });
}

describe('imageGrid', () => {
  it('is well-formed XML with one framed image per input image, captions, title and note', () => {
    const svg = imageGrid({ ...base(), note: 'step 10 · σ = 0.5' });
    expect(tagBalance(svg)).toEqual([]);
    expect(pythonParse(svg)).toBe('');
    const cells = embedded(svg);
    expect(cells).toHaveLength(7);
    expect(groupContent(svg, 'frames')!.match(/<rect/g)).toHaveLength(7);
    expect(texts(groupContent(svg, 'captions')!)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(texts(groupContent(svg, 'title')!)).toEqual(['samples', 'ncsn · 14x14']);
    expect(texts(groupContent(svg, 'note')!)).toEqual(['step 10 · σ = 0.5']);
    expect(groupContent(svg, 'images')).toBeDefined();
    expect(svg).toContain('<g class="images" image-rendering="pixelated">');
    // no captions, no note: no groups for them
    const plain = imageGrid({ ...base(), captions: undefined });
    expect(groupContent(plain, 'captions')).toBeUndefined();
    expect(groupContent(plain, 'note')).toBeUndefined();
  });

  it('lays out ceil(sqrt(n)) columns by default, or the given number, row by row', () => {
    const cells = embedded(imageGrid(base()));
    // 7 images: 3 columns, 3 rows; pixel size round(56 / 4) = 14 -> cells 56 x 42
    expect(new Set(cells.map((c) => c.x)).size).toBe(3);
    expect(new Set(cells.map((c) => c.y)).size).toBe(3);
    expect(cells.every((c) => c.width === 56 && c.height === 42)).toBe(true);
    expect(cells[1].x - cells[0].x).toBe(56 + 6);
    expect(cells[3].x).toBe(cells[0].x);
    expect(cells[3].y).toBeGreaterThan(cells[0].y);
    const wide = embedded(imageGrid({ ...base(), columns: 7, pixelSize: 2 }));
    expect(new Set(wide.map((c) => c.y)).size).toBe(1);
    expect(wide[0].width).toBe(8);
  });

  it('maps lo to white and hi to black, clamps outside values and draws non-finite pixels white', () => {
    const px = [0, 1, 0.5, -3, 7, Number.NaN, 0.25, Number.POSITIVE_INFINITY];
    const [cell] = embedded(imageGrid({ title: 't', images: px, imageWidth: 4, imageHeight: 2 }));
    expect(cell.grey).toEqual([255, 0, 128, 255, 0, 255, 191, 255]);
    const [ranged] = embedded(imageGrid({ title: 't', images: [-1, 0, 1, 2], imageWidth: 2, imageHeight: 2, range: [-1, 1] }));
    expect(ranged.grey).toEqual([255, 128, 0, 0]);
  });

  it('is deterministic, and its layout does not depend on the pixel values', () => {
    const a = imageGrid(base());
    expect(imageGrid(base())).toBe(a);
    const b = imageGrid({ ...base(), images: images(7).map((v) => 1 - v) });
    const strip = (s: string) => s.replace(/base64,[^"]+/g, '');
    expect(strip(b)).toBe(strip(a));
    expect(b).not.toBe(a);
  });

  it('renders square, sharp pixels in their exact greys through the raster entry', async () => {
    // a 2x2 checker, 20 px per pixel
    const svg = imageGrid({ title: 'checker', images: [1, 0, 0.5, 1], imageWidth: 2, imageHeight: 2, pixelSize: 20 });
    const [cell] = embedded(svg);
    const { width, rgba } = await renderRgba(svg);
    const at = (x: number, y: number) => rgba[4 * (Math.round(cell.y + y) * width + Math.round(cell.x + x))];
    const levels = new Set<number>();
    for (let y = 1; y < 39; y++) for (let x = 1; x < 39; x++) if (x !== 19 && x !== 20 && y !== 19 && y !== 20) levels.add(at(x, y));
    expect([...levels].sort((p, q) => p - q)).toEqual([0, 128, 255]);
    expect([at(5, 5), at(30, 5), at(5, 30), at(30, 30)]).toEqual([0, 255, 128, 0]);
  });

  it('refuses bad options with one line', () => {
    const bad: [Partial<ImageGridOptions>, string][] = [
      [{ imageWidth: 0 }, 'imageGrid: imageWidth and imageHeight must be whole numbers > 0, got 0 x 3'],
      [{ images: images(1).subarray(1) }, 'imageGrid: images has 11 values, not a whole number (>= 1) of 4 x 3 images'],
      [{ images: [] }, 'imageGrid: images has 0 values'],
      [{ captions: ['a'] }, 'imageGrid: 1 captions for 7 images'],
      [{ columns: 1.5 }, 'imageGrid: columns must be a whole number > 0, got 1.5'],
      [{ range: [1, 1] }, 'imageGrid: range must be [lo, hi] with lo < hi, got [1, 1]'],
      [{ pixelSize: -1 }, 'imageGrid: pixelSize must be a number > 0, got -1'],
    ];
    for (const [change, message] of bad) expect(() => imageGrid({ ...base(), ...change })).toThrow(message);
  });
});
