/**
 * A grid of greyscale images (data or samples of an image model), with optional captions under each image.
 */
import { noteLine, titleBlock } from './field-plot.js';
import { drawnWidth, STYLE } from './layout.js';
import { base64, encodeGreyPng } from './png.js';
import { el, svgDocument, text } from './svg.js';

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Main title, top of the figure. */
  title: string;
  /** Smaller second line under the title. */
  subtitle?: string;
  /** n images, row-major `[n, imageWidth * imageHeight]`; each image row-major too (pixel (y, x) at `y * imageWidth + x`). */
  images: ArrayLike<number>;
  /** Image width, pixels. */
  imageWidth: number;
  /** Image height, pixels. */
  imageHeight: number;
  /** Images per row of the grid (default ceil(sqrt(n)), at most n). */
  columns?: number;
  /** One caption per image (e.g. its label or predicted class), drawn under it. */
  captions?: readonly string[];
  /** Values drawn white and black: `[lo, hi]` (default `[0, 1]`, ink on paper); values outside get the end colours. */
  range?: [number, number];
  /** Figure px per image pixel (default: the whole number that makes an image about 56 px wide, at least 1). */
  pixelSize?: number;
  /** One line of status text under the grid (e.g. `'step 500/1000 · σ = 0.05'`). */
  note?: string;
}

/** Gap between grid cells, px. */
const GAP = 6;
const CAPTION_SIZE = 11;
const CAPTION_ROW = 16;
const NOTE_ROW_H = 20;
/** Top of the grid with a title, and with a subtitle too, px. */
const TOP = { title: 44, subtitle: 64 };

/**
 * Draw images as a grid: each image as an embedded greyscale PNG (a `data:` URL, so the SVG stays one file;
 * pixels stay square and sharp when scaled: `image-rendering="pixelated"`), framed by a thin grey line so a white
 * background shows against the paper. Pixel value `lo` (default 0) is white, `hi` (default 1) black, linear in
 * between, rounded to 256 grey levels; non-finite values are drawn white (like missing points in the other
 * figures). The layout depends only on the options' sizes, never on the pixel values, so animation frames line up.
 * @param opts see {@link ImageGridOptions}
 * @returns the SVG document (deterministic for the same input)
 * @throws Error for sizes that are not positive whole numbers, images that do not fill whole images, a caption count
 *   that differs from the image count, or a range that is not `lo < hi`
 */
export function imageGrid(opts: ImageGridOptions): string {
  const { imageWidth: w, imageHeight: h, images } = opts;
  const pixels = w * h;
  const n = validate(opts);
  const columns = Math.min(n, opts.columns ?? Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / columns);
  const scale = opts.pixelSize ?? Math.max(1, Math.round(56 / Math.max(w, h)));
  const cellW = w * scale;
  const cellH = h * scale;
  const captionH = opts.captions ? CAPTION_ROW : 0;
  const gridW = columns * cellW + (columns - 1) * GAP;
  const gridH = rows * (cellH + captionH) + (rows - 1) * GAP;
  const titleW = Math.max(drawnWidth(opts.title, STYLE.titleSize, true), opts.subtitle ? drawnWidth(opts.subtitle, STYLE.subtitleSize) : 0);
  const width = Math.ceil(Math.max(gridW, titleW) + 2 * STYLE.pad);
  const top = opts.subtitle ? TOP.subtitle : TOP.title;
  const height = Math.ceil(top + gridH + (opts.note !== undefined ? NOTE_ROW_H + 4 : 0) + STYLE.pad);
  const left = (width - gridW) / 2;
  const [lo, hi] = opts.range ?? [0, 1];

  const cells: string[] = [];
  const frames: string[] = [];
  const captions: string[] = [];
  const grey = new Uint8Array(pixels);
  for (let i = 0; i < n; i++) {
    const x = left + (i % columns) * (cellW + GAP);
    const y = top + Math.floor(i / columns) * (cellH + captionH + GAP);
    for (let p = 0; p < pixels; p++) {
      const v = images[i * pixels + p];
      const t = (v - lo) / (hi - lo);
      grey[p] = Number.isFinite(t) ? Math.round(255 * (1 - Math.min(1, Math.max(0, t)))) : 255;
    }
    const href = `data:image/png;base64,${base64(encodeGreyPng(grey, w, h))}`;
    cells.push(el('image', { x, y, width: cellW, height: cellH, href, preserveAspectRatio: 'none' }));
    frames.push(el('rect', { x: x - 0.5, y: y - 0.5, width: cellW + 1, height: cellH + 1 }));
    if (opts.captions) captions.push(text(opts.captions[i], { x: x + cellW / 2, y: y + cellH + CAPTION_SIZE + 2 }));
  }
  const body = [
    titleBlock(opts.title, opts.subtitle, width / 2, width),
    el('g', { class: 'images', 'image-rendering': 'pixelated' }, '\n', cells.join('\n'), '\n'),
    el('g', { class: 'frames', fill: 'none', stroke: '#cccccc', 'stroke-width': 1 }, '\n', frames.join('\n'), '\n'),
    opts.captions
      ? el(
          'g',
          { class: 'captions', 'text-anchor': 'middle', 'font-size': CAPTION_SIZE, fill: STYLE.text },
          '\n',
          captions.join('\n'),
          '\n',
        )
      : '',
    opts.note !== undefined ? noteLine(opts.note, left, top + gridH + 4) : '',
  ];
  return svgDocument(width, height, body.filter((s) => s !== '').join('\n'), opts.title);
}

/** Checks the options; returns the number of images. */
function validate(opts: ImageGridOptions): number {
  const { imageWidth: w, imageHeight: h, images } = opts;
  const whole = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!whole(w) || !whole(h)) throw new Error(`imageGrid: imageWidth and imageHeight must be whole numbers > 0, got ${w} x ${h}`);
  const length = images?.length;
  if (typeof length !== 'number' || length === 0 || length % (w * h) !== 0) {
    throw new Error(`imageGrid: images has ${length} values, not a whole number (>= 1) of ${w} x ${h} images`);
  }
  const n = length / (w * h);
  if (opts.columns !== undefined && !whole(opts.columns))
    throw new Error(`imageGrid: columns must be a whole number > 0, got ${opts.columns}`);
  if (opts.captions && opts.captions.length !== n) throw new Error(`imageGrid: ${opts.captions.length} captions for ${n} images`);
  if (opts.pixelSize !== undefined && !(Number.isFinite(opts.pixelSize) && opts.pixelSize > 0)) {
    throw new Error(`imageGrid: pixelSize must be a number > 0, got ${opts.pixelSize}`);
  }
  if (opts.range !== undefined) {
    const [lo, hi] = opts.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
      throw new Error(`imageGrid: range must be [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  }
  return n;
}
