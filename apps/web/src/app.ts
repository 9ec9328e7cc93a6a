/**
 * The app: the run state (state.ts) and the URL, the settings form, the pane that trains and shows the
 * run, drawing and files. It decides what runs; the pane and its worker do the work, the render loop
 * draws (render-loop.ts).
 */
import { controlKinds, fillSelects, readControls, syncControls, type ChangeKind } from './controls.js';
import { DrawingInput } from './drawing.js';
import type { Elements, ElementName } from './elements.js';
import { Pane } from './pane.js';
import type { DataSource, Range, TrainConfig } from './protocol.js';
import type { HeatMode, ViewLayers } from './render.js';
import {
  cliCommand,
  datasetNames,
  decodeState,
  effectiveSampler,
  encodeState,
  noiseConditional,
  objectiveSpec,
  type AppState,
} from './state.js';
import { StatusLine } from './status.js';
import type { PageView } from './view-model.js';

/** A loaded file of points (not in the URL: a link cannot carry it). */
export interface FileData {
  name: string;
  data: Float64Array;
  rows: number;
}

export function trainConfig(s: AppState): TrainConfig {
  return {
    hidden: s.hidden,
    activation: s.activation,
    loss: objectiveSpec(s),
    kind: s.kind,
    conditioning: s.conditioning === 'auto' ? undefined : s.conditioning,
    batch: s.batch,
    lr: s.lr,
    seed: s.seed,
    steps: s.steps,
  };
}

export class App {
  state: AppState;
  readonly autorun: boolean;
  fileData: FileData | null = null;
  readonly page: PageView = { ready: false, build: '', errors: [], fps: 0, fpsHistory: [], frameMs: 0 };
  readonly status: StatusLine;
  readonly pane: Pane;
  readonly drawing: DrawingInput;
  private lastAutoSample = '';

  constructor(readonly el: Elements) {
    const decoded = decodeState(location.hash);
    this.state = decoded.state;
    this.autorun = decoded.autorun;
    this.status = new StatusLine(el.status, el.error);
    this.page.errors = this.status.errors;
    fillSelects(el);
    this.pane = new Pane(el.view, {
      ready: (build) => this.onReady(build),
      error: (message) => {
        this.status.showError(message);
        this.updateButtons();
      },
      data: () => this.updateAvailability(),
      progress: (run, was) => {
        this.showProgress();
        if (was.running && !run.running) {
          if (run.step >= run.target) {
            this.status.set(`Reached the steps target: ${run.step} steps.${this.autoSample ? ' Sampling…' : ''}`);
            const key = `${run.id}:${run.step}`;
            if (this.autoSample && this.lastAutoSample !== key) {
              this.lastAutoSample = key;
              this.requestSample();
            }
          } else this.status.set(`Paused at step ${run.step}.`);
        } else if (!was.running && run.running) this.status.set(`Training… (target ${run.target} steps)`);
        this.updateButtons();
      },
      metrics: (run) => {
        el.mFisher.textContent =
          run.fisher === undefined
            ? 'n/a (no exact score)'
            : `${run.fisher.toPrecision(3)}${run.fisherNoise ? ` (σ=${run.fisherNoise.toPrecision(2)})` : ''}`;
      },
      sampleStart: (run, n) => {
        this.status.set(`Sampling ${n} particles with ${run.sampler}…`);
        this.updateButtons();
      },
      sampleShown: (run, d) => {
        el.mMmd.textContent = `${d.mmd.toPrecision(3)} (step ${d.step})`;
        this.status.set(
          `Sampled ${d.samples.length / 2} particles with ${d.sampler} in ${d.seconds.toFixed(2)} s (${d.evaluations} score evaluations each).`,
        );
        this.updateButtons();
      },
    });
    this.drawing = new DrawingInput(el.view, () => ({ range: this.pane.shown.range, drawnData: this.state.data === 'drawn' }), {
      begin: () => {
        this.state = { ...this.state, data: 'drawn', points: undefined };
        const v = this.pane.view;
        if (v.configured) this.pane.pause();
        this.pane.newRun(this.state.steps); // drop messages of the old run while drawing
      },
      changed: (points) => {
        this.pane.shown = { ...this.pane.shown, points };
        this.pane.invalidate();
      },
      commit: (points, range) => {
        this.state = { ...this.state, data: 'drawn', points };
        this.configure(range);
      },
      modeChanged: () => this.sync(),
    });
    this.bindControls();
    this.sync();
    this.writeHash();
    this.updateButtons();
    if (decoded.warnings.length) this.status.showError(decoded.warnings.join('; '));
  }

