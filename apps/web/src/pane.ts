/**
 * A pane: one run, its training worker and its job workers (sampling, ODE density), and its view. It
 * turns the workers' messages into its RunView and draws that view; the app decides what to run and when.
 */
import type { RunSpec } from '@scorefield/models';
import { fieldSignature } from './field.js';
import { JobLink } from './job-link.js';
import { DENSITY_GRID } from './density.js';
import type { DataSource, FromJob, Range, SampleRequest } from './protocol.js';
import { densityWait, heatValues, paintHeat, type DensityWait, type HeatImage, type HeatMode } from './heat.js';
import { drawImageGrid } from './render-images.js';
import {
  drawBase,
  drawFrame,
  drawOverlay,
  overlayKey,
  textScale,
  withLegendStrip,
  type Box,
  type LegendItem,
  type ViewLayers,
} from './render-view.js';
import type { Reference } from './sample-quality.js';
import { RunView, type ShownData } from './view-model.js';
import { TrainerLink, type RunMessage } from './worker-link.js';

export interface PaneEvents {
  ready(build: 'simd' | 'scalar', threads: number): void;
  /** The run's progress changed: `was` is whether it was running before. */
  progress(run: RunView, was: { running: boolean }): void;
  data(shown: ShownData): void;
  /** The model exists (its kind, levels and default sampler are known). */
  model(run: RunView): void;
  /** The run stopped on an error (said in the page's words). */
  error(run: RunView, message: string): void;
  /** A worker failed outside any run. */
  failed(message: string): void;
}

/** What an undo needs to bring a run back: its view and its data. */
interface Kept {
  view: RunView;
  shown: ShownData;
}

