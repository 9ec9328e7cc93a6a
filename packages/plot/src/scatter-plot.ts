/**
 * Scatter of data and samples with marginal histograms along the top (x) and right (y) edges —
 * the frame of a sampling animation: with fixed ranges and size, every frame has the same
 * layout, so frames line up.
 */
import { checkRange, type Range } from './range.js';
import { formatTick, niceTicks, tickStep } from './ticks.js';
import { el, hashId, num, svgDocument } from './svg.js';
import { linear, STYLE, textWidth, type Box } from './layout.js';
import { axesFrame, gridLines, type Tick } from './axes.js';
import { flowLegend, flowLegendHeight, legendRows, type LegendItem } from './legend.js';
import { DATA_COLOUR, dots, noteLine, SAMPLE_COLOUR, titleBlock } from './field-plot.js';
import { checkNotDetached } from './detached.js';

/** Options of {@link scatterPlot}. Point arrays are interleaved `[x0, y0, x1, y1, …]` in data units. */
export interface ScatterPlotOptions {
  /** Main title, top of the figure. */
  title: string;
  /** Smaller second line under the title. */
  subtitle?: string;
  /** Visible x interval, data units (also the x range of the top histogram). */
  xRange: Range;
  /** Visible y interval, data units (also the y range of the right histogram). */
  yRange: Range;
  /** Document width, px (default 720). */
  width?: number;
  /** Document height, px (default 720). */
  height?: number;
  /** Data points: grey dots and grey histograms. */
  data?: ArrayLike<number>;
  /** Sampled points (particles): orange dots and orange histograms. */
  samples?: ArrayLike<number>;
  /** Legend labels (defaults: 'data', 'samples'). */
  labels?: { data?: string; samples?: string };
  /** Marginal histograms along the top (x) and right (y) edges (default true). */
  marginals?: boolean;
  /** Histogram bins across each range (default 40, whole number 1…1000). */
  bins?: number;
  /**
   * One line of status text (e.g. `'step 120/1000 · σ = 0.31'`) under the legend,
   * left-aligned with the plot area: a fixed place, so animation frames line up.
   */
  note?: string;
}

const DEFAULT_BINS = 40;
/** Depth of a marginal panel (height of the top one, width of the right one), px. */
const MARGINAL = 64;
/** Gap between the scatter and a marginal panel, px. */
const MARGINAL_GAP = 6;
/** Histogram heights are scaled so the data's highest bin reaches this fraction of a panel. */
const PEAK = 0.85;
const NOTE_ROW_H = 20;

/**
 * Draw data (grey) and samples (orange) as dots with, by default, marginal histograms: the
 * distribution of x along the top edge and of y along the right edge, sharing the scatter's
 * axes.
 *
 * - Equal aspect like `fieldPlot`: one data unit is as long in x as in y.
 * - Histograms are densities (each series normalised by its own number of finite points, so
 *   a few hundred particles compare with thousands of data points), drawn as filled steps,
 *   data under samples. Points outside the range are counted in the total but fall in no bin.
 * - The histogram height scale is set by the data alone (its highest bin reaches 85 % of the
 *   panel) when data are given, so it stays the same in every frame of an animation; sample
 *   bins taller than the panel are cut flat at its edge. Without data the samples set the scale.
 * - Fixed layout: the size, plot box and panels depend only on the size, ranges, title,
 *   subtitle, labels, marginals and whether a note is given — not on the points or the note
 *   text.
 * @param opts see {@link ScatterPlotOptions}
 * @returns the SVG document (deterministic for the same input)
 * @throws Error for an empty range, a non-positive size, odd point arrays or bad `bins`
 */
