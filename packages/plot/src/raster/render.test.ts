import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { renderPng, renderRgba, type RgbaImage } from './index.js';
import { fieldPlot } from '../field-plot.js';
import { imageGrid } from '../image-grid.js';
import { gridPoints } from '../range.js';

/** Width, height, bit depth and colour type from a PNG's IHDR, after checking the signature. */
function pngHeader(png: Uint8Array): { width: number; height: number; depth: number; colourType: number } {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  return { width: v.getUint32(16), height: v.getUint32(20), depth: png[24], colourType: png[25] };
}

/** Decode an 8-bit RGBA, non-interlaced PNG (what resvg writes) to pixels. */
function decodePng(png: Uint8Array): RgbaImage {
  const { width, height, depth, colourType } = pngHeader(png);
  expect(depth).toBe(8);
  expect(colourType).toBe(6);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array[] = [];
  for (let p = 8; p < png.length; ) {
    const len = v.getUint32(p),
      type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (type === 'IDAT') idat.push(png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  const stride = width * 4;
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const c = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? rgba[y * stride + x - 4] : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + x] : 0;
      const cc = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - cc),
          pb = Math.abs(a - cc),
          pc = Math.abs(a + b - 2 * cc);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : cc;
      }
      rgba[y * stride + x] = (c + pred) & 255;
    }
  }
  return { width, height, rgba };
}

const px = (img: RgbaImage, x: number, y: number): number[] => [...img.rgba.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4)];

/** Pixels in a rectangle that are clearly not white. */
function inked(img: RgbaImage, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = 4 * (y * img.width + x);
      if (img.rgba[o] + img.rgba[o + 1] + img.rgba[o + 2] < 600) n++;
    }
  }
  return n;
}

const R: [number, number] = [-2, 2];
function figure(title: string): string {
  const points = gridPoints(R, R, 8, 8);
  return fieldPlot({
    title,
    subtitle: 'σ = 0.1 · 8gaussians',
    xRange: R,
    yRange: R,
    width: 400,
    height: 400,
    field: { points, vectors: points.map((v) => -v) },
  });
}

describe('renderPng', () => {
  it('writes a PNG of the SVG size, scaled on request', async () => {
    const svg = figure('score field');
    const png = await renderPng(svg);
    expect(pngHeader(png)).toMatchObject({ width: 400, height: 400 });
    expect(pngHeader(await renderPng(svg, { scale: 2 }))).toMatchObject({ width: 800, height: 800 });
    expect(pngHeader(await renderPng(svg, { scale: 0.5 }))).toMatchObject({ width: 200, height: 200 });
  });
  it('renders text with the bundled font, without system fonts', async () => {
    // The title band (y < 36) holds nothing but the title: with a title it is inked, without it is blank.
    const withTitle = decodePng(await renderPng(figure('learned score field')));
    const blank = decodePng(await renderPng(figure('')));
    const titled = inked(withTitle, 0, 8, 400, 36);
    expect(titled).toBeGreaterThan(300);
    expect(inked(blank, 0, 8, 400, 36)).toBe(0);
    // Subtitle and tick labels render too (Greek σ included).
    expect(inked(withTitle, 0, 36, 400, 54)).toBeGreaterThan(100);
    // A longer title inks more pixels: glyphs are really being drawn.
    const longer = decodePng(await renderPng(figure('learned score field, long title')));
    expect(inked(longer, 0, 8, 400, 36)).toBeGreaterThan(titled * 1.3);
  });
  it('shrinks a title or subtitle too long for the figure instead of cutting it at the edges', async () => {
    // The CLI's titles of a continuous model (drawn cut at both edges before: the bundled font is wider than the estimate).
    const title = 'learned score field · continuous VE SDE σ 4.66→0.0322 · 15000 steps · seed 0';
    const subtitle =
      'score model, silu MLP 41-64-64-64-2, conditioning fourier · data: two.csv · read at σ = 0.0322 (smallest training level)';
    const points = gridPoints(R, R, 8, 8);
    const field = fieldPlot({ title, subtitle, xRange: R, yRange: R, width: 720, height: 720, field: { points, vectors: points } });
    const grid = imageGrid({
      title: 'samples (annealed, seed 0) · ncsn 39 levels σ 24.7→0.0548 · 500 steps · seed 0',
      subtitle:
        "score model, silu MLP 203-256-256-256-196, conditioning mixture · data: mnist · captions: the MNIST classifier's top " +
        'class · probability · 14x14 · white -0.354, black 1.21',
      images: new Float32Array(4 * 196).fill(0.5),
      imageWidth: 14,
      imageHeight: 14,
    });
    for (const svg of [field, grid]) {
      const img = decodePng(await renderPng(svg));
      expect(inked(img, 0, 8, img.width, 36)).toBeGreaterThan(300); // the title is drawn
      expect(inked(img, 0, 36, img.width, 56)).toBeGreaterThan(300); // and the subtitle
      // Nothing within 4 px of either edge of the title band.
      expect(inked(img, 0, 0, 4, 56) + inked(img, img.width - 4, 0, img.width, 56)).toBe(0);
    }
  });
  it('renders any font-family stack, generic names included, with the bundled font', async () => {
    const svgs = ['sans-serif', 'serif', 'monospace', "'No Such Font'", 'system-ui, Helvetica, Arial'].map(
      (f) =>
        `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/><text x="10" ` +
        `y="28" font-family="${f}" font-size="20">Hello σ</text></svg>`,
    );
    for (const svg of svgs) {
      const img = decodePng(await renderPng(svg));
      expect(inked(img, 0, 0, 200, 40), svg).toBeGreaterThan(80);
    }
  });
  it('renders a known rectangle in its exact colour', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect width="60" height="40" fill="#ffffff"/><rect x="10" y="10" ' +
      'width="30" height="20" fill="#3366cc"/></svg>';
    const img = decodePng(await renderPng(svg));
    expect(px(img, 25, 20)).toEqual([0x33, 0x66, 0xcc, 255]);
    expect(px(img, 5, 5)).toEqual([255, 255, 255, 255]);
    expect(px(img, 45, 35)).toEqual([255, 255, 255, 255]);
  });
  it('refuses bad input with an Error', async () => {
    await expect(renderPng('not svg')).rejects.toThrow(/raster: could not parse the SVG/);
    await expect(renderPng('')).rejects.toThrow(/empty/);
    await expect(renderPng(figure('t'), { scale: 0 })).rejects.toThrow(/scale/);
    await expect(renderPng(figure('t'), { scale: NaN })).rejects.toThrow(/scale/);
  });
});

describe('renderRgba', () => {
  it('returns width × height × 4 bytes matching the PNG', async () => {
    const svg = figure('score field');
    const img = await renderRgba(svg);
    expect(img.width).toBe(400);
    expect(img.height).toBe(400);
    expect(img.rgba.length).toBe(400 * 400 * 4);
    const fromPng = decodePng(await renderPng(svg));
    expect(Buffer.from(img.rgba).equals(Buffer.from(fromPng.rgba))).toBe(true);
  });
  it('gives straight (not premultiplied) alpha', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#ff0000" fill-opacity="0.5"/></svg>';
    const [r, g, b, a] = px(await renderRgba(svg), 1, 1);
    expect(a).toBeGreaterThanOrEqual(127);
    expect(a).toBeLessThanOrEqual(128);
    expect([r, g, b]).toEqual([255, 0, 0]);
  });
});
