/**
 * The app: the run state (state.ts) and the URL, the settings form, the panes that train and show the
 * runs (one, or two in compare mode), drawing and files. It decides what runs; the panes and their
 * workers do the work; refresh.ts derives what the page says from where the runs are; render-loop.ts draws.
 */
import { controlKinds, fillSelects, readControls, syncControls, type ChangeKind } from './controls.js';
import { DrawingInput } from './drawing.js';
import type { Elements, ElementName } from './elements.js';
import type { HeatMode } from './heat.js';
import { MetricsTable } from './metrics-table.js';
import { imageDataLabel, imageReference, mnistSource, syncImageControls } from './image-mode.js';
import { Notices } from './notices.js';
import { Pane } from './pane.js';
import type { DataSource, Range } from './protocol.js';
import type { ViewLayers } from './render-view.js';
import { pointsReference, type Reference } from './sample-quality.js';
import {
  cliWords,
  datasetNames,
  describeChange,
  effectiveSampler,
  fixedLadder,
  GRID_IMAGES,
  imageMode,
  runOf,
  runStates,
  stepsOf,
  withData,
  type AppState,
} from './state.js';
import { decodeState, encodeState } from './url-state.js';
import type { PageView, RunView } from './view-model.js';

/** A loaded file of points (not in the URL: a link cannot carry it). */
export interface FileData {
  name: string;
  data: Float64Array;
  rows: number;
  /** The header's column names, when the file had them. */
  names?: string[];
}

export class App {
  state: AppState;
  readonly autorun: boolean;
  fileData: FileData | null = null;
  /** A file being read: its name and the fraction read. */
  reading: { name: string; fraction: number } | null = null;
  readonly page: PageView = { ready: false, build: '', threads: 1, fps: 0, fpsHistory: [], frameMs: 0 };
  readonly notices: Notices;
  readonly metrics: MetricsTable;
  readonly panes: Pane[];
  readonly drawing: DrawingInput;
  /** Controls whose value is invalid (marked; nothing trains until they are fixed). */
  invalid: ElementName[] = [];
  /** A short-lived line for the status (an export, a copied link), shown until the runs' state changes. */
  note: { text: string; about: string } | null = null;
  /** The state before the latest change that discarded a trained model (for an undo). */
  private undoState: AppState | null = null;
  private lastAutoSample = '';

  constructor(readonly el: Elements) {
    const decoded = decodeState(location.hash);
    this.state = decoded.state;
    this.autorun = decoded.autorun;
    this.notices = new Notices(el.notices);
    this.metrics = new MetricsTable(el.metrics);
    fillSelects(el);
    this.panes = [this.newPane(el.view)];
    this.drawing = new DrawingInput(el.view, () => ({ range: this.panes[0].shown.range, drawnData: this.state.data === 'drawn' }), {
      begin: () => {
        this.state = { ...this.state, data: 'drawn', points: undefined };
        for (const p of this.panes) {
          if (p.view.configured) p.pause();
          p.newRun(stepsOf(this.state)); // drop messages of the old run while drawing
        }
      },
      changed: (points) => {
        for (const p of this.panes) {
          p.shown = { ...p.shown, points };
          p.invalidate();
        }
      },
      commit: (points, range) => {
        this.state = { ...this.state, data: 'drawn', points };
        this.configure(range);
      },
      modeChanged: () => this.sync(),
    });
    this.sync();
    this.writeHash();
    if (decoded.warnings.length) this.notices.set('link', 'warning', `This link had invalid settings: ${decoded.warnings.join('; ')}.`);
  }

  private newPane(canvas: HTMLCanvasElement): Pane {
    const pane: Pane = new Pane(canvas, {
      ready: (build, threads) => {
        if (pane !== this.panes[0]) return;
        this.page.ready = true;
        this.page.build = build;
        this.page.threads = threads;
        this.configure();
        if (this.autorun) this.start();
      },
      failed: (message) => this.notices.set('worker', 'error', message),
      data: () => this.sync(),
      model: (run) => {
        // What the trainer had to say about the data (e.g. a constant coordinate kept), as `scorefield train` prints it.
        const key = `trainer-${this.panes.indexOf(pane)}`,
          said = run.info?.notices ?? [];
        if (said.length) this.notices.set(key, 'warning', said.join(' '));
        else this.notices.clear(key);
        this.sync();
      },
      progress: (run, was) => this.onProgress(run, was),
      error: (_run, message) => this.notices.set(`run-${this.panes.indexOf(pane)}`, 'error', message),
    });
    return pane;
  }

  /** The panes the state runs (the second exists once compare mode was first used). */
  get active(): Pane[] {
    return this.panes.slice(0, this.state.compare ? 2 : 1);
  }

  get autoSample(): boolean {
    return this.el.autoSample.checked;
  }

