/**
 * Line plots for training curves (loss against step), with an optional log-scaled y axis.
 */
import { formatPow10, formatTick, logTickExponents, niceTicks, tickStep } from './ticks.js';
import { el, num, svgDocument, text } from './svg.js';
import { checkNotDetached } from './detached.js';
import { linear, STYLE, textWidth, type Box } from './layout.js';
import { axesFrame, gridLines, type Tick } from './axes.js';
import { boxLegend, type LegendItem } from './legend.js';
import { titleBlock } from './field-plot.js';

/** One curve: `y[i]` at `x[i]` (x defaults to the index 0, 1, 2, …). */
export interface LineSeries {
  /** Legend label. */
  label: string;
  /** x values, same length as `y`; default `0 … y.length − 1`. */
  x?: ArrayLike<number>;
  /** y values. */
  y: ArrayLike<number>;
}

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  /** Main title. */
  title: string;
  /** Smaller second line under the title. */
  subtitle?: string;
  /** Curves, drawn in order with the tab10 palette. */
  series: LineSeries[];
  /** x axis title. */
  xLabel?: string;
  /** y axis title. */
  yLabel?: string;
  /** Log-scaled y axis with decade ticks; values ≤ 0 are then skipped. */
  logY?: boolean;
  /** Document width, px (default 720). */
  width?: number;
  /** Document height, px (default 440). */
  height?: number;
}

/** matplotlib's tab10: distinct, colour-blind-tolerant series colours. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Draw one or more curves as a standalone SVG document: frame, nice ticks (decades on a log
 * axis, with faint 2…9 minor lines), light grid, a legend in the top-right corner.
 * Points with a non-finite x or y (or y ≤ 0 on a log axis) are skipped and break the line,
 * so gaps stay visible; an isolated point is drawn as a dot.
 * @param opts see {@link LinePlotOptions}
 * @returns the SVG document (deterministic for the same input)
 * @throws Error when a series' x and y lengths differ or the size is not positive
 */
