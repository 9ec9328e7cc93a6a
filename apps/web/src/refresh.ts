/**
 * What the page says, derived every frame from where the runs are (never set once and left to go stale):
 * the status line, the buttons (and where focus goes when one disables itself), the metrics, the noise
 * level controls, the pane titles and the file progress. Writes to the DOM only what changed.
 */
import type { App } from './app.js';
import type { ElementName } from './elements.js';
import { densityChoiceText } from './heat.js';
import type { Pane } from './pane.js';
import { dimOf, GRID_IMAGES, imageMode, runStates } from './state.js';
import type { RunView } from './view-model.js';
import * as detMath from '@scorefield/core-math/det-math';

/** The text of a control's label, for messages. */
function labelOf(app: App, name: ElementName): string {
  const id = app.el[name].id;
  return document.querySelector(`label[for="${id}"]`)?.textContent?.trim() || id;
}

/** One line: what the page is doing and what to do next (with the latest note, unless `withNote` is false). */
export function statusText(app: App, withNote = true): string {
  if (!app.page.ready) return 'Loading the WebAssembly core…';
  if (app.reading) return `Reading ${app.reading.name}: ${(100 * app.reading.fraction).toFixed(0)}%…`;
  const s = app.state;
  if (app.invalid.length)
    return (
      `Fix the marked setting${app.invalid.length > 1 ? 's' : ''} (${app.invalid.map((n) => labelOf(app, n)).join(', ')}): ` +
      'nothing trains until then.'
    );
  if (app.drawing.on)
    return (
      'Draw mode: drag on the view, or focus it, move with the arrow keys and press Enter, to add points; ' +
      'press Draw points again to stop.'
    );
  if (!app.hasData(s)) return 'Draw some points on the view (press Draw points, then drag, or use the arrow keys and Enter), then Train.';
  const panes = app.active,
    v = panes[0].view;
  if (panes.some((p) => p.view.failure)) return 'Stopped: see the message below.';
  // A number of each run: once when the runs agree, else per run (compared objectives have their own default steps).
  const per = (of: (v: RunView) => number, say: (n: number) => string) => {
    const xs = panes.map((p) => of(p.view));
    if (xs.every((x) => x === xs[0])) return `${say(xs[0])}${panes.length > 1 ? ' (both runs)' : ''}`;
    return xs.map((x, i) => `${'AB'[i]} ${say(x)}`).join(', ');
  };
  const steps = (n: number) => `${n} steps`;
  const parts: string[] = [];
  if (panes.some((p) => p.view.running)) {
    // The time left of the slowest run at its measured rate (none until the first rate, half a second in).
    const left = Math.max(...panes.map((p) => (p.view.running ? secondsLeft(p.view) : 0)));
    parts.push(`Training to ${per((r) => r.target, steps)}…${Number.isFinite(left) ? ` ${timeLeft(left)}.` : ''}`);
  } else if (v.step > 0 && panes.every((p) => p.view.step >= p.view.target)) parts.push(`Trained ${per((r) => r.step, steps)}.`);
  else if (v.step > 0)
    parts.push(
      `Paused at ${per(
        (r) => r.step,
        (n) => `step ${n}`,
      )}.`,
    );
  else parts.push(`Ready: press Train to train ${per((r) => r.target, steps)}.`);
  const samplers = panes.map((p) => p.view.sampler).join(' and ');
  const dim = dimOf(s),
    what = imageMode(s) ? 'images' : 'particles';
  if (panes.some((p) => p.view.sampling)) parts.push(`Sampling ${imageMode(s) ? GRID_IMAGES : s.particles} ${what} with ${samplers}…`);
  else if (v.samples)
    parts.push(
      `Sampled ${v.samples.length / dim} ${what} with ${samplers} from the model at ${per(
        (r) => r.qualityStep,
        (n) => `step ${n}`,
      )}.`,
    );
  const base = parts.join(' ');
  return withNote && app.note && app.note.about === base ? app.note.text : base;
}

/** Seconds a run needs to reach its target at its measured rate (Infinity before it has one). */
export function secondsLeft(v: Pick<RunView, 'step' | 'target' | 'stepsPerSecond'>): number {
  return v.stepsPerSecond > 0 ? Math.max(0, v.target - v.step) / v.stepsPerSecond : Number.POSITIVE_INFINITY;
}

/** A time left in words: `about 2 min 10 s left`, `about 40 s left`, `about 1 h 5 min left`. */
export function timeLeft(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `about ${Math.max(1, s)} s left`;
  if (s < 3600) return `about ${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''} left`;
  const m = Math.round(s / 60);
  return `about ${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''} left`;
}

/**
 * Sets the buttons' disabled states, enabling before disabling: a button that disables itself while
 * focused hands focus to the control that makes sense next, which must be enabled by then.
 */
function setDisabled(states: [HTMLButtonElement, boolean, HTMLButtonElement][]): void {
  for (const [b, disabled] of states) if (!disabled) b.disabled = false;
  for (const [b, disabled, focusTo] of states) {
    if (!disabled || b.disabled) continue;
    const focused = document.activeElement === b;
    b.disabled = true;
    if (focused && !focusTo.disabled) focusTo.focus();
  }
}

