/**
 * The render loop: one requestAnimationFrame callback draws every frame (the pane's view, the loss chart
 * when new losses came) and measures the frame rate. The main thread never trains.
 */
import type { App } from './app.js';
import { drawLoss } from './render.js';

/** Canvas pixels follow the element's CSS size (up to 2 device pixels per CSS pixel). */
function watchSize(app: App): void {
  const { el, pane } = app;
  const resize = () => {
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.round(el.view.clientWidth * dpr) || 640;
    if (el.view.width !== w) {
      el.view.width = w;
      el.view.height = w;
      pane.invalidate();
    }
    const lw = Math.round(el.lossChart.clientWidth * dpr) || 640,
      lh = Math.round(el.lossChart.clientHeight * dpr) || 140;
    if (el.lossChart.width !== lw || el.lossChart.height !== lh) {
      el.lossChart.width = lw;
      el.lossChart.height = lh;
      pane.view.lossDirty = true;
    }
  };
  new ResizeObserver(resize).observe(el.view);
  new ResizeObserver(resize).observe(el.lossChart);
}

export function startRenderLoop(app: App): void {
  const { el, page } = app;
  watchSize(app);
  const lossCtx = el.lossChart.getContext('2d')!;
  let frames = 0,
    fpsT0 = performance.now();
  const frame = (now: number) => {
    const pane = app.pane,
      v = pane.view;
    frames++;
    if (now - fpsT0 >= 1000) {
      page.fps = (frames * 1000) / (now - fpsT0);
      if (v.running || v.sampling) page.fpsHistory.push(page.fps);
      if (page.fpsHistory.length > 120) page.fpsHistory.shift();
      el.mFps.textContent = page.fps.toFixed(0);
      frames = 0;
      fpsT0 = now;
    }
    pane.animate(app.conditioned);
    if (v.frames.length || v.sigmaText !== el.mSigma.textContent) el.mSigma.textContent = v.sigmaText;
    const s = app.state;
    const labels = [`${app.dataLabel()} · ${s.loss} · ${s.kind} · step ${v.step}`];
    pane.draw(app.layers(), s.kind, labels, app.drawing.on ? app.drawing.cursor : null);
    if (v.lossDirty) {
      v.lossDirty = false;
      const c = el.lossChart;
      drawLoss(lossCtx, c.width, c.height, v.losses.values, v.losses.count, c.width / Math.max(1, c.clientWidth));
    }
    page.frameMs = 0.9 * page.frameMs + 0.1 * (performance.now() - now);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