  layers(): ViewLayers {
    const el = this.el;
    return {
      arrows: el.showArrows.checked,
      trueArrows: el.showTrue.checked && !el.showTrue.disabled,
      data: el.showData.checked,
      samples: el.showSamples.checked,
    };
  }

  get heat(): HeatMode {
    return this.el.heat.value as HeatMode;
  }

  dataLabel(): string {
    const s = this.state;
    if (imageMode(s)) return imageDataLabel(s);
    return s.data === 'file' && this.fileData ? this.fileData.name : s.data === 'drawn' ? 'drawn points' : s.data;
  }

  private onProgress(run: RunView, was: { running: boolean }): void {
    if (!(was.running && !run.running && run.step >= run.target && this.autoSample)) return;
    // Every pane at its target: sample them all (once per target reached).
    if (this.active.some((p) => p.view.running || p.view.step < p.view.target)) return;
    const key = this.active.map((p) => `${p.view.id}:${p.view.step}`).join('/');
    if (this.lastAutoSample === key) return;
    this.lastAutoSample = key;
    this.requestSample();
  }

  hasData(s: AppState): boolean {
    if (s.data === 'drawn') return !!s.points && s.points.length >= 8;
    if (s.data === 'file') return !!this.fileData;
    return true;
  }

  private dataSource(s: AppState): DataSource {
    if (s.data === 'drawn') return { kind: 'points', name: 'drawn', points: Float32Array.from(s.points!), rows: s.points!.length / 2 };
    if (s.data === 'file') {
      const f = this.fileData!;
      return { kind: 'points', name: f.name, points: Float64Array.from(f.data), rows: f.rows, ...(f.names && { columns: f.names }) };
    }
    if (imageMode(s)) return mnistSource(s);
    return { kind: 'builtin', name: s.data, size: s.dataSize, seed: s.seed };
  }

  /** What samples are measured against (sample-quality.ts). */
  private reference(s: AppState): Reference {
    if (imageMode(s)) return imageReference(s);
    if (datasetNames.includes(s.data)) return { kind: 'builtin', name: s.data };
    return pointsReference(s.data === 'file' ? this.fileData!.data : s.points!);
  }

  /**
   * Starts new runs from the state (models at step 0); the previous runs' messages are dropped. When that
   * discards a trained model, the page says so and offers to undo (the workers keep the old runs until the next change).
   */
  configure(range?: Range, previous?: AppState): void {
    const s = this.state;
    const trained = this.active
      .map((p) => p.view)
      .filter((v) => v.configured && v.step > 0)
      .map((v) => v.step);
    const targets = runStates(s).map(stepsOf);
    this.panes.forEach((p, i) => p.newRun(targets[i] ?? targets[0]));
    this.notices.clear('undo');
    this.undoState = null;
    if (previous && trained.length && this.page.ready) {
      this.undoState = previous;
      this.notices.set(
        'undo',
        'offer',
        `New run (${describeChange(previous, s)}): the model trained to step ${Math.max(...trained)} was set aside.`,
        {
          label: 'Undo',
          run: () => this.undo(),
        },
      );
    }
    this.notices.clear('run-0');
    this.notices.clear('run-1');
    this.writeHash();
    this.sync();
    if (!this.page.ready || !this.hasData(s)) {
      if (s.data === 'drawn')
        for (const p of this.panes)
          p.shown = { ...p.shown, points: this.drawing.points.length ? Float32Array.from(this.drawing.points) : null };
      return;
    }
    const states = runStates(s);
    while (this.panes.length < states.length) this.panes.push(this.newPane(this.el.viewB));
    states.forEach((rs, i) =>
      this.panes[i].configure(runOf(rs), this.dataSource(rs), range ?? (i > 0 ? this.panes[0].shown.range : undefined)),
    );
  }

  /** Back to the runs before the latest change that discarded a trained model. */
  undo(): void {
    if (!this.undoState) return;
    this.state = this.undoState;
    this.undoState = null;
    for (const p of this.active) p.restore();
    this.writeHash();
    this.sync();
  }

  start(): void {
    if (this.invalid.length) return;
    const panes = this.active;
    if (!panes.every((p) => p.view.configured)) return;
    const step = Math.max(...panes.map((p) => p.view.step));
    if (panes.every((p) => p.view.step >= p.view.target)) {
      // At the target: train on for another 1000 steps (the link follows).
      this.state = { ...this.state, steps: step + 1000 };
      this.writeHash();
      this.sync();
      for (const p of panes) p.setTarget(step + 1000);
    }
    this.notices.clear('run-0');
    this.notices.clear('run-1');
    for (const p of panes) p.start();
  }

  requestSample(): void {
    const s = this.state;
    runStates(s).forEach((rs, i) => {
      const p = this.panes[i];
      if (!p.view.configured || p.view.sampling) return;
      // Image mode samples the grid of images the view shows.
      const n = imageMode(s) ? GRID_IMAGES : s.particles;
      const request = { sampler: effectiveSampler(rs), n, seed: s.sampleSeed, steps: s.sampleSteps, stepSize: s.stepSize };
      void p.sample(request, this.reference(rs));
    });
  }

