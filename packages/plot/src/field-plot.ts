/**
 * The main figure of scorefield: a 2-D score field as arrows over data and samples,
 * optionally over a heat map, with equal aspect, axes, legend and colour bar.
 */
import { checkRange, type Range } from './range.js';
import { formatPow10, formatTick, logTickExponents, niceTicks, tickStep } from './ticks.js';
import { colormap, viridis, type ColormapName } from './colormap.js';
import { el, hashId, num, sig, svgDocument, text } from './svg.js';
import { fittedFontSize, linear, STYLE, textWidth, type Box } from './layout.js';
import { axesFrame, gridLines, type Tick } from './axes.js';
import { flowLegend, flowLegendHeight, legendRows, type LegendItem } from './legend.js';
import { checkNotDetached } from './detached.js';

/** Options of {@link fieldPlot}. All point arrays are interleaved `[x0, y0, x1, y1, …]` in data units. */
export interface FieldPlotOptions {
  /** Main title, top of the figure. */
  title: string;
  /** Smaller second line under the title. */
  subtitle?: string;
  /** Visible x interval, data units. */
  xRange: Range;
  /** Visible y interval, data units. */
  yRange: Range;
  /** Document width, px (default 720). */
  width?: number;
  /** Document height, px (default 720). */
  height?: number;
  /**
   * Vector field: `vectors[2k..2k+1]` is the vector at `points[2k..2k+1]`; same length, even.
   * Leave it out for a plain heat map (energy, density, error map) without arrows.
   */
  field?: { points: ArrayLike<number>; vectors: ArrayLike<number> };
  /**
   * Heat map under everything else, with a colour bar: see {@link HeatLayer} (linear or log
   * colour scale, optional fixed limits).
   */
  heat?: HeatLayer;
  /** Data points, drawn as small grey dots. */
  data?: ArrayLike<number>;
  /** Sampled points, drawn as small semi-transparent orange dots. */
  samples?: ArrayLike<number>;
  /** Legend labels (defaults: 'data', 'samples', 'score s(x)'). */
  labels?: { data?: string; samples?: string; field?: string };
  /**
   * One line of status text (e.g. `'σ = 0.31'`) under the legend, left-aligned with the plot
   * area, so it stays put from frame to frame in an animation.
   */
  note?: string;
}

/**
 * A heat map on the cell-centred grid `gridPoints(xRange, yRange, nx, ny)`: `values[j·nx + i]`
 * colours cell `(i, j)`, x fastest, y upwards. Typical layers: an energy `E(x)`, a density
 * `exp(−E(x))` or log-density, an error map `|s(x) − s_true(x)|`.
 */
export interface HeatLayer {
  values: ArrayLike<number>;
  nx: number;
  ny: number;
  /** Names the colour bar (and the legend swatch). */
  label: string;
  /** Colour map, default `'viridis'`. */
  colormap?: ColormapName;
  /**
   * Colour by `log10(value)` with decade ticks on the colour bar, for values spanning orders of
   * magnitude (densities, errors). Values ≤ 0 are then left blank.
   */
  logScale?: boolean;
  /**
   * Fixed colour limits `[lo, hi]` (in value units, also with `logScale`): values outside are
   * drawn in the end colours. Keeps colours comparable across the frames of an animation and
   * stops a few huge values (an energy far from the data) from washing out the rest.
   * Default: the finite min and max.
   */
  range?: Range;
}

/** Colour-bar scale of a heat layer: limits in the coloured space (log10 with logScale). */
interface HeatScale {
  lo: number;
  hi: number;
  ticks: number[];
  labels: string[];
  labelW: number;
  log: boolean;
}

/** Colour of data points (dots, histograms). */
export const DATA_COLOUR = '#5f5f5f';
/** Colour of sampled points (dots, histograms). */
export const SAMPLE_COLOUR = '#f07f0f';
const DOT_R = 1.8;
// Arrows use viridis up to here: the palest yellow at the very top vanishes on white.
const ARROW_T_MAX = 0.9;
const COLOURBAR_W = 14;

