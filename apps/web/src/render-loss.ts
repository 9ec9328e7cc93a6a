import * as detMath from '@scorefield/core-math/det-math';
/**
 * The loss chart: each run's loss per step, binned to the chart's pixel columns (faint) and smoothed by an
 * exponential moving average (bold), on a linear or logarithmic axis. The per-step loss of a minibatch
 * is mostly noise; the smoothed line is the trend.
 */

export interface LossSeries {
  values: Float32Array;
  count: number;
  colour: string;
  label: string;
}

/** The EMA span in steps for `count` steps: 2% of the run, at least 20 steps. */
export const smoothingSpan = (count: number) => Math.max(20, Math.round(0.02 * count));

/**
 * Means of `values[0..count)` over `bins` equal ranges of steps, and an exponential moving average with
 * span `span` (alpha = 2 / (span + 1)) sampled at the end of each range.
 */
export function binnedLoss(values: ArrayLike<number>, count: number, bins: number, span = smoothingSpan(count)) {
  const b = Math.max(1, Math.min(bins, count));
  const mean = new Float64Array(b),
    smooth = new Float64Array(b),
    end = new Float64Array(b);
  const alpha = 2 / (span + 1);
  let ema = Number.NaN;
  for (let i = 0; i < b; i++) {
    const lo = Math.floor((i * count) / b),
      hi = Math.max(lo + 1, Math.floor(((i + 1) * count) / b));
    let s = 0;
    for (let k = lo; k < hi; k++) {
      const v = values[k];
      s += v;
      if (Number.isFinite(v)) ema = Number.isNaN(ema) ? v : ema + alpha * (v - ema);
    }
    mean[i] = s / (hi - lo);
    smooth[i] = ema;
    end[i] = hi;
  }
  return { mean, smooth, end };
}

/** Whether a log axis can show these series (every loss > 0). */
export function logScalable(series: LossSeries[]): boolean {
  return series.every((s) => s.values.subarray(0, s.count).every((v) => v > 0));
}

export function drawLoss(ctx: CanvasRenderingContext2D, w: number, h: number, series: LossSeries[], log: boolean, dpr: number): void {
  ctx.save();
  ctx.fillStyle = '#10131a';
  ctx.fillRect(0, 0, w, h);
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = '#aab2c0';
  ctx.textBaseline = 'top';
  const live = series.filter((s) => s.count >= 2);
  if (!live.length) {
    ctx.fillText('loss: the curve starts when training starts', 8 * dpr, 8 * dpr);
    ctx.restore();
    return;
  }
  // Runs whose losses differ tenfold or more (compare mode) share a log axis, or one would be a flat line.
  const scales = live.map((s) => Math.abs(s.values[s.count - 1]) || 1);
  const apart = live.length > 1 && Math.max(...scales) / Math.min(...scales) >= 10;
  const useLog = (log || apart) && logScalable(live);
  const f = (v: number) => (useLog ? detMath.log10(v) : v);
  const padL = 46 * dpr,
    padR = 8 * dpr,
    padT = 8 * dpr,
    padB = 18 * dpr;
  const steps = Math.max(...live.map((s) => s.count));
  const cols = Math.max(2, Math.floor(w - padL - padR));
  const binned = live.map((s) => binnedLoss(s.values, s.count, Math.max(2, Math.round((cols * s.count) / steps))));
  // The y range: the smoothed lines and most of the raw means (robust to the first steps' spikes).
  const vals = binned.flatMap((b) => [...b.smooth, ...b.mean].map(f).filter(Number.isFinite)).sort((a, b) => a - b);
  const lo = vals[0],
    hi = vals[Math.floor(0.98 * (vals.length - 1))];
  const span = hi - lo || Math.abs(hi) || 1;
  const y0 = lo - 0.05 * span,
    y1 = hi + 0.05 * span;
  const X = (step: number) => padL + (step / steps) * (w - padL - padR);
  const Y = (v: number) => padT + (1 - (Math.min(y1, Math.max(y0, f(v))) - y0) / (y1 - y0)) * (h - padT - padB);
  const unY = (u: number) => (useLog ? detMath.pow(10, u) : u);
  ctx.strokeStyle = '#2a3040';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const grid = [y0 + 0.05 * span, (y0 + y1) / 2, y1 - 0.05 * span];
  for (const u of grid) {
    ctx.moveTo(padL, Y(unY(u)));
    ctx.lineTo(w - padR, Y(unY(u)));
  }
  ctx.stroke();
  ctx.fillStyle = '#aab2c0';
  ctx.textBaseline = 'middle';
  for (const u of grid) ctx.fillText(unY(u).toPrecision(3), 3 * dpr, Y(unY(u)));
  ctx.textBaseline = 'bottom';
  const right = `step ${steps}`;
  ctx.fillText(right, w - padR - ctx.measureText(right).width, h - 2 * dpr);
  // The longest title that fits beside the step label (compare mode's chart is narrow).
  const titles = [
    `loss${useLog ? ', log scale' : ''} (EMA of ${smoothingSpan(steps)} steps)`,
    `loss${useLog ? ', log' : ''}, EMA ${smoothingSpan(steps)}`,
    `loss${useLog ? ', log' : ''}`,
  ];
  const room = w - padL - padR - ctx.measureText(right).width - 8 * dpr;
  ctx.fillText(titles.find((t) => ctx.measureText(t).width <= room) ?? titles[2], padL, h - 2 * dpr);
  live.forEach((s, i) => {
    const b = binned[i];
    const line = (ys: Float64Array, width: number, alpha: number) => {
      ctx.globalAlpha = alpha;
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = width * dpr;
      ctx.beginPath();
      ys.forEach((v, k) => (k === 0 ? ctx.moveTo(X(b.end[k]), Y(v)) : ctx.lineTo(X(b.end[k]), Y(v))));
      ctx.stroke();
    };
    line(b.mean, 1, 0.3);
    line(b.smooth, 2, 1);
    ctx.globalAlpha = 1;
    if (live.length > 1) {
      ctx.fillStyle = s.colour;
      ctx.textBaseline = 'top';
      ctx.fillText(s.label, w - padR - 120 * dpr, padT + 14 * i * dpr);
    }
  });
  ctx.restore();
}