  get autoSample(): boolean {
    return this.el.autoSample.checked;
  }

  /** Noise-conditional model: the sampler's sigma is worth showing even for Langevin. */
  get conditioned(): boolean {
    const s = this.state;
    return s.conditioning === 'auto' ? noiseConditional(s) : s.conditioning !== 'none';
  }

  layers(): ViewLayers {
    const el = this.el;
    return {
      heat: el.heat.value as HeatMode,
      arrows: el.showArrows.checked,
      trueArrows: el.showTrue.checked && !el.showTrue.disabled,
      data: el.showData.checked,
      samples: el.showSamples.checked,
    };
  }

  dataLabel(): string {
    const s = this.state;
    return s.data === 'file' && this.fileData ? this.fileData.name : s.data === 'drawn' ? 'drawn points' : s.data;
  }

  private onReady(build: 'simd' | 'scalar'): void {
    this.page.ready = true;
    this.page.build = build;
    this.el.mBuild.textContent = build === 'simd' ? 'WASM SIMD' : 'WASM scalar';
    this.status.set(`Ready: the ${build === 'simd' ? 'SIMD' : 'scalar'} WebAssembly core runs in a worker. Press Train.`);
    this.configure();
    if (this.autorun) this.start();
  }

  private hasData(s: AppState): boolean {
    if (s.data === 'drawn') return !!s.points && s.points.length >= 8;
    if (s.data === 'file') return !!this.fileData;
    return true;
  }

  private dataSource(s: AppState): DataSource {
    if (s.data === 'drawn') return { kind: 'points', name: 'drawn', points: Float32Array.from(s.points!), rows: s.points!.length / 2 };
    if (s.data === 'file') {
      const f = this.fileData!;
      return { kind: 'points', name: f.name, points: Float64Array.from(f.data), rows: f.rows };
    }
    return { kind: 'builtin', name: s.data, size: s.dataSize, seed: s.seed };
  }

  /** Starts a new run from the state (model at step 0); the previous run's messages are dropped. */
  configure(range?: Range): void {
    const s = this.state;
    this.pane.newRun(s.steps);
    const el = this.el;
    el.mMmd.textContent = '–';
    el.mFisher.textContent = '–';
    el.mLoss.textContent = '–';
    el.mSigma.textContent = '–';
    el.mStep.textContent = `0 / ${s.steps}`;
    this.status.hideError();
    this.writeHash();
    this.sync();
    if (!this.page.ready) return;
    if (!this.hasData(s)) {
      if (s.data === 'drawn')
        this.pane.shown = { ...this.pane.shown, points: this.drawing.points.length ? Float32Array.from(this.drawing.points) : null };
      this.status.set('Draw some points on the view (drag, or arrow keys and Enter), then Train.');
      this.updateButtons();
      return;
    }
    this.pane.configure(trainConfig(s), this.dataSource(s), range);
    this.updateButtons();
  }

  start(): void {
    const v = this.pane.view;
    if (!v.configured) return;
    if (v.step >= v.target) {
      // At the target: train on for another 1000 steps (the link follows).
      this.state = { ...this.state, steps: v.step + 1000 };
      this.writeHash();
      this.sync();
      this.pane.setTarget(this.state.steps);
    }
    this.status.hideError();
    this.pane.start();
  }

  requestSample(): void {
    const v = this.pane.view;
    if (!v.configured || v.sampling) return;
    const s = this.state;
    this.pane.sample({ sampler: effectiveSampler(s), n: s.particles, seed: s.sampleSeed, steps: s.sampleSteps, stepSize: s.stepSize });
    this.updateButtons();
  }