/**
 * Draw a 2-D score field (arrows), data and samples (dots) and an optional heat map as a
 * standalone SVG document.
 *
 * - Equal aspect: one data unit has the same length in px on both axes; the plot area is as
 *   large as fits and centred.
 * - Arrows are centred on their grid point. Their length is proportional to the norm, scaled
 *   so the 95th percentile of the norms is 0.9 of a grid cell (cell = √(plot area / number of
 *   arrows), exact for a `gridPoints` grid); longer arrows are capped at one cell. Colour
 *   encodes the norm on viridis, and the legend notes the largest norm.
 * - Layers, bottom to top: grid, heat, data, samples, arrows, axes; all clipped to the plot
 *   area. Non-finite points, vectors and heat values are skipped.
 * @param opts see {@link FieldPlotOptions}
 * @returns the SVG document as a string (deterministic for the same input)
 * @throws Error when the field arrays differ in length or are odd, the heat grid does not
 *   match `nx·ny`, a range is empty, or a point array has odd length
 */
export function fieldPlot(opts: FieldPlotOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 720;
  validate(opts, width, height);
  const [x0, x1] = opts.xRange;
  const [y0, y1] = opts.yRange;
  const id = `sf${hashId(`${opts.title}|${opts.subtitle ?? ''}|${x0},${x1},${y0},${y1}`)}`;
  const heat = opts.heat;
  const cmap = colormap(heat?.colormap ?? 'viridis');

  // --- ticks first: their labels decide the margins
  const xt = niceTicks(x0, x1, 6),
    yt = niceTicks(y0, y1, 6);
  const xStep = tickStep(x0, x1, 6).step,
    yStep = tickStep(y0, y1, 6).step;
  const xLabels = xt.map((v) => formatTick(v, xStep));
  const yLabels = yt.map((v) => formatTick(v, yStep));
  const yLabelW = Math.max(0, ...yLabels.map((s) => textWidth(s, STYLE.tickSize)));

  const heatRange = heat ? heatScale(heat) : undefined;

  // --- legend entries (the note about arrow colours needs the norms)
  const arrows = opts.field ? arrowStats(opts.field.points, opts.field.vectors) : undefined;
  const labels = opts.labels ?? {};
  const legend: LegendItem[] = [];
  if (heat) legend.push({ label: heat.label, symbol: { kind: 'gradient', ref: `${id}-heat` } });
  if (opts.data) legend.push({ label: labels.data ?? 'data', symbol: { kind: 'dot', fill: DATA_COLOUR, opacity: 0.7 } });
  if (opts.samples) legend.push({ label: labels.samples ?? 'samples', symbol: { kind: 'dot', fill: SAMPLE_COLOUR, opacity: 0.8 } });
  if (arrows) {
    legend.push({ label: labels.field ?? 'score s(x)', symbol: { kind: 'arrow', color: viridis(0.45) } });
    legend.push({ label: `arrow colour: |s(x)|, max ${sig(arrows.max)}`, symbol: { kind: 'note' } });
  }

  // --- margins and the equal-aspect plot box
  const pad = STYLE.pad;
  const top = opts.subtitle ? 64 : 44;
  const legendRowsN = legend.length ? legendRows(legend, width - 2 * pad).length : 0;
  const xTickBand = STYLE.tickLength + 4 + STYLE.tickSize + 2;
  const noteH = opts.note ? NOTE_ROW_H : 0;
  const bottom = pad + xTickBand + (legendRowsN ? 12 + flowLegendHeight(legendRowsN) : 0) + noteH;
  const left = pad + yLabelW + STYLE.tickLength + 6;
  const cbarBand = heatRange ? 18 + COLOURBAR_W + STYLE.tickLength + 5 + heatRange.labelW + 10 + 14 : 0;
  const right = pad + 8 + cbarBand; // 8: room for the last x tick label's right half
  const availW = Math.max(10, width - left - right),
    availH = Math.max(10, height - top - bottom);
  const scale = Math.min(availW / (x1 - x0), availH / (y1 - y0));
  const box: Box = { w: (x1 - x0) * scale, h: (y1 - y0) * scale, x: 0, y: 0 };
  box.x = left + (availW - box.w) / 2;
  box.y = top + (availH - box.h) / 2;
  const px = linear(x0, x1, box.x, box.x + box.w);
  const py = linear(y0, y1, box.y + box.h, box.y); // data y up, SVG y down

  // --- layers
  const clip = `url(#${id}-clip)`;
  const defs: string[] = [el('clipPath', { id: `${id}-clip` }, el('rect', { x: box.x, y: box.y, width: box.w, height: box.h }))];
  const body: string[] = [];
  body.push(gridLines(box, xt.map(px), yt.map(py)));
  if (heat && heatRange) {
    defs.push(gradient(`${id}-heat`, cmap));
    body.push(
      el(
        'g',
        { class: 'heat' },
        heatCells(heat.values, heat.nx, heat.ny, opts.xRange, opts.yRange, px, py, heatRange, cmap),
        colourBar(box, `${id}-heat`, heatRange, heat.label),
      ),
    );
  }
  if (opts.data) body.push(dots('data', opts.data, DATA_COLOUR, 0.55, box, px, py, clip));
  if (opts.samples) body.push(dots('samples', opts.samples, SAMPLE_COLOUR, 0.6, box, px, py, clip));
  if (opts.field && arrows) body.push(arrowLayer(opts.field.points, arrows, box, px, py, clip));
  const xTicks: Tick[] = xt.map((v, i) => ({ px: px(v), label: xLabels[i] }));
  const yTicks: Tick[] = yt.map((v, i) => ({ px: py(v), label: yLabels[i] }));
  body.push(axesFrame(box, xTicks, yTicks));
  const legendTop = box.y + box.h + xTickBand + 12;
  if (legend.length) {
    body.push(flowLegend(legend, legendTop, box.x + box.w / 2, pad, width - pad));
  }
  if (opts.note) body.push(noteLine(opts.note, box.x, legendTop + (legendRowsN ? flowLegendHeight(legendRowsN) : 0)));
  body.push(titleBlock(opts.title, opts.subtitle, box.x + box.w / 2, width));

  return svgDocument(width, height, `${el('defs', {}, ...defs)}\n${body.join('\n')}`, opts.title);
}

