/**
 * Canvas drawing of the view in three layers: the base (heat map, data, arrows of the score; redrawn when
 * the field changes), the particles and the drawing cursor (every frame), and the overlay (axes, legend,
 * colour bar, labels; redrawn when their text changes). Everything is drawn on the canvas, so an exported
 * PNG carries it.
 */
import { heatColour, type FieldSnapshot, type HeatImage } from './heat.js';
import type { Range } from './protocol.js';
import * as detMath from '@scorefield/core-math/det-math';

/** Colours that stay distinct on every heat colour (heat.ts: a blue-teal ramp): checked in render.test.ts. */
export const PALETTE = {
  background: '#10131a',
  /** Particles: warm orange, with a dark rim. */
  particle: '#ff8a2a',
  /** Data: light grey dots, with a dark rim. */
  data: '#e9edf5',
  /** The learned score: white arrows over a dark halo. */
  arrow: '#ffffff',
  /** The exact score: magenta arrows. */
  trueArrow: '#ff5fd2',
  halo: 'rgba(0, 0, 0, 0.55)',
};

export interface ViewLayers {
  arrows: boolean;
  trueArrows: boolean;
  data: boolean;
  samples: boolean;
}

export interface ViewContent {
  range: Range;
  field: FieldSnapshot | null;
  /** Data points to show, [x0, y0, ...]. */
  data: Float32Array | null;
  /** Particles (sampling animation or the latest samples). */
  particles: Float32Array | null;
  /** Draw-mode cursor (keyboard drawing), data units. */
  cursor: [number, number] | null;
  /** Lines of text in the top-left corner. */
  labels: string[];
  /** Text for the bottom-left corner (the sampler's progress). */
  footer: string;
  heat: HeatImage | null;
  /** Canvas pixels per CSS pixel (text keeps a readable CSS size at any canvas size). */
  pixelRatio: number;
}

const transform = (size: number, r: Range) => ({
  px: (x: number) => ((x - r.x0) * size) / (r.x1 - r.x0),
  py: (y: number) => size - ((y - r.y0) * size) / (r.y1 - r.y0),
});

/** Dots with a dark rim: a light dot stays visible on the lightest heat colour, a dark one on the darkest. */
function dots(ctx: CanvasRenderingContext2D, pts: Float32Array, size: number, r: Range, colour: string, radius: number): void {
  const { px, py } = transform(size, r);
  const rim = radius + Math.max(1, radius * 0.45);
  for (const [fill, w] of [[PALETTE.halo, rim] as const, [colour, radius] as const]) {
    ctx.fillStyle = fill;
    for (let k = 0; k < pts.length; k += 2) {
      const x = px(pts[k]),
        y = py(pts[k + 1]);
      if (x > -w && x < size + w && y > -w && y < size + w) ctx.fillRect(x - w / 2, y - w / 2, w, w);
    }
  }
}

function arrows(ctx: CanvasRenderingContext2D, f: FieldSnapshot, s: Float32Array, size: number, colour: string, width: number): void {
  const g = f.grid,
    cell = size / g,
    dpr = size / 640;
  const norms: number[] = [];
  for (let k = 0; k < g * g; k++) norms.push(detMath.hypot(f.score[2 * k], f.score[2 * k + 1]));
  const ref = norms.filter(Number.isFinite).sort((a, b) => a - b)[Math.floor(norms.length / 2)] || 1;
  const path = new Path2D();
  for (let i = 1; i < g; i += 2) {
    for (let j = 1; j < g; j += 2) {
      const k = i * g + j,
        vx = s[2 * k],
        vy = s[2 * k + 1],
        n = detMath.hypot(vx, vy);
      if (!(n > 0) || !Number.isFinite(n)) continue;
      // Length saturates with |s| (direction exact): 1.8 cells at most.
      const len = 1.8 * cell * (n / (n + ref));
      const x0 = (j + 0.5) * cell,
        y0 = size - (i + 0.5) * cell;
      const ux = vx / n,
        uy = -vy / n;
      const x1 = x0 + ux * len,
        y1 = y0 + uy * len;
      path.moveTo(x0, y0);
      path.lineTo(x1, y1);
      const hd = Math.min(5 * dpr, 0.4 * len);
      path.moveTo(x1 - hd * (ux * 0.866 - uy * 0.5), y1 - hd * (uy * 0.866 + ux * 0.5));
      path.lineTo(x1, y1);
      path.lineTo(x1 - hd * (ux * 0.866 + uy * 0.5), y1 - hd * (uy * 0.866 - ux * 0.5));
    }
  }
  ctx.lineCap = 'round';
  ctx.strokeStyle = PALETTE.halo;
  ctx.lineWidth = (width + 1.6) * dpr;
  ctx.stroke(path);
  ctx.strokeStyle = colour;
  ctx.lineWidth = width * dpr;
  ctx.stroke(path);
}

