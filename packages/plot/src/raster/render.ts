/**
 * SVG → pixels with resvg compiled to WebAssembly (no native binaries) and the DejaVu Sans
 * TrueType fonts shipped by the `dejavu-fonts-ttf` package, so text renders the same on every
 * machine — including CI containers and servers that have no system fonts at all.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg, type ResvgRenderOptions } from '@resvg/resvg-wasm';

const require = createRequire(import.meta.url);

/** Family name of the bundled font; every `font-family` in our figures falls back to it. */
export const RASTER_FONT_FAMILY = 'DejaVu Sans';

/** Font files loaded into resvg: regular for body text, bold for titles (`font-weight: 600`). */
const FONT_FILES = ['dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'];

/** Options of {@link renderPng} and {@link renderRgba}. */
export interface RasterOptions {
  /**
   * Pixels per SVG user unit (default 1: a 720 × 720 figure gives a 720 × 720 image; use 2 for
   * sharp figures on high-density screens and in print). The size is rounded to whole pixels.
   */
  scale?: number;
}

/** An RGBA image: `rgba[4·(y·width + x) + c]`, rows top to bottom, straight (not premultiplied) alpha. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

let ready: Promise<Uint8Array[]> | undefined;

/** Initialise the WebAssembly module and read the fonts, once per process. */
function init(): Promise<Uint8Array[]> {
  if (!ready) {
    ready = (async () => {
      const wasm = readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm'));
      await initWasm(wasm);
      return FONT_FILES.map((f) => new Uint8Array(readFileSync(require.resolve(f))));
    })();
    // A failed start (missing file) must not poison every later call with the same rejection.
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}

function options(fonts: Uint8Array[], scale: number): ResvgRenderOptions {
  return {
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: {
      fontBuffers: fonts,
      defaultFontFamily: RASTER_FONT_FAMILY,
      sansSerifFamily: RASTER_FONT_FAMILY,
      serifFamily: RASTER_FONT_FAMILY,
      monospaceFamily: RASTER_FONT_FAMILY,
      cursiveFamily: RASTER_FONT_FAMILY,
      fantasyFamily: RASTER_FONT_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
  };
}

function checkScale(scale: number): void {
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 16)) {
    throw new Error(`raster: scale must be a number in (0, 16], got ${scale}`);
  }
}

async function withImage<T>(
  svg: string,
  opts: RasterOptions | undefined,
  use: (img: { width: number; height: number; pixels: Uint8Array; asPng(): Uint8Array }) => T,
): Promise<T> {
  const scale = opts?.scale ?? 1;
  checkScale(scale);
  if (typeof svg !== 'string' || svg.trim() === '') throw new Error('raster: expected an SVG document string, got an empty input');
  const fonts = await init();
  let resvg: InstanceType<typeof Resvg>;
  try {
    resvg = new Resvg(resvgDialect(svg), options(fonts, scale));
  } catch (e) {
    throw new Error(`raster: could not parse the SVG: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const img = resvg.render();
    try {
      return use(img);
    } finally {
      img.free();
    }
  } finally {
    resvg.free();
  }
}

/**
 * resvg knows only SVG 1.1's `image-rendering="optimizeSpeed"` for nearest-neighbour image scaling and treats the
 * CSS value browsers use, `pixelated` (which they need: Chromium smooths `optimizeSpeed`), as the smooth default.
 * Both mean sharp square pixels (`imageGrid`), so the one is read as the other.
 */
function resvgDialect(svg: string): string {
  return svg.replaceAll('image-rendering="pixelated"', 'image-rendering="optimizeSpeed"');
}

/**
 * Rasterise an SVG document to a PNG file (8-bit RGBA).
 * @param svg a standalone SVG document, e.g. from `fieldPlot`
 * @param opts `scale`: pixels per SVG unit (default 1)
 * @returns the PNG bytes
 * @throws Error when the SVG cannot be parsed or the scale is not in (0, 16]
 */
export function renderPng(svg: string, opts?: RasterOptions): Promise<Uint8Array> {
  return withImage(svg, opts, (img) => new Uint8Array(img.asPng()));
}

/**
 * Rasterise an SVG document to raw RGBA pixels (straight alpha), e.g. as a frame for
 * `encodeGif`.
 * @param svg a standalone SVG document
 * @param opts `scale`: pixels per SVG unit (default 1)
 * @returns width, height and `width·height·4` bytes, rows top to bottom
 * @throws Error when the SVG cannot be parsed or the scale is not in (0, 16]
 */
export function renderRgba(svg: string, opts?: RasterOptions): Promise<RgbaImage> {
  return withImage(svg, opts, (img) => {
    const rgba = new Uint8Array(img.pixels);
    unpremultiply(rgba);
    return { width: img.width, height: img.height, rgba };
  });
}

/** tiny-skia keeps premultiplied alpha; callers expect straight alpha (as in PNG). */
function unpremultiply(px: Uint8Array): void {
  for (let i = 0; i < px.length; i += 4) {
    const a = px[i + 3];
    if (a === 255 || a === 0) continue;
    px[i] = Math.min(255, Math.round((px[i] * 255) / a));
    px[i + 1] = Math.min(255, Math.round((px[i + 1] * 255) / a));
    px[i + 2] = Math.min(255, Math.round((px[i + 2] * 255) / a));
  }
}