function validate(opts: FieldPlotOptions, width: number, height: number): void {
  checkRange('fieldPlot: xRange', opts.xRange);
  checkRange('fieldPlot: yRange', opts.yRange);
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new Error(`fieldPlot: width and height must be positive numbers, got ${width} × ${height}`);
  }
  for (const [name, a] of [
    ['field.points', opts.field?.points],
    ['field.vectors', opts.field?.vectors],
    ['data', opts.data],
    ['samples', opts.samples],
    ['heat.values', opts.heat?.values],
  ] as const)
    checkNotDetached(`fieldPlot: ${name}`, a);
  if (opts.field) {
    const np = opts.field.points.length,
      nv = opts.field.vectors.length;
    if (np !== nv) {
      throw new Error(
        `fieldPlot: field.points has ${np} values but field.vectors has ${nv}; they must hold the same number of interleaved (x, y) pairs`,
      );
    }
    if (np % 2 !== 0) throw new Error(`fieldPlot: field.points has an odd number of values (${np}); expected interleaved (x, y) pairs`);
  }
  for (const key of ['data', 'samples'] as const) {
    const a = opts[key];
    if (a && a.length % 2 !== 0)
      throw new Error(`fieldPlot: ${key} has an odd number of values (${a.length}); expected interleaved (x, y) pairs`);
  }
  if (opts.heat) {
    const { nx, ny, values } = opts.heat;
    if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1) {
      throw new Error(`fieldPlot: heat.nx and heat.ny must be positive integers, got ${nx} × ${ny}`);
    }
    if (values.length !== nx * ny) {
      throw new Error(`fieldPlot: heat.values has ${values.length} values but nx × ny = ${nx} × ${ny} = ${nx * ny}`);
    }
    const r = opts.heat.range;
    if (r !== undefined) {
      if (!(Array.isArray(r) && r.length === 2 && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) {
        throw new Error(`fieldPlot: heat.range must be two finite numbers [lo, hi] with lo < hi, got ${JSON.stringify(r)}`);
      }
      if (opts.heat.logScale && !(r[0] > 0)) {
        throw new Error(`fieldPlot: heat.range must be positive with heat.logScale, got ${JSON.stringify(r)}`);
      }
    }
  }
}