/** The slowly changing layers (background, heat map, data, arrows), drawn once per snapshot into a cached canvas. */
export function drawBase(
  ctx: CanvasRenderingContext2D,
  size: number,
  c: ViewContent,
  layers: ViewLayers,
  heat: HTMLCanvasElement | null,
): void {
  const dpr = size / 640;
  ctx.save();
  ctx.fillStyle = PALETTE.background;
  ctx.fillRect(0, 0, size, size);
  if (heat) {
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'low';
    // The heat grid is of cell centres over the same range: it fills the canvas exactly.
    ctx.drawImage(heat, 0, 0, size, size);
  }
  if (layers.data && c.data) dots(ctx, c.data, size, c.range, PALETTE.data, 1.7 * dpr);
  const f = c.field;
  if (f && layers.trueArrows && f.trueScore) arrows(ctx, f, f.trueScore, size, PALETTE.trueArrow, 1.5);
  if (f && layers.arrows) {
    // Slightly translucent, so the data under them show through.
    ctx.globalAlpha = 0.85;
    arrows(ctx, f, f.score, size, PALETTE.arrow, 1.1);
    ctx.globalAlpha = 1;
  }
  ctx.restore();
}

/** Round tick values (1, 2, 5 x 10^k) inside [lo, hi], about `count` of them. */
export function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const p = detMath.pow(10, Math.floor(detMath.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return out;
}

/** Text on a dark box; (x, y) is the top left of the text. */
export function textBox(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, t: number, colour = '#f2f4f8'): void {
  ctx.textBaseline = 'top';
  const w = ctx.measureText(text).width;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
  ctx.fillRect(x - 3 * t, y - 2 * t, w + 6 * t, 16 * t);
  ctx.fillStyle = colour;
  ctx.fillText(text, x, y);
}

/** A line of text cut at spaces into lines no wider than `room` (a word wider than that keeps its own line). */
export function wrapText(text: string, room: number, width: (s: string) => number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && width(next) > room) {
      out.push(line);
      line = `  ${word}`;
    } else line = next;
  }
  out.push(line);
  return out;
}

/** Axes: ticks and values along the bottom and left edges (data units). */
function axes(ctx: CanvasRenderingContext2D, size: number, r: Range, t: number): void {
  const { px, py } = transform(size, r);
  const n = size / t < 420 ? 5 : 7;
  ctx.font = `${10.5 * t}px system-ui, sans-serif`;
  ctx.strokeStyle = 'rgba(242, 244, 248, 0.8)';
  ctx.lineWidth = t;
  ctx.textBaseline = 'top';
  for (const v of ticks(r.x0, r.x1, n)) {
    const x = px(v);
    ctx.beginPath();
    ctx.moveTo(x, size);
    ctx.lineTo(x, size - 6 * t);
    ctx.stroke();
    if (x > 40 * t && x < size - 30 * t) textBox(ctx, String(+v.toPrecision(3)), x - 6 * t, size - 19 * t, t, '#c9d0dc');
  }
  for (const v of ticks(r.y0, r.y1, n)) {
    const y = py(v);
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(6 * t, y);
    ctx.stroke();
    if (y > 70 * t && y < size - 40 * t) textBox(ctx, String(+v.toPrecision(3)), 9 * t, y - 6 * t, t, '#c9d0dc');
  }
}

/** A vertical colour bar in the right edge, with the values at its ends. */
function colourBar(ctx: CanvasRenderingContext2D, size: number, heat: HeatImage, t: number): void {
  const w = 10 * t,
    h = Math.min(160 * t, size * 0.35),
    x = size - w - 8 * t,
    y = 30 * t;
  const steps = 48;
  for (let i = 0; i < steps; i++) {
    const [r, g, b] = heatColour(1 - i / (steps - 1));
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(x, y + (i * h) / steps, w, h / steps + 1);
  }
  ctx.strokeStyle = 'rgba(242, 244, 248, 0.8)';
  ctx.lineWidth = t;
  ctx.strokeRect(x, y, w, h);
  ctx.font = `${10.5 * t}px system-ui, sans-serif`;
  const label = (v: number) => (v === 0 || v === 1 ? String(v) : v.toPrecision(2));
  for (const [v, yy] of [
    [heat.range[1], y],
    [heat.range[0], y + h],
  ] as const) {
    const s = label(v);
    textBox(ctx, s, x - ctx.measureText(s).width - 8 * t, yy - 6 * t, t);
  }
}

