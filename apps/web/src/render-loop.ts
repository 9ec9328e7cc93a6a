/**
 * The render loop: one requestAnimationFrame callback per display frame advances the sampling animation,
 * derives what the page says (refresh.ts), draws each pane's view and, when new losses came, the loss
 * chart; it also measures the frame rate. The main thread never trains.
 */
import type { App } from './app.js';
import { refresh, runLabel } from './refresh.js';
import { drawLoss } from './render-loss.js';
import { runStates } from './state.js';

const SERIES_COLOURS = ['#6ad0ff', '#ff9ad5'];

/** Canvas pixels follow the element's CSS size (up to 2 device pixels per CSS pixel). */
function watchSize(app: App): void {
  const { el } = app;
  const resize = () => {
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    [el.view, el.viewB].forEach((c, i) => {
      const w = Math.round(c.clientWidth * dpr) || 640;
      if (c.width !== w) {
        c.width = w;
        c.height = w;
        app.panes[i]?.invalidate();
      }
    });
    const lw = Math.round(el.lossChart.clientWidth * dpr) || 600,
      lh = Math.round(el.lossChart.clientHeight * dpr) || 150;
    if (el.lossChart.width !== lw || el.lossChart.height !== lh) {
      el.lossChart.width = lw;
      el.lossChart.height = lh;
      for (const p of app.panes) p.view.lossDirty = true;
    }
  };
  for (const c of [el.view, el.viewB, el.lossChart]) new ResizeObserver(resize).observe(c);
}

export function startRenderLoop(app: App): void {
  const { el, page } = app;
  watchSize(app);
  const lossCtx = el.lossChart.getContext('2d')!;
  let frames = 0,
    fpsT0 = performance.now();
  const frame = (now: number) => {
    const panes = app.active;
    frames++;
    if (now - fpsT0 >= 1000) {
      page.fps = (frames * 1000) / (now - fpsT0);
      if (panes.some((p) => p.view.running || p.view.sampling)) page.fpsHistory.push(page.fps);
      if (page.fpsHistory.length > 120) page.fpsHistory.shift();
      app.metrics.fps.textContent = page.fps.toFixed(0);
      frames = 0;
      fpsT0 = now;
    }
    for (const p of panes) p.animate();
    refresh(app);
    const runs = runStates(app.state);
    const layers = app.layers();
    panes.forEach((p, i) => {
      const v = p.view,
        rs = runs[i];
      if (p.shown.image) {
        p.drawImages([`${app.dataLabel()} · ${rs.loss} · ${rs.kind} · step ${v.step} / ${v.target}`], el.showDigits.checked);
        return;
      }
      const at = v.field?.sigma === undefined ? '' : ` · σ ${v.field.sigma.toPrecision(2)}`;
      // The step of the field on screen (a snapshot every 100 ms or more while training), not the worker's latest.
      const labels = [`${app.dataLabel()} · ${rs.loss} · ${rs.kind} · step ${v.field?.step ?? v.step}${at}`];
      p.draw(layers, app.heat, labels, i === 0 && app.drawing.on ? app.drawing.cursor : null);
    });
    if (panes.some((p) => p.view.lossDirty)) {
      for (const p of panes) p.view.lossDirty = false;
      const c = el.lossChart;
      const series = panes.map((p, i) => ({
        values: p.view.losses.values,
        count: p.view.losses.count,
        colour: SERIES_COLOURS[i],
        label: runLabel(app, i),
      }));
      drawLoss(lossCtx, c.width, c.height, series, el.lossLog.checked, c.width / Math.max(1, c.clientWidth));
    }
    page.frameMs = 0.9 * page.frameMs + 0.1 * (performance.now() - now);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
