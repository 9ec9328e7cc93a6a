/**
 * Canvas drawing of the view (heatmap, arrows, data, particles, labels) and of the loss curve. The
 * heatmap is rendered once per field snapshot into a G x G offscreen canvas and scaled with smoothing;
 * everything else is redrawn every animation frame (a few thousand primitives).
 */
import { magma, viridis } from '@scorefield/plot';
import type { Range } from './protocol.js';

export type HeatMode = 'density' | 'norm' | 'error' | 'none';

export interface FieldSnapshot {
  step: number;
  range: Range;
  grid: number;
  score: Float32Array;
  logDensity: Float32Array;
  trueScore?: Float32Array;
  noise: number;
}

export interface ViewLayers {
  heat: HeatMode;
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
  /** Text for the bottom-left corner (the current sigma while sampling). */
  footer: string;
  /** Canvas pixels per CSS pixel (text keeps a readable CSS size at any canvas size). */
  pixelRatio: number;
}

function lut(map: (t: number) => string): Uint8ClampedArray {
  const out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const hex = map(i / 255);
    out[3 * i] = parseInt(hex.slice(1, 3), 16);
    out[3 * i + 1] = parseInt(hex.slice(3, 5), 16);
    out[3 * i + 2] = parseInt(hex.slice(5, 7), 16);
  }
  return out;
}
const VIRIDIS = lut(viridis);
const MAGMA = lut(magma);

/** Per-cell values of a heat mode in [0, 1] (null for 'none' or when unavailable) and the legend text. */
export function heatValues(
  f: FieldSnapshot,
  mode: HeatMode,
  kind: 'score' | 'energy',
): { t: Float32Array; legend: string; map: 'viridis' | 'magma' } | null {
  const n = f.grid * f.grid;
  const t = new Float32Array(n);
  if (mode === 'density') {
    let max = -Infinity,
      min = Infinity;
    for (let k = 0; k < n; k++) {
      const v = f.logDensity[k];
      if (Number.isFinite(v)) {
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
    }
    const span = Math.max(1e-9, Math.min(max - min, 10));
    for (let k = 0; k < n; k++) t[k] = 1 + (f.logDensity[k] - max) / span;
    return {
      t,
      map: 'viridis',
      legend:
        kind === 'energy' ? 'heat: −E(x) (log-density up to a constant), top 10 nats' : 'heat: ∫ s·dx (log-density proxy), top 10 nats',
    };
  }
  if (mode === 'norm') {
    let max = 0;
    const norm = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      norm[k] = Math.log1p(Math.hypot(f.score[2 * k], f.score[2 * k + 1]));
      max = Math.max(max, norm[k]);
    }
    for (let k = 0; k < n; k++) t[k] = norm[k] / (max || 1);
    return { t, map: 'magma', legend: 'heat: log(1 + |s(x)|)' };
  }
  if (mode === 'error' && f.trueScore) {
    const err = new Float32Array(n);
    for (let k = 0; k < n; k++) err[k] = Math.hypot(f.score[2 * k] - f.trueScore[2 * k], f.score[2 * k + 1] - f.trueScore[2 * k + 1]);
    const sorted = Float32Array.from(err).sort();
    const top = sorted[Math.floor(0.95 * (n - 1))] || 1;
    for (let k = 0; k < n; k++) t[k] = err[k] / top;
    return { t, map: 'magma', legend: `heat: |s − s_true|, scale 0 … ${top.toPrecision(3)} (95th pct.)` };
  }
  return null;
}