export function scatterPlot(opts: ScatterPlotOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 720;
  const bins = opts.bins ?? DEFAULT_BINS;
  const marginals = opts.marginals !== false;
  validate(opts, width, height, bins);
  const [x0, x1] = opts.xRange;
  const [y0, y1] = opts.yRange;
  const id = `sc${hashId(`scatter|${opts.title}|${opts.subtitle ?? ''}|${x0},${x1},${y0},${y1}`)}`;

  // --- ticks decide the left margin
  const xt = niceTicks(x0, x1, 6),
    yt = niceTicks(y0, y1, 6);
  const xStep = tickStep(x0, x1, 6).step,
    yStep = tickStep(y0, y1, 6).step;
  const yLabels = yt.map((v) => formatTick(v, yStep));
  const yLabelW = Math.max(0, ...yLabels.map((s) => textWidth(s, STYLE.tickSize)));

  const labels = opts.labels ?? {};
  const legend: LegendItem[] = [];
  if (opts.data) legend.push({ label: labels.data ?? 'data', symbol: { kind: 'dot', fill: DATA_COLOUR, opacity: 0.7 } });
  if (opts.samples) legend.push({ label: labels.samples ?? 'samples', symbol: { kind: 'dot', fill: SAMPLE_COLOUR, opacity: 0.8 } });

  // --- layout: scatter box (equal aspect), top panel above it, right panel beside it
  const pad = STYLE.pad;
  const top = opts.subtitle ? 64 : 44;
  const legendRowsN = legend.length ? legendRows(legend, width - 2 * pad).length : 0;
  const xTickBand = STYLE.tickLength + 4 + STYLE.tickSize + 2;
  const noteH = opts.note !== undefined ? NOTE_ROW_H : 0;
  const bottom = pad + xTickBand + (legendRowsN ? 12 + flowLegendHeight(legendRowsN) : 0) + noteH;
  const left = pad + yLabelW + STYLE.tickLength + 6;
  const side = marginals ? MARGINAL_GAP + MARGINAL : 0;
  const right = pad + 8 + side;
  const availW = Math.max(10, width - left - right),
    availH = Math.max(10, height - top - side - bottom);
  const scale = Math.min(availW / (x1 - x0), availH / (y1 - y0));
  const box: Box = { w: (x1 - x0) * scale, h: (y1 - y0) * scale, x: 0, y: 0 };
  box.x = left + (availW - box.w) / 2;
  box.y = top + side + (availH - box.h) / 2;
  const px = linear(x0, x1, box.x, box.x + box.w);
  const py = linear(y0, y1, box.y + box.h, box.y);

  const clip = `url(#${id}-clip)`;
  const defs: string[] = [el('clipPath', { id: `${id}-clip` }, el('rect', { x: box.x, y: box.y, width: box.w, height: box.h }))];
  const body: string[] = [];
  body.push(gridLines(box, xt.map(px), yt.map(py)));
  if (opts.data) body.push(dots('data', opts.data, DATA_COLOUR, 0.55, box, px, py, clip));
  if (opts.samples) body.push(dots('samples', opts.samples, SAMPLE_COLOUR, 0.6, box, px, py, clip));
  const xTicks: Tick[] = xt.map((v) => ({ px: px(v), label: formatTick(v, xStep) }));
  const yTicks: Tick[] = yt.map((v, i) => ({ px: py(v), label: yLabels[i] }));
  body.push(axesFrame(box, xTicks, yTicks));

  if (marginals) {
    const topBox: Box = { x: box.x, y: box.y - MARGINAL_GAP - MARGINAL, w: box.w, h: MARGINAL };
    const rightBox: Box = { x: box.x + box.w + MARGINAL_GAP, y: box.y, w: MARGINAL, h: box.h };
    const hx = histograms(opts.data, opts.samples, 0, opts.xRange, bins);
    const hy = histograms(opts.data, opts.samples, 1, opts.yRange, bins);
    body.push(marginalPanel('marginal-x', topBox, hx, bins, 'x', xt.map(px)));
    body.push(marginalPanel('marginal-y', rightBox, hy, bins, 'y', yt.map(py)));
  }

  const legendTop = box.y + box.h + xTickBand + 12;
  if (legend.length) body.push(flowLegend(legend, legendTop, box.x + box.w / 2, pad, width - pad));
  if (opts.note !== undefined) body.push(noteLine(opts.note, box.x, legendTop + (legendRowsN ? flowLegendHeight(legendRowsN) : 0)));
  body.push(titleBlock(opts.title, opts.subtitle, box.x + box.w / 2, width));
  return svgDocument(width, height, `${el('defs', {}, ...defs)}\n${body.join('\n')}`, opts.title);
}

function validate(opts: ScatterPlotOptions, width: number, height: number, bins: number): void {
  checkRange('scatterPlot: xRange', opts.xRange);
  checkRange('scatterPlot: yRange', opts.yRange);
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new Error(`scatterPlot: width and height must be positive numbers, got ${width} × ${height}`);
  }
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= 1000)) {
    throw new Error(`scatterPlot: bins must be a whole number from 1 to 1000, got ${bins}`);
  }
  for (const key of ['data', 'samples'] as const) {
    const a = opts[key];
    checkNotDetached(`scatterPlot: ${key}`, a);
    if (a && a.length % 2 !== 0)
      throw new Error(`scatterPlot: ${key} has an odd number of values (${a.length}); expected interleaved (x, y) pairs`);
  }
}

