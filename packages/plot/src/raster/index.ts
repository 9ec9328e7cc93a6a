/**
 * @scorefield/plot/raster — Node-only raster output for the SVG figures of `@scorefield/plot`:
 * PNG and raw RGBA through resvg (WebAssembly) with bundled DejaVu Sans fonts, and animated
 * GIFs with a pure-TypeScript encoder.
 */
import { renderRgba, type RasterOptions } from './render.js';
import { encodeGif } from './gif.js';

export { renderPng, renderRgba, RASTER_FONT_FAMILY, type RasterOptions, type RgbaImage } from './render.js';
export { encodeGif, type GifOptions } from './gif.js';

/** Options of {@link animateSvgs}. */
export interface AnimateOptions extends RasterOptions {
  /** Time each frame is shown, ms (rounded to 10 ms, at least 20 ms). */
  delayMs: number;
  /** Repeat forever (default true). */
  loop?: boolean;
}

/**
 * Render SVG frames and encode them as one animated GIF. Frames are rendered one at a time, so
 * memory holds the RGBA of the frames plus one render.
 * @param svgs standalone SVG documents of the same size (e.g. `scatterPlot` with fixed ranges)
 * @param opts delay per frame, scale (default 1), looping (default forever)
 * @returns the GIF bytes
 * @throws Error for no frames, frames that render to different sizes, or an unparsable SVG
 */
export async function animateSvgs(svgs: string[], opts: AnimateOptions): Promise<Uint8Array> {
  if (!Array.isArray(svgs) || svgs.length === 0) throw new Error('animateSvgs: need at least one SVG frame');
  const frames = [];
  for (let i = 0; i < svgs.length; i++) {
    try {
      frames.push(await renderRgba(svgs[i], { scale: opts.scale }));
    } catch (e) {
      throw new Error(`animateSvgs: frame ${i}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return encodeGif(frames, { delayMs: opts.delayMs, loop: opts.loop });
}