/** Paints heat values into a G x G canvas (row 0 = bottom of the view). */
export function paintHeat(target: HTMLCanvasElement, g: number, t: Float32Array, map: 'viridis' | 'magma'): void {
  target.width = g;
  target.height = g;
  const ctx = target.getContext('2d')!;
  const img = ctx.createImageData(g, g);
  const table = map === 'viridis' ? VIRIDIS : MAGMA;
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const v = t[i * g + j];
      const c = Number.isFinite(v) ? Math.round(255 * Math.min(1, Math.max(0, v))) : 0;
      const o = 4 * ((g - 1 - i) * g + j);
      img.data[o] = table[3 * c];
      img.data[o + 1] = table[3 * c + 1];
      img.data[o + 2] = table[3 * c + 2];
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Draws the slowly changing layers (background, heatmap, data, arrows) into `ctx`: done once per field
 * snapshot or layer change into a cached canvas, not every frame.
 */
export function drawBase(
  ctx: CanvasRenderingContext2D,
  size: number,
  c: ViewContent,
  layers: ViewLayers,
  heat: HTMLCanvasElement | null,
): void {
  const { range } = c;
  const sx = size / (range.x1 - range.x0),
    sy = size / (range.y1 - range.y0);
  const px = (x: number) => (x - range.x0) * sx,
    py = (y: number) => size - (y - range.y0) * sy;
  const dpr = size / 640;
  ctx.save();
  ctx.fillStyle = '#10131a';
  ctx.fillRect(0, 0, size, size);
  if (heat && layers.heat !== 'none') {
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    // The heat grid is of cell centres over the same range: it fills the canvas exactly.
    ctx.globalAlpha = 0.9;
    ctx.drawImage(heat, 0, 0, size, size);
    ctx.globalAlpha = 1;
  }
  if (layers.data && c.data) {
    ctx.fillStyle = layers.heat === 'none' ? 'rgba(220, 225, 235, 0.55)' : 'rgba(255, 255, 255, 0.45)';
    const r = 1.6 * dpr;
    for (let k = 0; k < c.data.length; k += 2) ctx.fillRect(px(c.data[k]) - r / 2, py(c.data[k + 1]) - r / 2, r, r);
  }
  const f = c.field;
  if (f) {
    const g = f.grid,
      cell = size / g;
    const norms: number[] = [];
    for (let k = 0; k < g * g; k++) norms.push(Math.hypot(f.score[2 * k], f.score[2 * k + 1]));
    const ref = norms.sort((a, b) => a - b)[Math.floor(norms.length / 2)] || 1;
    const arrowsOf = (s: Float32Array, colour: string, width: number) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width * dpr;
      ctx.beginPath();
      for (let i = 1; i < g; i += 2) {
        for (let j = 1; j < g; j += 2) {
          const k = i * g + j,
            vx = s[2 * k],
            vy = s[2 * k + 1],
            n = Math.hypot(vx, vy);
          if (!(n > 0) || !Number.isFinite(n)) continue;
          const len = 1.8 * cell * (n / (n + ref));
          const x0 = (j + 0.5) * cell,
            y0 = size - (i + 0.5) * cell;
          const ux = vx / n,
            uy = -vy / n;
          const x1 = x0 + ux * len,
            y1 = y0 + uy * len;
          ctx.moveTo(x0, y0);
          ctx.lineTo(x1, y1);
          const hd = Math.min(5 * dpr, 0.4 * len);
          ctx.moveTo(x1, y1);
          ctx.lineTo(x1 - hd * (ux * 0.866 - uy * 0.5), y1 - hd * (uy * 0.866 + ux * 0.5));
          ctx.moveTo(x1, y1);
          ctx.lineTo(x1 - hd * (ux * 0.866 + uy * 0.5), y1 - hd * (uy * 0.866 - ux * 0.5));
        }
      }
      ctx.stroke();
    };
    if (layers.trueArrows && f.trueScore) arrowsOf(f.trueScore, 'rgba(255, 140, 60, 0.95)', 1.6);
    if (layers.arrows) arrowsOf(f.score, 'rgba(255, 255, 255, 0.9)', 1.1);
  }
  ctx.restore();
}