/** Densities per bin of one coordinate, for data and samples, and the height scale. */
interface Hist {
  data?: Float64Array;
  samples?: Float64Array;
  peak: number;
}

function histograms(
  data: ArrayLike<number> | undefined,
  samples: ArrayLike<number> | undefined,
  axis: 0 | 1,
  range: Range,
  bins: number,
): Hist {
  const d = data ? density(data, axis, range, bins) : undefined;
  const s = samples ? density(samples, axis, range, bins) : undefined;
  const maxOf = (a?: Float64Array): number => (a ? a.reduce((m, v) => Math.max(m, v), 0) : 0);
  // The data fix the scale (stable across frames); samples only when there are no data.
  const ref = d && maxOf(d) > 0 ? maxOf(d) : maxOf(s);
  return { data: d, samples: s, peak: ref > 0 ? ref / PEAK : 1 };
}

/** Histogram of coordinate `axis` as a density: count / (finite points · bin width). */
function density(pts: ArrayLike<number>, axis: 0 | 1, [lo, hi]: Range, bins: number): Float64Array {
  const counts = new Float64Array(bins);
  let n = 0;
  for (let k = 0; k + 1 < pts.length; k += 2) {
    const x = pts[k],
      y = pts[k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++;
    const v = axis === 0 ? x : y;
    if (v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  }
  const w = (hi - lo) / bins;
  if (n > 0) for (let i = 0; i < bins; i++) counts[i] /= n * w;
  return counts;
}

/**
 * One marginal panel: faint grid lines continuing the scatter's ticks, the data and samples
 * histograms as filled steps (`path.hist.data`, `path.hist.samples`), and a baseline on the
 * side facing the scatter.
 */
function marginalPanel(cls: string, box: Box, h: Hist, bins: number, dir: 'x' | 'y', gridAt: number[]): string {
  const parts: string[] = [];
  let grid = '';
  for (const p of gridAt)
    grid += dir === 'x' ? `M${num(p)} ${num(box.y)}V${num(box.y + box.h)}` : `M${num(box.x)} ${num(p)}H${num(box.x + box.w)}`;
  if (grid) parts.push(el('path', { class: 'grid', d: grid, stroke: STYLE.grid, fill: 'none' }));
  const series: [string, Float64Array | undefined, string, number][] = [
    ['data', h.data, DATA_COLOUR, 0.28],
    ['samples', h.samples, SAMPLE_COLOUR, 0.4],
  ];
  for (const [name, dens, colour, opacity] of series) {
    if (!dens) continue;
    parts.push(
      el('path', {
        class: `hist ${name}`,
        d: stepPath(dens, h.peak, box, bins, dir),
        fill: colour,
        'fill-opacity': opacity,
        stroke: colour,
        'stroke-width': 1.2,
        'stroke-linejoin': 'round',
      }),
    );
  }
  // Baseline: bottom edge of the top panel, left edge of the right panel.
  const base =
    dir === 'x' ? `M${num(box.x)} ${num(box.y + box.h)}H${num(box.x + box.w)}` : `M${num(box.x)} ${num(box.y)}V${num(box.y + box.h)}`;
  parts.push(el('path', { class: 'baseline', d: base, stroke: STYLE.axis, fill: 'none' }));
  return el('g', { class: cls, 'stroke-width': 1 }, ...parts);
}

/**
 * A closed step outline of a histogram: along the baseline, one flat segment per bin (`H` in
 * the top panel, `V` in the right panel), back to the baseline. Heights are `density / peak`
 * of the panel depth, capped at the full depth (bars are cut flat at the panel edge; capping in
 * the geometry rather than with a clip path keeps rasterising fast).
 */
function stepPath(dens: Float64Array, peak: number, box: Box, bins: number, dir: 'x' | 'y'): string {
  if (dir === 'x') {
    const base = box.y + box.h;
    const at = (i: number): number => box.x + (box.w * i) / bins;
    let d = `M${num(at(0))} ${num(base)}`;
    for (let i = 0; i < bins; i++) d += `V${num(base - Math.min(1, dens[i] / peak) * box.h)}H${num(at(i + 1))}`;
    return `${d}V${num(base)}Z`;
  }
  const base = box.x;
  // Bin 0 is the lowest y, i.e. the bottom of the panel (SVG y grows downwards).
  const at = (i: number): number => box.y + box.h - (box.h * i) / bins;
  let d = `M${num(base)} ${num(at(0))}`;
  for (let i = 0; i < bins; i++) d += `H${num(base + Math.min(1, dens[i] / peak) * box.w)}V${num(at(i + 1))}`;
  return `${d}H${num(base)}Z`;
}
