/** A read-only window on the app for the end-to-end tests and the console: `window.scorefield`. */
import type { App } from './app.js';
import { fieldSignature } from './field.js';
import { pointsInBox } from './render-view.js';
import { defaults } from './state.js';
import { encodeState } from './url-state.js';

export function testApi(app: App) {
  const view = (i = 0) => app.panes[i]?.view;
  return {
    /** The core loaded and every run's model built (its data shown). */
    get ready() {
      return app.page.ready && app.active.every((p) => p.view.configured && p.view.info !== null);
    },
    get build() {
      return app.page.build;
    },
    get threads() {
      return app.page.threads;
    },
    get step() {
      return view().step;
    },
    get target() {
      return view().target;
    },
    get running() {
      return view().running;
    },
    get sampling() {
      return app.active.some((p) => p.view.sampling || p.view.frames.length > 0 || p.view.pendingDone !== null);
    },
    get fps() {
      return app.page.fps;
    },
    get frameMs() {
      return app.page.frameMs;
    },
    get stepsPerSecond() {
      return view().stepsPerSecond;
    },
    get trainShare() {
      return view().trainShare;
    },
    get fpsHistory() {
      return [...app.page.fpsHistory];
    },
    /** Every error and warning the page has shown. */
    get errors() {
      return [...app.notices.shown];
    },
    get fisher() {
      return view().fisher;
    },
    get mmd() {
      return view().quality?.mmd;
    },
    get sigmaText() {
      return view().sigmaText;
    },
    get run() {
      return view().id;
    },
    losses: () => Array.from(view().losses.all()),
    field: () => {
      const f = view().field;
      return f ? { step: f.step, ...fieldSignature(f.score) } : null;
    },
    firstField: () => view().firstField,
    samples: () => {
      const s = view().samples;
      return s ? Array.from(s) : null;
    },
    /** The particles of the first animation frame of the latest sampling run (near the start: noise). */
    firstParticles: () => {
      const p = view().firstParticles;
      return p ? Array.from(p) : null;
    },
    /** The distinct noise levels shown during the latest sampling animation, in order. */
    sigmasShown: () => [...view().sigmasShown],
    data: () => {
      const p = app.panes[0].shown.points;
      return p ? Array.from(p) : null;
    },
    /** The run in pane i (0, or 1 in compare mode): its model, sample quality, sampler, field level and heat map. */
    pane: (i: number) => {
      const p = app.panes[i],
        v = p?.view;
      if (!v) return null;
      return {
        step: v.step,
        running: v.running,
        sampling: v.sampling,
        info: v.info,
        quality: v.quality ?? null,
        qualityStep: v.qualityStep,
        sampler: v.sampler,
        samplerSigma: v.samplerSigma ?? null,
        fieldSigma: v.field?.sigma ?? null,
        heat: p.heatImage?.legend ?? '',
        /** How many of the data points on the view the legend covers (null: no legend). */
        legendCovers: p.legendBox && p.shown.points ? pointsInBox(p.shown.points, p.shown.range, p.canvas.width, p.legendBox) : null,
        densityStep: v.density?.step ?? null,
        failure: v.failure,
        samples: v.samples ? v.samples.length / 2 : 0,
        /** The latest sampling run's settings (every default filled in) and Stein check. */
        sampled: v.sampled,
      };
    },
    /** The heat image of pane i: its values in [0, 1] on its grid (row 0 at the bottom) and the view box. */
    heatImage: (i = 0) => {
      const p = app.panes[i];
      const h = p?.heatImage;
      return h ? { t: Array.from(h.t), grid: h.grid, legend: h.legend, range: p.shown.range } : null;
    },
    /** Image mode: the image shape of the run's data and how many training images the view has (null: 2-D data). */
    images: () => {
      const shown = app.panes[0].shown;
      return shown.image
        ? { ...shown.image, rows: shown.rows, shown: (shown.points?.length ?? 0) / (shown.image.width * shown.image.height) }
        : null;
    },
    state: () => encodeState(app.state),
    defaults: () => encodeState({ ...defaults }),
  };
}

export type TestApi = ReturnType<typeof testApi>;

declare global {
  interface Window {
    scorefield: TestApi;
  }
}

export function installTestApi(app: App): void {
  Object.defineProperty(window, 'scorefield', { value: Object.freeze(testApi(app)) });
}