  stopSampling(): void {
    for (const p of this.active) p.stopSampling();
  }

  writeHash(): void {
    const s = this.state;
    const hash = `#${encodeState(s)}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    const runs = runStates(s);
    const cmds = runs.map((rs, i) =>
      cliWords(rs, runs.length > 1 ? `model-${'ab'[i]}.safetensors` : 'model.safetensors', this.fileData?.name),
    );
    const text = cmds.every((c) => c !== null)
      ? cmds.map((c) => c.join(' ')).join('\n')
      : 'drawn points are not on the command line (export the samples, or load a file instead)';
    if (this.el.cli.textContent === text) return;
    // One unbreakable span per word (styles: .cli .arg), spaces between them: the command wraps between arguments only.
    if (cmds.every((c) => c !== null))
      this.el.cli.replaceChildren(
        ...cmds.flatMap((words, i) => [
          ...(i > 0 ? ['\n'] : []),
          ...words.flatMap((w, k) => [
            ...(k > 0 ? [' '] : []),
            Object.assign(document.createElement('span'), { className: 'arg', textContent: w }),
          ]),
        ]),
      );
    else this.el.cli.textContent = text;
  }

  /** How many points the view of the first run shows, of how many it trains on (2-D data, once the worker sent them). */
  private shownCounts(): { points: number; rows: number } | undefined {
    const shown = this.panes[0].shown;
    return shown.points && !shown.image ? { points: shown.points.length / 2, rows: shown.rows } : undefined;
  }

  /** Writes the state into the controls, and what depends on it. */
  sync(): void {
    const info = this.panes[0].view.info;
    const levels = info?.levels ?? [];
    syncControls(this.el, this.state, {
      drawn: this.drawing.points.length > 0,
      file: this.fileData?.name,
      fileRows: this.fileData?.rows,
      shown: this.shownCounts(),
      autoSampler: info?.defaultSampler,
      chosen: info?.chosen ?? '',
      // Picking a ladder of one's own starts from the one the data gave (ncsn's levels are geometric).
      ladderSeed:
        this.state.loss === 'ncsn' && levels.length > 1
          ? { schedule: 'geometric', max: +levels[0].toPrecision(3), min: +levels[levels.length - 1].toPrecision(3), levels: levels.length }
          : fixedLadder,
    });
    const el = this.el;
    syncImageControls(el, this.state);
    el.draw.setAttribute('aria-pressed', String(this.drawing.on));
    el.view.classList.toggle('drawing', this.drawing.on);
    const exact = this.panes[0].shown.exact && datasetNames.includes(this.state.data);
    el.showTrue.disabled = !exact;
    const errOpt = [...el.heat.options].find((o) => o.value === 'error')!;
    errOpt.disabled = !exact;
    if (!exact && el.heat.value === 'error') el.heat.value = 'density';
    for (const p of this.panes) p.invalidate();
  }

  onControlChange(kind: ChangeKind): void {
    const { state: next, invalid } = readControls(this.el, this.state);
    this.invalid = invalid;
    if (invalid.length) return;
    this.notices.clear('link');
    const prev = this.state;
    this.state = kind === 'data' ? withData(prev, next) : next;
    const panes = this.active;
    if (kind === 'sampler') {
      this.writeHash();
      this.sync();
      return;
    }
    const targets = runStates(next).map(stepsOf);
    if (kind === 'target' && panes.every((p, i) => targets[i] > p.view.step)) {
      this.writeHash();
      this.sync();
      panes.forEach((p, i) => p.setTarget(targets[i]));
      return;
    }
    if (kind === 'data' && next.data !== prev.data) {
      this.drawing.on = next.data === 'drawn';
      if (next.data === 'drawn' && !next.points && this.drawing.points.length >= 8)
        this.state = { ...this.state, points: Float32Array.from(this.drawing.points) };
    }
    this.configure(kind === 'data' && this.state.data === 'drawn' ? (this.drawing.range ?? undefined) : undefined, prev);
  }

  bindControls(): void {
    const el = this.el;
    for (const [name, kind] of Object.entries(controlKinds) as [ElementName, ChangeKind][])
      el[name].addEventListener('change', () => this.onControlChange(kind));
    el.controls.addEventListener('submit', (e) => e.preventDefault());
    window.addEventListener('hashchange', () => {
      const d = decodeState(location.hash);
      if (encodeState(d.state) === encodeState(this.state)) return;
      const prev = this.state;
      this.state = d.state;
      if (d.warnings.length) this.notices.set('link', 'warning', `This link had invalid settings: ${d.warnings.join('; ')}.`);
      this.configure(undefined, prev);
    });
  }
}