  writeHash(): void {
    const s = this.state;
    const hash = `#${encodeState(s)}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    const file = this.fileData;
    const cmd =
      cliCommand(s) ??
      (s.data === 'file' && file ? cliCommand({ ...s, data: '8gaussians' })!.replace('--data 8gaussians', `--data ${file.name}`) : null);
    this.el.cli.textContent = cmd ?? 'drawn points are not on the command line (export the samples, or load a file instead)';
  }

  /** Writes the state into the controls and the toggles that depend on it. */
  sync(): void {
    syncControls(this.el, this.state, { drawn: this.drawing.points.length > 0, file: this.fileData?.name });
    this.el.draw.setAttribute('aria-pressed', String(this.drawing.on));
    this.el.view.classList.toggle('drawing', this.drawing.on);
    this.updateAvailability();
  }

  updateAvailability(): void {
    const el = this.el;
    const exact = this.pane.shown.exact && datasetNames.includes(this.state.data);
    el.showTrue.disabled = !exact;
    const errOpt = [...el.heat.options].find((o) => o.value === 'error')!;
    errOpt.disabled = !exact;
    if (!exact && el.heat.value === 'error') el.heat.value = 'density';
    this.pane.invalidate();
  }

  updateButtons(): void {
    const el = this.el,
      v = this.pane.view;
    const ok = this.page.ready && v.configured;
    el.train.disabled = !ok || v.running || v.sampling;
    el.train.textContent = v.step >= v.target && v.step > 0 ? 'Train 1000 more' : 'Train';
    el.pause.disabled = !ok || !v.running;
    el.step.disabled = !ok || v.sampling || v.step >= v.target;
    el.reset.disabled = !ok || v.sampling;
    el.sample.disabled = !ok || v.sampling;
    el.exportModel.disabled = !ok;
    el.exportSamples.disabled = !v.samples;
    el.exportPng.disabled = !this.page.ready;
  }

  /** The step, rate and loss of the current run in the metrics panel. */
  private showProgress(): void {
    const el = this.el,
      v = this.pane.view;
    el.mStep.textContent = `${v.step} / ${v.target}`;
    if (v.stepsPerSecond > 0) {
      el.mRate.textContent = v.stepsPerSecond.toFixed(0);
      el.mRate.title = `${(100 * v.trainShare).toFixed(0)}% of the worker's time in Adam steps (the rest: field snapshots, metrics, messages)`;
    }
    const loss = v.losses.recentMean(50);
    if (loss !== undefined) el.mLoss.textContent = loss.toPrecision(4);
  }

  private onControlChange(kind: ChangeKind): void {
    const { state: next, invalid } = readControls(this.el, this.state);
    if (invalid.length) {
      this.status.showError('Some settings are invalid (marked); fix them to apply.');
      return;
    }
    this.status.hideError();
    const prev = this.state;
    this.state = next;
    const v = this.pane.view;
    if (kind === 'sampler') {
      this.writeHash();
      this.sync();
      return;
    }
    if (kind === 'target' && next.steps > v.step) {
      this.writeHash();
      this.sync();
      this.pane.setTarget(next.steps);
      this.updateButtons();
      return;
    }
    if (kind === 'data' && next.data !== prev.data) {
      this.drawing.on = next.data === 'drawn';
      if (next.data === 'drawn' && !next.points && this.drawing.points.length >= 8)
        this.state = { ...next, points: Float32Array.from(this.drawing.points) };
    }
    this.configure(kind === 'data' && this.state.data === 'drawn' ? (this.drawing.range ?? undefined) : undefined);
  }

  private bindControls(): void {
    const el = this.el;
    for (const [name, kind] of Object.entries(controlKinds) as [ElementName, ChangeKind][])
      el[name].addEventListener('change', () => this.onControlChange(kind));
    el.controls.addEventListener('submit', (e) => e.preventDefault());
    window.addEventListener('hashchange', () => {
      const d = decodeState(location.hash);
      if (encodeState(d.state) === encodeState(this.state)) return;
      this.state = d.state;
      if (d.warnings.length) this.status.showError(d.warnings.join('; '));
      this.configure();
    });
    for (const name of ['heat', 'showArrows', 'showTrue', 'showData', 'showSamples'] as const)
      el[name].addEventListener('change', () => this.pane.invalidate());
    el.draw.addEventListener('click', () => {
      this.drawing.setMode(!this.drawing.on);
      if (this.drawing.on)
        this.status.set(
          'Draw mode: drag on the view (or focus it, move with the arrow keys, press Enter) to add points; press Draw again to stop.',
        );
    });
    el.clearDrawn.addEventListener('click', () => {
      this.drawing.clear();
      this.drawing.on = true;
      this.state = { ...this.state, data: 'drawn', points: undefined };
      this.configure();
    });
  }
}