/** A rectangle on the canvas (canvas pixels, y down). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How many of the points [x0, y0, ...] (data units) fall inside `box` on a canvas of `size` showing `range`. */
export function pointsInBox(pts: ArrayLike<number>, range: Range, size: number, box: Box): number {
  const { px, py } = transform(size, range);
  let n = 0;
  for (let k = 0; k + 1 < pts.length; k += 2) {
    const x = px(pts[k]),
      y = py(pts[k + 1]);
    if (x >= box.x && x <= box.x + box.w && y >= box.y && y <= box.y + box.h) n++;
  }
  return n;
}

/** A symbol of the legend: its colour, its text and its mark. */
export type LegendItem = [colour: string, text: string, mark: 'dot' | 'arrow'];

/** The symbols the view shows. */
export function legendItems(layers: ViewLayers, c: Pick<ViewContent, 'data' | 'particles' | 'field'>): LegendItem[] {
  const items: LegendItem[] = [];
  if (layers.data && c.data) items.push([PALETTE.data, 'data', 'dot']);
  if (layers.samples && c.particles) items.push([PALETTE.particle, 'samples', 'dot']);
  if (layers.arrows && c.field) items.push([PALETTE.arrow, 'learned score s(x)', 'arrow']);
  if (layers.trueArrows && c.field?.trueScore) items.push([PALETTE.trueArrow, 'true score', 'arrow']);
  return items;
}

/**
 * Where the legend goes: of its places clear of the labels (top left), the colour bar (top right) and the axes'
 * values (a column in the bottom right or bottom left corner, or one row along the bottom edge, above the x values),
 * the one over the fewest data points, the bottom right corner on a tie; null when every place covers more than 0.5%
 * of the data points on the view (then the legend goes under the view: on a phone, where it is large beside the
 * view, the corner covered 2spirals' arms).
 */
export function legendBox(size: number, t: number, widths: number[], data: ArrayLike<number> | null, range: Range): LegendBox | null {
  const n = widths.length,
    lh = 15 * t;
  const colW = Math.max(...widths) + 30 * t,
    colH = n * lh + 8 * t;
  const rowW = widths.reduce((a, w) => a + w + 33 * t, 0) - 4 * t,
    rowH = lh + 8 * t;
  const places: LegendBox[] = [
    { x: size - colW - 6 * t, y: size - colH - 22 * t, w: colW, h: colH, row: false },
    { x: size - rowW - 6 * t, y: size - rowH - 22 * t, w: rowW, h: rowH, row: true },
    { x: 40 * t, y: size - colH - 22 * t, w: colW, h: colH, row: false },
  ];
  if (!data) return places[0];
  let best = places[0],
    least = Infinity;
  for (const p of places) {
    if (p.x < 0) continue; // a row wider than the view
    const covered = pointsInBox(data, range, size, p);
    if (covered < least) [best, least] = [p, covered];
  }
  return least <= 0.005 * (data.length / 2) ? best : null;
}

export interface LegendBox extends Box {
  /** The symbols side by side (else one under the other). */
  row: boolean;
}

