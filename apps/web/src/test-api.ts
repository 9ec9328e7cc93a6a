/** A read-only window on the app for the end-to-end tests and the console: `window.scorefield`. */
import type { App } from './app.js';
import { fieldSignature } from './field.js';
import { defaults, encodeState } from './state.js';

export function testApi(app: App) {
  const view = () => app.pane.view;
  return {
    get ready() {
      return app.page.ready && view().configured;
    },
    get build() {
      return app.page.build;
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
      const v = view();
      return v.sampling || v.frames.length > 0 || v.pendingDone !== null;
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
    get errors() {
      return [...app.status.errors];
    },
    get fisher() {
      return view().fisher;
    },
    get mmd() {
      return view().mmd;
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
      const p = app.pane.shown.points;
      return p ? Array.from(p) : null;
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