export function linePlot(opts: LinePlotOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 440;
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new Error(`linePlot: width and height must be positive numbers, got ${width} × ${height}`);
  }
  opts.series.forEach((s, i) => {
    checkNotDetached(`linePlot: series ${i} y`, s.y);
    checkNotDetached(`linePlot: series ${i} x`, s.x);
    if (s.x && s.x.length !== s.y.length) {
      throw new Error(`linePlot: series ${i} (${JSON.stringify(s.label)}) has ${s.x.length} x values but ${s.y.length} y values`);
    }
  });
  const logY = opts.logY === true;
  const ok = (x: number, y: number): boolean => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
  const xAt = (s: LineSeries, i: number): number => (s.x ? s.x[i] : i);

  // --- data bounds over drawable points
  let xmin = Infinity,
    xmax = -Infinity,
    ymin = Infinity,
    ymax = -Infinity;
  for (const s of opts.series) {
    for (let i = 0; i < s.y.length; i++) {
      const x = xAt(s, i),
        y = s.y[i];
      if (!ok(x, y)) continue;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
  }
  const empty = !(xmin <= xmax);
  if (empty) {
    xmin = 0;
    xmax = 1;
    ymin = logY ? 0.1 : 0;
    ymax = 1;
  }
  if (xmin === xmax) {
    xmin -= 0.5;
    xmax += 0.5;
  }

  // --- y domain and ticks (in the transformed space for log axes)
  let d0: number, d1: number;
  let yTickVals: { v: number; label: string }[];
  const minor: number[] = [];
  if (logY) {
    // Pad 5 % in log space; snap out to whole decades only when fewer than two decade ticks
    // would be visible, so every log axis has at least two labelled powers of ten.
    const l0 = Math.log10(ymin),
      l1 = Math.log10(ymax);
    const padL = l1 > l0 ? 0.05 * (l1 - l0) : 0.5;
    d0 = l0 - padL;
    d1 = l1 + padL;
    if (Math.floor(d1 + 1e-9) - Math.ceil(d0 - 1e-9) < 1) {
      d0 = Math.floor(l0 + 1e-9);
      d1 = Math.ceil(l1 - 1e-9);
      if (d1 <= d0) {
        d0 -= 1;
        d1 += 1;
      }
    }
    yTickVals = logTickExponents(10 ** d0, 10 ** d1).map((e) => ({ v: e, label: formatPow10(e) }));
    if (d1 - d0 <= 6) {
      for (let e = Math.floor(d0); e < d1; e++) {
        for (let m = 2; m <= 9; m++) {
          const v = e + Math.log10(m);
          if (v > d0 && v < d1) minor.push(v);
        }
      }
    }
  } else {
    const span = ymax - ymin;
    const padY = span > 0 ? 0.05 * span : Math.max(1, Math.abs(ymin) * 0.1);
    d0 = ymin - padY;
    d1 = ymax + padY;
    // Non-negative data (a loss) never get a negative axis part from the padding.
    if (ymin >= 0 && d0 < 0) d0 = 0;
    const step = tickStep(d0, d1, 6).step;
    yTickVals = niceTicks(d0, d1, 6).map((v) => ({ v, label: formatTick(v, step) }));
  }
  const xStep = tickStep(xmin, xmax, 7).step;
  const xTickVals = niceTicks(xmin, xmax, 7);

  // --- layout
  const pad = STYLE.pad;
  const top = opts.subtitle ? 64 : 44;
  const yLabelW = Math.max(0, ...yTickVals.map((t) => textWidth(t.label, STYLE.tickSize)));
  const left = pad + (opts.yLabel ? 22 : 0) + yLabelW + STYLE.tickLength + 6;
  const bottom = pad + STYLE.tickLength + 4 + STYLE.tickSize + (opts.xLabel ? 22 : 2);
  const right = pad + 12;
  const box: Box = { x: left, y: top, w: Math.max(10, width - left - right), h: Math.max(10, height - top - bottom) };
  const px = linear(xmin, xmax, box.x, box.x + box.w);
  const py = linear(d0, d1, box.y + box.h, box.y);
  const ty = (y: number): number => py(logY ? Math.log10(y) : y);

  // --- curves
  const curves: string[] = [];
  const legend: LegendItem[] = [];
  opts.series.forEach((s, si) => {
    const colour = PALETTE[si % PALETTE.length];
    // Dense series (more points than twice the pixel columns, e.g. 10⁵ per-step losses) keep
    // only the first, lowest, highest and last point of each run of points sharing a pixel
    // column: the drawn shape is the same, the file and the render stay small.
    const keep = s.y.length > 2 * box.w ? denseKeep(s, xAt, ok, px) : undefined;
    let d = '';
    let open = false; // inside a run of drawable points
    let runLen = 0;
    for (let i = 0; i < s.y.length; i++) {
      const x = xAt(s, i),
        y = s.y[i];
      if (!ok(x, y)) {
        if (open && runLen === 1) d += 'h0'; // isolated point → dot
        open = false;
        continue;
      }
      if (keep && !keep[i]) continue;
      d += `${open ? 'L' : 'M'}${num(px(x))} ${num(ty(y))}`;
      runLen = open ? runLen + 1 : 1;
      open = true;
    }
    if (open && runLen === 1) d += 'h0';
    // Dense series (more points than pixels across, e.g. per-step losses) get a thinner line.
    if (d) curves.push(el('path', { d, stroke: colour, 'stroke-width': s.y.length > box.w ? 1.1 : undefined }));
    legend.push({ label: s.label, symbol: { kind: 'line', color: colour } });
  });

  const xTicks: Tick[] = xTickVals.map((v) => ({ px: px(v), label: formatTick(v, xStep) }));
  const yTicks: Tick[] = yTickVals.map((t) => ({ px: py(t.v), label: t.label }));
  const body = [
    gridLines(
      box,
      xTicks.map((t) => t.px),
      yTicks.map((t) => t.px),
      minor.map(py),
    ),
    el('g', { class: 'series', fill: 'none', 'stroke-width': 1.75, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }, ...curves),
    axesFrame(box, xTicks, yTicks, { x: opts.xLabel, y: opts.yLabel, yOffset: yLabelW + STYLE.tickLength + 6 + 14 }),
    empty
      ? text('no finite values to plot', { x: box.x + box.w / 2, y: box.y + box.h / 2, 'text-anchor': 'middle', fill: STYLE.muted })
      : '',
    legend.length ? boxLegend(legend, box.x + box.w - 8, box.y + 8) : '',
    titleBlock(opts.title, opts.subtitle, box.x + box.w / 2, width),
  ];
  return svgDocument(width, height, body.filter(Boolean).join('\n'), opts.title);
}

/**
 * Which points of a dense series to draw (M4 decimation): within each run of consecutive
 * drawable points that fall in the same pixel column, the first, the last, the lowest and the
 * highest. Lines between the kept points cover exactly the pixels the full line would.
 */
function denseKeep(
  s: LineSeries,
  xAt: (s: LineSeries, i: number) => number,
  ok: (x: number, y: number) => boolean,
  px: (v: number) => number,
): Uint8Array {
  const n = s.y.length;
  const keep = new Uint8Array(n);
  let col = NaN,
    first = -1,
    last = -1,
    lo = -1,
    hi = -1;
  const flush = (): void => {
    if (first < 0) return;
    keep[first] = 1;
    keep[last] = 1;
    keep[lo] = 1;
    keep[hi] = 1;
    first = -1;
  };
  for (let i = 0; i < n; i++) {
    const x = xAt(s, i),
      y = s.y[i];
    if (!ok(x, y)) {
      flush();
      col = NaN;
      continue;
    }
    const c = Math.floor(px(x));
    if (c !== col || first < 0) {
      flush();
      col = c;
      first = last = lo = hi = i;
      continue;
    }
    last = i;
    if (y < s.y[lo]) lo = i;
    if (y > s.y[hi]) hi = i;
  }
  flush();
  return keep;
}