/** Draws a frame: the cached base, then what moves (particles, the drawing cursor) and the labels. */
export function drawFrame(
  ctx: CanvasRenderingContext2D,
  size: number,
  base: HTMLCanvasElement,
  c: ViewContent,
  layers: ViewLayers,
  legend: string,
): void {
  const { range } = c;
  const sx = size / (range.x1 - range.x0),
    sy = size / (range.y1 - range.y0);
  const px = (x: number) => (x - range.x0) * sx,
    py = (y: number) => size - (y - range.y0) * sy;
  const dpr = size / 640;
  ctx.save();
  ctx.drawImage(base, 0, 0);
  if (layers.samples && c.particles) {
    ctx.fillStyle = '#ffcf3f';
    const r = 2.4 * dpr;
    for (let k = 0; k < c.particles.length; k += 2) {
      const x = px(c.particles[k]),
        y = py(c.particles[k + 1]);
      if (x > -r && x < size + r && y > -r && y < size + r) ctx.fillRect(x - r / 2, y - r / 2, r, r);
    }
  }
  if (c.cursor) {
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
  // Labels on the canvas itself, so the exported PNG carries them; 12-15 CSS px whatever the canvas size.
  const t = Math.max(c.pixelRatio, Math.min(dpr, 1.25 * c.pixelRatio));
  ctx.font = `${12 * t}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const lines = [...c.labels, ...(legend && layers.heat !== 'none' ? [legend] : [])];
  lines.forEach((line, i) => {
    const y = (6 + 17 * i) * t;
    ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.fillRect(4 * t, y - 2 * t, ctx.measureText(line).width + 8 * t, 17 * t);
    ctx.fillStyle = '#f2f4f8';
    ctx.fillText(line, 8 * t, y);
  });
  if (c.footer) {
    ctx.font = `600 ${14 * t}px system-ui, sans-serif`;
    const w = ctx.measureText(c.footer).width;
    ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.fillRect(4 * t, size - 28 * t, w + 12 * t, 24 * t);
    ctx.fillStyle = '#ffcf3f';
    ctx.fillText(c.footer, 10 * t, size - 24 * t);
  }
  ctx.restore();
}

/** Draws the loss curve: per-pixel-column means of the losses, y from robust quantiles. */
export function drawLoss(ctx: CanvasRenderingContext2D, w: number, h: number, losses: Float32Array, count: number, dpr: number): void {
  ctx.save();
  ctx.fillStyle = '#10131a';
  ctx.fillRect(0, 0, w, h);
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = '#aab2c0';
  ctx.textBaseline = 'top';
  if (count < 2) {
    ctx.fillText('loss (per step): starts when training starts', 8 * dpr, 8 * dpr);
    ctx.restore();
    return;
  }
  const padL = 52 * dpr,
    padR = 8 * dpr,
    padT = 8 * dpr,
    padB = 18 * dpr;
  const cols = Math.max(2, Math.floor(w - padL - padR));
  const bins = Math.min(cols, count);
  const means = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    const a = Math.floor((b * count) / bins),
      z = Math.max(a + 1, Math.floor(((b + 1) * count) / bins));
    let s = 0;
    for (let k = a; k < z; k++) s += losses[k];
    means[b] = s / (z - a);
  }
  const sorted = Array.from(means)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const lo = sorted[0],
    hi = sorted[Math.floor(0.98 * (sorted.length - 1))];
  const span = hi - lo || Math.abs(hi) || 1;
  const y0 = lo - 0.05 * span,
    y1 = hi + 0.05 * span;
  const X = (b: number) => padL + (b / Math.max(1, bins - 1)) * (w - padL - padR);
  const Y = (v: number) => padT + (1 - (Math.min(y1, Math.max(y0, v)) - y0) / (y1 - y0)) * (h - padT - padB);
  ctx.strokeStyle = '#2a3040';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const v of [y0 + 0.05 * span, (y0 + y1) / 2, y1 - 0.05 * span]) {
    ctx.moveTo(padL, Y(v));
    ctx.lineTo(w - padR, Y(v));
  }
  ctx.stroke();
  ctx.fillStyle = '#aab2c0';
  ctx.textBaseline = 'middle';
  for (const v of [y0 + 0.05 * span, (y0 + y1) / 2, y1 - 0.05 * span]) ctx.fillText(v.toPrecision(3), 4 * dpr, Y(v));
  ctx.textBaseline = 'bottom';
  ctx.fillText(`step ${count}`, w - padR - ctx.measureText(`step ${count}`).width, h - 2 * dpr);
  ctx.fillText('loss', padL, h - 2 * dpr);
  ctx.strokeStyle = '#6ad0ff';
  ctx.lineWidth = 1.5 * dpr;
  ctx.beginPath();
  for (let b = 0; b < bins; b++) {
    if (b === 0) ctx.moveTo(X(b), Y(means[b]));
    else ctx.lineTo(X(b), Y(means[b]));
  }
  ctx.stroke();
  ctx.restore();
}