/** Paints the legend's symbols into its box. */
export function paintLegend(ctx: CanvasRenderingContext2D, items: LegendItem[], box: LegendBox, t: number): void {
  ctx.font = `${11 * t}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  const lh = 15 * t;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
  ctx.fillRect(box.x, box.y, box.w, box.h);
  let x = box.x;
  items.forEach(([colour, text, mark], i) => {
    const cy = box.row ? box.y + 4 * t + lh / 2 : box.y + 4 * t + (i + 0.5) * lh;
    if (!box.row) x = box.x;
    ctx.fillStyle = ctx.strokeStyle = colour;
    if (mark === 'dot') ctx.fillRect(x + 8 * t, cy - 2.5 * t, 5 * t, 5 * t);
    else {
      ctx.lineWidth = 1.5 * t;
      ctx.beginPath();
      ctx.moveTo(x + 5 * t, cy);
      ctx.lineTo(x + 17 * t, cy);
      ctx.moveTo(x + 13 * t, cy - 3 * t);
      ctx.lineTo(x + 17 * t, cy);
      ctx.lineTo(x + 13 * t, cy + 3 * t);
      ctx.stroke();
    }
    ctx.fillStyle = '#f2f4f8';
    ctx.fillText(text, x + 23 * t, cy);
    x += ctx.measureText(text).width + 33 * t;
  });
}

/** Where the legend was drawn on the view, or the symbols it could not place there without covering data. */
export type LegendPlaced = { box: LegendBox; outside: null } | { box: null; outside: LegendItem[] } | null;

/** The legend of the symbols where it covers the fewest data points (legendBox), or none on the view (`outside`). */
function legend(ctx: CanvasRenderingContext2D, size: number, layers: ViewLayers, c: ViewContent, t: number): LegendPlaced {
  const items = legendItems(layers, c);
  if (!items.length) return null;
  ctx.font = `${11 * t}px system-ui, sans-serif`;
  const widths = items.map(([, s]) => ctx.measureText(s).width);
  const box = legendBox(size, t, widths, c.data, c.range);
  if (!box) return { box: null, outside: items };
  paintLegend(ctx, items, box, t);
  return { box, outside: null };
}

/**
 * The view with its legend in a strip under it (a PNG export of a view whose legend is under it on the page), on
 * `out`: the view as it is, then the symbols in one row.
 */
export function withLegendStrip(out: HTMLCanvasElement, view: HTMLCanvasElement, items: LegendItem[], t: number): void {
  const size = view.width,
    strip = 23 * t;
  out.width = size;
  out.height = size + strip;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = PALETTE.background;
  ctx.fillRect(0, 0, size, size + strip);
  ctx.drawImage(view, 0, 0);
  paintLegend(ctx, items, { x: 0, y: size, w: size, h: strip, row: true }, t);
}

/** Canvas pixels per point of text: text keeps 11-14 CSS px whatever the canvas size. */
export function textScale(size: number, pixelRatio: number): number {
  return Math.max(pixelRatio, Math.min(size / 640, 1.25 * pixelRatio));
}

/** The annotations (axes, colour bar, legend, labels, the sampler's progress) on a transparent canvas; returns where the legend went. */
export function drawOverlay(ctx: CanvasRenderingContext2D, size: number, c: ViewContent, layers: ViewLayers): LegendPlaced {
  ctx.clearRect(0, 0, size, size);
  ctx.save();
  const t = textScale(size, c.pixelRatio);
  axes(ctx, size, c.range, t);
  if (c.heat) colourBar(ctx, size, c.heat, t);
  const placed = legend(ctx, size, layers, c, t);
  ctx.font = `${12 * t}px system-ui, sans-serif`;
  // Left of the colour bar and its values: a longer line wraps at a space (a phone's view is narrow).
  const room = size - (c.heat ? 64 : 16) * t;
  const lines = [...c.labels, ...(c.heat ? [`heat: ${c.heat.legend}`] : [])].flatMap((line) =>
    wrapText(line, room, (x) => ctx.measureText(x).width),
  );
  lines.forEach((line, i) => textBox(ctx, line, 8 * t, (6 + 18 * i) * t, t));
  if (c.footer) {
    // The sampler's progress, in the particles' colour, under the labels.
    ctx.font = `600 ${12.5 * t}px system-ui, sans-serif`;
    textBox(ctx, c.footer, 8 * t, (6 + 18 * lines.length) * t, t, PALETTE.particle);
  }
  ctx.restore();
  return placed;
}

/** A number per data array (the legend's place depends on the data: a new run's data redraw the overlay). */
const dataIds = new WeakMap<Float32Array, number>();
let nextDataId = 1;
function dataId(data: Float32Array | null): number {
  if (!data) return 0;
  let id = dataIds.get(data);
  if (id === undefined) dataIds.set(data, (id = nextDataId++));
  return id;
}

/** What the overlay shows: it is redrawn only when this changes. */
export function overlayKey(size: number, c: ViewContent, layers: ViewLayers): string {
  const r = c.range;
  return [
    size,
    c.pixelRatio,
    r.x0,
    r.x1,
    r.y0,
    r.y1,
    c.labels.join('|'),
    c.heat?.legend,
    c.heat?.range.join(','),
    c.footer,
    dataId(c.data),
    !!c.particles,
    !!c.field,
    !!c.field?.trueScore,
    ...Object.values(layers),
  ].join(';');
}

/** A frame: the cached base, what moves (particles, cursor), then the cached overlay. */
export function drawFrame(
  ctx: CanvasRenderingContext2D,
  size: number,
  base: HTMLCanvasElement,
  overlay: HTMLCanvasElement,
  c: ViewContent,
  layers: ViewLayers,
): void {
  const dpr = size / 640;
  ctx.save();
  ctx.drawImage(base, 0, 0);
  if (layers.samples && c.particles) dots(ctx, c.particles, size, c.range, PALETTE.particle, 2.6 * dpr);
  if (c.cursor) {
    const { px, py } = transform(size, c.range);
    const x = px(c.cursor[0]),
      y = py(c.cursor[1]);
    ctx.strokeStyle = '#7fdcff';
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.arc(x, y, 10 * dpr, 0, 2 * Math.PI);
    ctx.moveTo(x - 16 * dpr, y);
    ctx.lineTo(x + 16 * dpr, y);
    ctx.moveTo(x, y - 16 * dpr);
    ctx.lineTo(x, y + 16 * dpr);
    ctx.stroke();
  }
  ctx.drawImage(overlay, 0, 0);
  ctx.restore();
}