function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/** Writes a property only when it changes (a write, even of the same value, can invalidate style every frame). */
function put<T extends object, K extends keyof T>(e: T, key: K, value: T[K]): void {
  if (e[key] !== value) e[key] = value;
}

function buttons(app: App): void {
  const el = app.el,
    panes = app.active;
  const ok = app.page.ready && panes.every((p) => p.view.configured) && !app.invalid.length && !app.reading;
  const running = panes.some((p) => p.view.running);
  const sampling = panes.some((p) => p.view.sampling);
  const atTarget = panes.every((p) => p.view.step >= p.view.target);
  setText(el.train, atTarget && panes[0].view.step > 0 ? 'Train +1000' : 'Train');
  setText(el.sample, sampling ? 'Stop sampling' : 'Sample');
  const configured = app.page.ready && panes.every((p) => p.view.configured);
  setDisabled([
    [el.train, !ok || running, el.pause],
    [el.pause, !running, el.train],
    [el.step, !ok || running || atTarget, el.train],
    [el.reset, !configured, el.train],
    [el.sample, !sampling && !ok, el.train],
  ]);
  put(el.exportModel, 'disabled', !ok);
  put(el.exportSamples, 'disabled', !panes[0].view.samples);
  put(el.exportPng, 'disabled', !app.page.ready);
}

/** The noise-level slider of a pane: the level the field is drawn at, following the sampler while it anneals. */
function sigmaControl(pane: Pane, box: HTMLElement, input: HTMLInputElement, out: HTMLOutputElement): void {
  const v = pane.view,
    info = v.info;
  const show = !!info && info.conditional && info.levels.length > 1;
  put(box, 'hidden', !show);
  if (!show || !info) return;
  const asc = [...info.levels].reverse();
  const nearest = (sigma: number) =>
    asc.reduce((best, s, i) => (Math.abs(detMath.log(s / sigma)) < Math.abs(detMath.log(asc[best] / sigma)) ? i : best), 0);
  const home = nearest(info.defaultSigma);
  const follow = v.sampling && v.samplerSigma !== undefined;
  const idx = follow ? nearest(v.samplerSigma!) : (v.fieldLevel ?? home);
  if (v.shownLevel === null) v.shownLevel = home;
  if (v.shownLevel !== idx) {
    v.shownLevel = idx;
    pane.setFieldSigma(!follow && v.fieldLevel === null ? null : asc[idx]);
  }
  put(input, 'max', String(asc.length - 1));
  if (document.activeElement !== input || follow) put(input, 'value', String(idx));
  const level = `${asc[idx].toPrecision(2)} · level ${asc.length - idx}/${asc.length}`;
  setText(out, follow ? `${level} · the sampler's` : idx === home ? `${level} · the model's own` : level);
}

/** A pane's title: which run it shows. */
export function runLabel(app: App, i: number): string {
  const rs = runStates(app.state)[i];
  return rs ? `${'AB'[i]}: ${rs.loss} · ${rs.kind}` : '';
}

/**
 * The heat map control's density choice says what it draws now, as the legend on the view does: a density, or |s|
 * and why (no density; a continuous model's ODE density is computed when training stops, and takes a few seconds).
 */
function heatChoice(app: App): void {
  const runs = app.active.map((p) => {
    const v = p.view,
      kind = v.info?.density ?? null;
    return { kind, wait: p.densityWait, stale: v.density && v.density.step !== v.step ? v.density.step : undefined };
  });
  const option = [...app.el.heat.options].find((o) => o.value === 'density')!;
  put(option, 'text', densityChoiceText(runs));
}

export function refresh(app: App): void {
  const el = app.el;
  setText(el.status, statusText(app));
  buttons(app);
  const panes = app.active;
  const compare = panes.length > 1;
  put(el.paneB, 'hidden', !compare);
  el.layout.classList.toggle('compare', compare);
  app.metrics.setColumns(
    panes.map((_, i) => runLabel(app, i)),
    compare,
  );
  app.metrics.setImageMode(imageMode(app.state));
  panes.forEach((p, i) => app.metrics.show(i, p.view));
  setText(el.titleA, compare ? runLabel(app, 0) : '');
  setText(el.titleB, compare ? runLabel(app, 1) : '');
  put(el.titleA, 'hidden', !compare);
  sigmaControl(app.panes[0], el.sigmaA, el.levelA, el.levelOutA);
  if (compare) sigmaControl(app.panes[1], el.sigmaB, el.levelB, el.levelOutB);
  put(el.fileProgress, 'hidden', !app.reading);
  if (app.reading) {
    put(el.fileBar, 'value', app.reading.fraction);
    setText(el.fileLabel, `Reading ${app.reading.name}`);
  }
  setText(
    app.metrics.core,
    app.page.build
      ? `WASM ${app.page.build === 'simd' ? 'SIMD' : 'scalar'}${app.page.threads > 1 ? `, ${app.page.threads} threads` : ''}`
      : '–',
  );
  heatChoice(app);
  // The ODE density of a continuous score model: computed when it is shown and the model stands still.
  for (const p of panes) {
    const v = p.view;
    if (
      !p.shown.image &&
      app.heat === 'density' &&
      v.info?.density === 'ode' &&
      !v.running &&
      v.step > 0 &&
      v.density?.step !== v.step &&
      !p.densityBusy
    )
      void p.computeDensity();
  }
}
