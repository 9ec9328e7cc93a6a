/**
 * The view in image mode: a grid of images (8 x 8: the samples as the sampler runs, or the training digits), drawn
 * pixel for pixel (no smoothing) with a one-pixel gap between images, the labels above it and the sampler's
 * progress (its step and noise level) under it. Pixel values are shown on MNIST's scale, [0, 1] from black
 * background to white ink, clamped; a value that is not a finite number is drawn in the gap colour.
 */
import type { ImageShape } from '@scorefield/models';
import { PALETTE, textBox } from './render-view.js';

/** Images per row of the grid (the grid holds GRID_COLUMNS² images). */
export const GRID_COLUMNS = 8;
/** The gap between images, RGB. */
const GAP: [number, number, number] = [42, 48, 64];

export interface ImageGridContent {
  /** Images [n, width * height], row-major; null: nothing to show yet (`empty` says why). */
  images: Float32Array | null;
  shape: ImageShape;
  /** Lines of text above the grid. */
  labels: string[];
  /** A line under the grid (the sampler's progress), in the particles' colour. */
  footer: string;
  empty: string;
  /** Canvas pixels per CSS pixel. */
  pixelRatio: number;
  /** A caption per image (the classifier's top class), drawn in its bottom-left corner. */
  captions?: string[];
}

/**
 * The RGBA pixels of the first `columns`² images laid out in rows of `columns`, with a one-pixel gap around each:
 * (columns (w + 1) + 1) x (rows (h + 1) + 1) pixels.
 */
export function gridPixels(
  images: Float32Array,
  shape: ImageShape,
  columns = GRID_COLUMNS,
): { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } {
  const { width: w, height: h } = shape;
  const n = Math.min(columns * columns, Math.floor(images.length / (w * h)));
  const rows = Math.max(1, Math.ceil(n / columns));
  const W = columns * (w + 1) + 1,
    H = rows * (h + 1) + 1;
  const px = new Uint8ClampedArray(4 * W * H);
  for (let k = 0; k < W * H; k++) px.set([...GAP, 255], 4 * k);
  for (let i = 0; i < n; i++) {
    const x0 = 1 + (i % columns) * (w + 1),
      y0 = 1 + Math.floor(i / columns) * (h + 1);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = images[i * w * h + y * w + x];
        if (!Number.isFinite(v)) continue;
        const g = Math.round(255 * Math.min(1, Math.max(0, v)));
        const o = 4 * ((y0 + y) * W + x0 + x);
        px[o] = px[o + 1] = px[o + 2] = g;
      }
  }
  return { data: px, width: W, height: H };
}

/** Small captions in the bottom-left corner of each image of the grid (drawn at `scale` canvas pixels per grid pixel). */
function captionTiles(
  ctx: CanvasRenderingContext2D,
  captions: string[],
  shape: ImageShape,
  at: { left: number; top: number; scale: number },
  t: number,
): void {
  ctx.font = `${9.5 * t}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  captions.slice(0, GRID_COLUMNS * GRID_COLUMNS).forEach((text, i) => {
    const x = at.left + (1 + (i % GRID_COLUMNS) * (shape.width + 1)) * at.scale;
    const y = at.top + (1 + (Math.floor(i / GRID_COLUMNS) + 1) * (shape.height + 1) - 1) * at.scale;
    const w = ctx.measureText(text).width;
    ctx.fillStyle = 'rgba(0, 0, 0, 0.65)';
    ctx.fillRect(x, y - 11 * t, w + 4 * t, 11 * t);
    ctx.fillStyle = PALETTE.particle;
    ctx.fillText(text, x + 2 * t, y);
  });
}

/** Draws the grid view on a `size` x `size` canvas; `scratch` is a canvas of the grid's own pixels. */
export function drawImageGrid(ctx: CanvasRenderingContext2D, size: number, c: ImageGridContent, scratch: HTMLCanvasElement): void {
  const dpr = size / 640;
  const t = Math.max(c.pixelRatio, Math.min(dpr, 1.25 * c.pixelRatio));
  ctx.save();
  ctx.fillStyle = PALETTE.background;
  ctx.fillRect(0, 0, size, size);
  const top = (10 + 18 * c.labels.length) * t,
    bottom = 26 * t;
  const side = Math.max(0, Math.min(size - 16 * t, size - top - bottom));
  const left = (size - side) / 2;
  if (c.images) {
    const img = gridPixels(c.images, c.shape);
    scratch.width = img.width;
    scratch.height = img.height;
    scratch.getContext('2d')!.putImageData(new ImageData(img.data, img.width, img.height), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, left, top, side, (side * img.height) / img.width);
    if (c.captions) captionTiles(ctx, c.captions, c.shape, { left, top, scale: side / img.width }, t);
  } else {
    ctx.font = `${13 * t}px system-ui, sans-serif`;
    textBox(ctx, c.empty, left, top + side / 2, t, '#c9d0dc');
  }
  ctx.font = `${12 * t}px system-ui, sans-serif`;
  c.labels.forEach((line, i) => textBox(ctx, line, 8 * t, (6 + 18 * i) * t, t));
  if (c.footer) {
    ctx.font = `600 ${12.5 * t}px system-ui, sans-serif`;
    textBox(ctx, c.footer, left, top + side + 6 * t, t, PALETTE.particle);
  }
  ctx.restore();
}