export class Pane {
  readonly link: TrainerLink;
  private readonly sampler: JobLink;
  private readonly densityJob: JobLink;
  private runs = 0;
  /** Between asking for the model file and starting the density job. */
  private densityPending = false;
  view: RunView;
  shown: ShownData = { points: null, rows: 0, name: '', range: { x0: -4, x1: 4, y0: -4, y1: 4 }, exact: false };
  /** The run before the latest new one, while the worker keeps its model (see `restore`). */
  private kept: Kept | null = null;
  private readonly heatCanvas = document.createElement('canvas');
  /** The view's slowly changing layers (heatmap, data, arrows), redrawn only when they change. */
  private readonly baseCanvas = document.createElement('canvas');
  /** The annotations, redrawn only when their text changes. */
  private readonly overlayCanvas = document.createElement('canvas');
  private overlayDrawn = '';
  /** What the image grid on screen shows (image mode). */
  private imageDrawn = '';
  private imagesDrawn: Float32Array | null = null;
  /** What the last composed frame showed of what moves. */
  private framed: { particles: Float32Array | null; moving: string } = { particles: null, moving: '' };
  /** Where the legend is on the view (canvas pixels; null: none, or under the view). */
  legendBox: Box | null = null;
  /** The legend's symbols when they are under the view (every place on it covered data), else null. */
  legendOutside: LegendItem[] | null = null;
  private legendShown = '';
  /** The heat image on screen (null: none). */
  heatImage: HeatImage | null = null;
  private heatMode: HeatMode = 'none';
  /** Why the heat image on screen is |s| where a density was asked for (null: none, or a density is drawn). */
  private heatWait: DensityWait | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly events: PaneEvents,
  ) {
    this.view = new RunView(0, 0);
    this.link = new TrainerLink({
      ready: (build, threads) => events.ready(build, threads),
      failed: (message) => events.failed(message),
      run: (m) => this.onRun(m),
    });
    this.sampler = new JobLink('sampling', (m) => this.onJob(m));
    this.densityJob = new JobLink('density', (m) => this.onJob(m));
  }

  /**
   * Starts a fresh view of a new run (messages of the previous one are dropped from now on). A trained
   * previous run is kept for `restore` until the next new run.
   */
  newRun(target: number): RunView {
    this.stopJobs();
    const old = this.view;
    this.kept = old.configured && old.step > 0 ? { view: old, shown: this.shown } : null;
    this.view = new RunView(++this.runs, target);
    return this.view;
  }

  /** Brings back the run before the latest new one, with its model (the worker kept it). */
  restore(): boolean {
    if (!this.kept) return false;
    this.stopJobs();
    const { view, shown } = this.kept;
    this.kept = null;
    view.running = false;
    view.sampling = false;
    view.frames = [];
    view.pendingDone = null;
    view.lossDirty = view.heatDirty = view.baseDirty = true;
    this.view = view;
    this.shown = shown;
    this.link.send({ type: 'restore', run: view.id });
    return true;
  }

  /** Sends the current run to the worker (model at step 0). */
  configure(spec: RunSpec, data: DataSource, range?: Range): void {
    this.view.configured = true;
    this.link.send({ type: 'configure', run: this.view.id, spec, data, range });
  }

  start(): void {
    this.view.failure = '';
    this.link.send({ type: 'run', run: this.view.id });
  }
  pause(): void {
    this.link.send({ type: 'pause', run: this.view.id });
  }
  stepOnce(): void {
    this.link.send({ type: 'step', run: this.view.id });
  }
  setTarget(steps: number): void {
    this.view.target = steps;
    this.link.send({ type: 'target', run: this.view.id, steps });
  }
  /** Draws the field at noise level `sigma` (standardised units), or the model's default level (null). */
  setFieldSigma(sigma: number | null): void {
    this.link.send({ type: 'field-sigma', run: this.view.id, sigma });
  }

  /** Samples the model as it is now, in the sampling worker (training goes on). */
  async sample(request: SampleRequest, reference: Reference): Promise<void> {
    const v = this.view;
    v.sampling = true;
    const file = await this.link.exportModel(v.id);
    if (this.view !== v || !v.sampling) return; // stopped or superseded meanwhile
    this.sampler.run({ type: 'sample', run: v.id, step: v.step, bytes: file.bytes, request, reference });
  }

  /** Stops a sampling run: what it drew so far stays on screen. */
  stopSampling(): void {
    this.sampler.stop();
    const v = this.view;
    v.sampling = false;
    v.frames = [];
    v.pendingDone = null;
    v.footer = v.footer ? `${v.footer} (stopped)` : '';
  }

  /** Computes the ODE density of the model as it is now (continuous score models), in the density worker. */
  async computeDensity(): Promise<void> {
    const v = this.view;
    if (this.densityBusy) return;
    this.densityPending = true;
    const file = await this.link.exportModel(v.id);
    this.densityPending = false;
    if (this.view !== v) return;
    this.densityJob.run({ type: 'density', run: v.id, step: v.step, bytes: file.bytes, range: this.shown.range, grid: DENSITY_GRID });
  }

  /** What the heat map's density choice draws for this run now: its density (null), or |s| and why (heat.ts). */
  get densityWait(): DensityWait | null {
    const v = this.view;
    return densityWait(v.info?.density ?? null, { running: v.running, step: v.step, density: v.density });
  }

  /** A density of the current run is being computed. */
  get densityBusy(): boolean {
    return this.densityPending || this.densityJob.busy === this.view.id;
  }

  private stopJobs(): void {
    this.sampler.stop();
    this.densityJob.stop();
  }

  private onRun(m: RunMessage): void {
    const v = this.view;
    if (m.run !== v.id) return; // from a superseded run
    switch (m.type) {
      case 'data':
        this.shown = { points: m.shown, rows: m.rows, name: m.name, range: m.range, exact: m.exact, image: m.image };
        v.baseDirty = true;
        this.events.data(this.shown);
        return;
      case 'model':
        v.info = m.info;
        this.events.model(v);
        return;
      case 'progress': {
        const was = { running: v.running };
        v.losses.put(m.first, m.losses);
        v.lossDirty = true;
        v.step = m.step;
        v.target = m.target;
        v.running = m.running;
        v.stepsPerSecond = m.stepsPerSecond;
        v.trainShare = m.trainShare;
        this.events.progress(v, was);
        return;
      }
      case 'field':
        v.field = {
          step: m.step,
          range: m.range,
          grid: m.grid,
          score: m.score,
          energy: m.energy,
          sigma: m.sigma,
          trueScore: m.trueScore,
          noise: m.noise,
        };
        v.firstField ??= { step: m.step, ...fieldSignature(m.score) };
        v.heatDirty = true;
        return;
      case 'metrics':
        v.fisher = m.fisher;
        v.fisherNoise = m.fisherNoise ?? 0;
        return;
      case 'error':
        v.running = false;
        v.failure = m.message;
        this.events.error(v, m.message);
        return;
    }
  }

  private onJob(m: FromJob): void {
    const v = this.view;
    if (m.run !== v.id) return;
    switch (m.type) {
      case 'sample-start':
        v.sampling = true;
        v.firstParticles = null;
        v.sigmasShown = [];
        v.frames = [];
        v.pendingDone = null;
        v.sampler = m.sampler;
        return;
      case 'sample-frame':
        v.firstParticles ??= m.particles.slice();
        v.frames.push({ step: m.step, steps: m.steps, sigma: m.sigma, particles: m.particles });
        return;
      case 'sample-done':
        v.pendingDone = m;
        return;
      case 'density-done':
        v.density = m;
        v.heatDirty = true;
        return;
      case 'job-error':
        v.sampling = false;
        v.failure = m.message;
        this.events.error(v, m.message);
        return;
    }
  }

  /** Advances the sampling animation by one display frame: one frame of particles, or the result once caught up. */
  animate(): void {
    const v = this.view;
    if (v.frames.length) {
      // Skip ahead when the queue is long.
      const take = Math.max(1, Math.ceil(v.frames.length / 60));
      const f = v.frames.splice(0, take).pop()!;
      v.particles = f.particles;
      const showSigma = f.sigma !== undefined && (v.sampler !== 'langevin' || !!v.info?.conditional);
      v.samplerSigma = showSigma ? f.sigma : undefined;
      v.footer = `${v.sampler}: step ${f.step} / ${f.steps}${showSigma ? ` · σ = ${f.sigma!.toPrecision(3)}` : ''}`;
      v.sigmaText = showSigma ? f.sigma!.toPrecision(3) : 'n/a';
      if (showSigma && v.sigmasShown[v.sigmasShown.length - 1] !== f.sigma) v.sigmasShown.push(f.sigma!);
    } else if (v.pendingDone) {
      const d = v.pendingDone;
      v.pendingDone = null;
      v.samples = d.samples;
      v.particles = d.samples;
      v.quality = d.quality;
      v.qualityStep = d.step;
      v.sampled = { settings: d.settings, stationarity: d.stationarity, convergenceCheck: d.convergenceCheck };
      v.sampling = false;
      v.samplerSigma = undefined;
      const dim = this.shown.image ? this.shown.image.width * this.shown.image.height : 2;
      v.footer = `${d.sampler}: ${d.samples.length / dim} samples at step ${d.step}`;
    }
  }

  /** Draws the view: the cached base layers (redrawn when they changed), the particles and the labels. */
  draw(layers: ViewLayers, heat: HeatMode, labels: string[], cursor: [number, number] | null): void {
    const v = this.view,
      canvas = this.canvas;
    const wait = this.densityWait;
    if (v.heatDirty || heat !== this.heatMode || wait !== this.heatWait) {
      v.heatDirty = false;
      v.baseDirty = true;
      this.heatMode = heat;
      this.heatWait = wait;
      this.heatImage = v.field ? heatValues(v.field, heat, v.density, wait) : null;
      if (this.heatImage) paintHeat(this.heatCanvas, this.heatImage.grid, this.heatImage.t);
    }
    const content = {
      range: this.shown.range,
      field: v.field,
      data: this.shown.points,
      particles: v.particles,
      cursor,
      labels,
      footer: v.footer,
      heat: this.heatImage,
      pixelRatio: canvas.width / Math.max(1, canvas.clientWidth),
    };
    const size = canvas.width;
    let changed = false;
    if (v.baseDirty || this.baseCanvas.width !== size) {
      changed = true;
      v.baseDirty = false;
      this.baseCanvas.width = size;
      this.baseCanvas.height = size;
      drawBase(this.baseCanvas.getContext('2d')!, size, content, layers, this.heatImage ? this.heatCanvas : null);
    }
    const key = overlayKey(size, content, layers);
    if (key !== this.overlayDrawn || this.overlayCanvas.width !== size) {
      changed = true;
      this.overlayDrawn = key;
      this.overlayCanvas.width = size;
      this.overlayCanvas.height = size;
      const placed = drawOverlay(this.overlayCanvas.getContext('2d')!, size, content, layers);
      this.legendBox = placed?.box ?? null;
      this.legendOutside = placed?.outside ?? null;
      this.showLegendOutside();
    }
    // Most frames while training change nothing on the view: composing it again would only take CPU from the worker.
    const moving = `${cursor?.join(',')};${layers.samples}`;
    if (!changed && content.particles === this.framed.particles && moving === this.framed.moving) return;
    this.framed = { particles: content.particles, moving };
    drawFrame(canvas.getContext('2d')!, size, this.baseCanvas, this.overlayCanvas, content, layers);
  }

  /**
   * Draws the view of an image run: the grid of the latest samples (or of the sampling run's current frame), or of
   * the first training digits when `digits` is asked or no samples exist yet. Redrawn only when what it shows changed.
   */
  drawImages(labels: string[], digits: boolean): void {
    const v = this.view,
      canvas = this.canvas,
      shape = this.shown.image!;
    this.legendBox = null;
    this.legendOutside = null;
    this.showLegendOutside();
    const data = digits || !v.particles;
    const images = data ? this.shown.points : v.particles;
    const first = (this.shown.points?.length ?? 0) / (shape.width * shape.height);
    const what = data ? `training digits: the first ${first} of ${this.shown.rows}` : v.sampling ? 'samples, forming' : 'samples';
    const all = [...labels, what];
    // The final samples are captioned with the classifier's top class and its probability, once measured.
    const q = !data && images === v.samples && typeof v.quality?.image === 'object' ? v.quality.image : null;
    const captions = q?.top.map((c, i) => `${c} ${q.topProbability[i].toFixed(2)}`);
    const key = [canvas.width, all.join('|'), data ? '' : v.footer, v.baseDirty, !!captions].join(';');
    if (key === this.imageDrawn && images === this.imagesDrawn) return;
    this.imageDrawn = key;
    this.imagesDrawn = images;
    v.baseDirty = false;
    const content = {
      images,
      shape,
      labels: all,
      footer: data ? '' : v.footer,
      empty: 'loading the digits…',
      pixelRatio: canvas.width / Math.max(1, canvas.clientWidth),
      ...(captions && { captions }),
    };
    drawImageGrid(canvas.getContext('2d')!, canvas.width, content, this.baseCanvas);
  }

  /** The legend under the view (HTML), when it is not on it. */
  private showLegendOutside(): void {
    const box = this.canvas.closest('figure')?.querySelector<HTMLElement>('.view-legend');
    const items = this.legendOutside ?? [];
    const key = items.map(([, text]) => text).join('|');
    if (!box || key === this.legendShown) return;
    this.legendShown = key;
    box.hidden = !items.length;
    box.replaceChildren(
      ...items.map(([colour, text, mark]) => {
        const item = Object.assign(document.createElement('span'), { className: 'item' });
        const symbol = Object.assign(document.createElement('span'), {
          className: `mark ${mark}`,
          textContent: mark === 'arrow' ? '→' : '',
        });
        if (mark === 'dot') symbol.style.background = colour;
        else symbol.style.color = colour;
        item.append(symbol, text);
        return item;
      }),
    );
  }

  /** The image to export: the view, with its legend in a strip under it when the page shows it under the view. */
  exportCanvas(): HTMLCanvasElement {
    if (!this.legendOutside || this.shown.image) return this.canvas;
    const out = document.createElement('canvas');
    const t = textScale(this.canvas.width, this.canvas.width / Math.max(1, this.canvas.clientWidth));
    withLegendStrip(out, this.canvas, this.legendOutside, t);
    return out;
  }

  /** Marks every layer for a redraw (a display option or the canvas size changed). */
  invalidate(): void {
    this.view.heatDirty = true;
    this.view.baseDirty = true;
  }
}