/** Height of the note row under the legend, px. */
const NOTE_ROW_H = 20;

/**
 * One line of muted status text, left-aligned at `x`, vertically centred in a row starting at
 * `top` (group class `note`).
 */
export function noteLine(note: string, x: number, top: number): string {
  return el(
    'g',
    { class: 'note', 'font-size': STYLE.legendSize, fill: STYLE.muted },
    text(note, { x, y: top + NOTE_ROW_H / 2 + STYLE.legendSize * 0.35 }),
  );
}

/** Colour limits and colour-bar ticks of a heat layer. */
function heatScale(heat: HeatLayer): HeatScale {
  const log = heat.logScale === true;
  let lo = Infinity,
    hi = -Infinity;
  if (heat.range) {
    [lo, hi] = log ? [Math.log10(heat.range[0]), Math.log10(heat.range[1])] : heat.range;
  } else {
    for (let k = 0; k < heat.values.length; k++) {
      const v = heatValue(heat.values[k], log);
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
  }
  let ticks: number[], labels: string[];
  if (log) {
    const exps = lo < hi ? logTickExponents(10 ** lo, 10 ** hi, 6) : [];
    if (exps.length >= 2) {
      ticks = exps;
      labels = exps.map(formatPow10);
    } else {
      // Less than two decades visible: 1, 2, 5 × 10^k inside the range instead.
      const vals: number[] = [];
      for (let e = Math.floor(lo) - 1; e <= Math.ceil(hi); e++) {
        for (const m of [1, 2, 5]) {
          const l = e + Math.log10(m);
          if (l >= lo - 1e-9 && l <= hi + 1e-9) vals.push(m * 10 ** e);
        }
      }
      if (vals.length === 0) vals.push(10 ** lo);
      ticks = vals.map(Math.log10);
      labels = vals.map((v) => sig(v, 2));
    }
  } else {
    ticks = lo < hi ? niceTicks(lo, hi, 5) : [lo];
    const step = lo < hi ? tickStep(lo, hi, 5).step : Math.abs(lo) || 1;
    labels = ticks.map((v) => formatTick(v, step));
  }
  return { lo, hi, ticks, labels, labelW: Math.max(0, ...labels.map((s) => textWidth(s, STYLE.tickSize))), log };
}

/** The value that is coloured: itself, or log10 of it on a log scale (NaN for ≤ 0). */
function heatValue(v: number, log: boolean): number {
  if (!log) return v;
  return v > 0 ? Math.log10(v) : NaN;
}

/** Norms of the drawable arrows and the length scale statistics. */
interface ArrowStats {
  vectors: ArrayLike<number>;
  norms: Float64Array;
  count: number;
  p95: number;
  max: number;
}

function arrowStats(points: ArrayLike<number>, vectors: ArrayLike<number>): ArrowStats {
  const n = points.length / 2;
  const norms = new Float64Array(n).fill(NaN);
  const finite: number[] = [];
  for (let k = 0; k < n; k++) {
    const x = points[2 * k],
      y = points[2 * k + 1],
      u = vectors[2 * k],
      v = vectors[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(u) || !Number.isFinite(v)) continue;
    const m = Math.hypot(u, v);
    if (!Number.isFinite(m)) continue; // hypot of huge finite parts can overflow
    norms[k] = m;
    finite.push(m);
  }
  finite.sort((a, b) => a - b);
  const max = finite.length ? finite[finite.length - 1] : 0;
  return { vectors, norms, count: n, p95: quantile(finite, 0.95), max };
}

/** Linear-interpolated quantile of sorted values (0 for none). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const p = q * (sorted.length - 1);
  const i = Math.floor(p);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (p - i) : sorted[i];
}

function arrowLayer(
  points: ArrayLike<number>,
  s: ArrowStats,
  box: Box,
  px: (v: number) => number,
  py: (v: number) => number,
  clip: string,
): string {
  // Grid cell side in px, exact for a gridPoints grid over the plot ranges.
  const cell = Math.sqrt((box.w * box.h) / Math.max(1, s.count));
  const ref = s.p95 > 0 ? s.p95 : s.max;
  const k = ref > 0 ? (0.9 * cell) / ref : 0; // px per unit of norm
  const strokeW = Math.min(1.4, Math.max(0.6, cell / 18));
  const out: string[] = [];
  for (let i = 0; i < s.count; i++) {
    const m = s.norms[i];
    if (Number.isNaN(m)) continue;
    const cx = px(points[2 * i]),
      cy = py(points[2 * i + 1]);
    const colour = viridis(s.max > 0 ? (ARROW_T_MAX * m) / s.max : 0);
    const len = Math.min(cell, m * k);
    if (len < 1.5 || m === 0) {
      // Too short to show a direction: a dot (zero-length line with a round cap).
      out.push(el('path', { d: `M${num(cx)} ${num(cy)}h0`, stroke: colour }));
      continue;
    }
    // Unit direction in SVG coordinates (y flipped).
    const ux = s.vectors[2 * i] / m,
      uy = -s.vectors[2 * i + 1] / m;
    const tx = cx - (ux * len) / 2,
      ty = cy - (uy * len) / 2; // tail
    const hx = cx + (ux * len) / 2,
      hy = cy + (uy * len) / 2; // tip
    const head = Math.min(0.4 * len, Math.max(3.5, 0.3 * cell));
    const hw = 0.42 * head;
    const bx = hx - ux * head,
      by = hy - uy * head; // centre of the head's base
    const d =
      `M${num(tx)} ${num(ty)}L${num(bx)} ${num(by)}M${num(hx)} ${num(hy)}L${num(bx - uy * hw)} ` +
      `${num(by + ux * hw)}L${num(bx + uy * hw)} ${num(by - ux * hw)}Z`;
    out.push(el('path', { d, stroke: colour, fill: colour }));
  }
  return el(
    'g',
    { class: 'field', 'clip-path': clip, 'stroke-width': strokeW, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' },
    '\n',
    out.join('\n'),
    '\n',
  );
}

/** Dots for interleaved points (group class `cls`), leaving out those far outside the box. */
export function dots(
  cls: string,
  pts: ArrayLike<number>,
  fill: string,
  opacity: number,
  box: Box,
  px: (v: number) => number,
  py: (v: number) => number,
  clip: string,
): string {
  const out: string[] = [];
  const m = DOT_R + 1; // points just outside still show a partial dot through the clip
  for (let k = 0; k + 1 < pts.length; k += 2) {
    const x = pts[k],
      y = pts[k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const cx = px(x),
      cy = py(y);
    // Far outside the plot area: invisible after clipping, so leave it out of the file.
    if (cx < box.x - m || cx > box.x + box.w + m || cy < box.y - m || cy > box.y + box.h + m) continue;
    out.push(`<circle cx="${num(cx)}" cy="${num(cy)}" r="${DOT_R}"/>`);
  }
  return el('g', { class: cls, 'clip-path': clip, fill, 'fill-opacity': opacity }, '\n', out.join('\n'), '\n');
}

function heatCells(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  xr: Range,
  yr: Range,
  px: (v: number) => number,
  py: (v: number) => number,
  scale: HeatScale,
  cmap: (t: number) => string,
): string {
  const { lo, hi } = scale;
  // Cell edges rounded once, so neighbouring cells share exact edges (no hairline seams).
  const ex = Array.from({ length: nx + 1 }, (_, i) => round2(px(xr[0] + ((xr[1] - xr[0]) * i) / nx)));
  const ey = Array.from({ length: ny + 1 }, (_, j) => round2(py(yr[0] + ((yr[1] - yr[0]) * j) / ny)));
  const out: string[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = heatValue(values[j * nx + i], scale.log);
      if (!Number.isFinite(v)) continue;
      const t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
      out.push(el('rect', { x: ex[i], y: ey[j + 1], width: ex[i + 1] - ex[i], height: ey[j] - ey[j + 1], fill: cmap(t) }));
    }
  }
  // The cells tile the plot area exactly, so they need no clip path (clipping costs a
  // full-size layer in renderers such as resvg).
  return el('g', { 'shape-rendering': 'crispEdges' }, '\n', out.join('\n'), '\n');
}

function gradient(idStr: string, cmap: (t: number) => string): string {
  const stops: string[] = [];
  for (let i = 0; i <= 16; i++) stops.push(el('stop', { offset: `${num((100 * i) / 16)}%`, 'stop-color': cmap(i / 16) }));
  // Bottom (0) to top (1), matching the colour bar.
  return el('linearGradient', { id: idStr, x1: 0, y1: 1, x2: 0, y2: 0 }, ...stops);
}

function colourBar(box: Box, gradId: string, r: HeatScale, label: string): string {
  const x = box.x + box.w + 18;
  const y0 = box.y + box.h,
    y1 = box.y;
  const map = r.hi > r.lo ? linear(r.lo, r.hi, y0, y1) : () => (y0 + y1) / 2;
  let marks = '';
  const labels: string[] = [];
  r.ticks.forEach((v, i) => {
    const y = map(v);
    marks += `M${num(x + COLOURBAR_W)} ${num(y)}h${STYLE.tickLength}`;
    labels.push(text(r.labels[i], { x: x + COLOURBAR_W + STYLE.tickLength + 4, y: y + STYLE.tickSize * 0.35 }));
  });
  const lx = x + COLOURBAR_W + STYLE.tickLength + 5 + r.labelW + 10 + 7;
  const ly = box.y + box.h / 2;
  return el(
    'g',
    { class: 'colorbar', 'font-size': STYLE.tickSize, fill: STYLE.text },
    el('rect', { x, y: y1, width: COLOURBAR_W, height: y0 - y1, fill: `url(#${gradId})`, stroke: STYLE.axis, 'stroke-width': 1 }),
    marks ? el('path', { d: marks, stroke: STYLE.axis, fill: 'none' }) : '',
    ...labels,
    text(label, { x: lx, y: ly, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 ${num(lx)} ${num(ly)})` }),
  );
}

/**
 * Title and optional subtitle centred on `cx` (group class `title`) in a figure `width` px wide: a line too long for
 * the room on both sides of `cx` (less the outer margin) gets a smaller font instead of running off the figure.
 */
export function titleBlock(title: string, subtitle: string | undefined, cx: number, width: number): string {
  const room = 2 * (Math.min(cx, width - cx) - STYLE.pad);
  return el(
    'g',
    { class: 'title', 'text-anchor': 'middle' },
    text(title, {
      x: cx,
      y: 28,
      'font-size': fittedFontSize(title, STYLE.titleSize, room, true),
      'font-weight': 600,
      fill: '#111111',
    }),
    subtitle ? text(subtitle, { x: cx, y: 48, 'font-size': fittedFontSize(subtitle, STYLE.subtitleSize, room), fill: STYLE.muted }) : '',
  );
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
