/**
 * A pane: one run, its training worker, and its view. It turns the worker's messages into its RunView
 * and draws that view; the app decides what to run and when.
 */
import { fieldSignature } from './field.js';
import type { DataSource, Range, SampleRequest, TrainConfig } from './protocol.js';
import { drawBase, drawFrame, heatValues, paintHeat, type ViewLayers } from './render.js';
import { RunView, type SampleDone, type ShownData } from './view-model.js';
import { TrainerLink, type RunMessage } from './worker-link.js';

export interface PaneEvents {
  ready(build: 'simd' | 'scalar'): void;
  /** The run's progress changed: `was` is whether it was running before. */
  progress(run: RunView, was: { running: boolean }): void;
  data(shown: ShownData): void;
  metrics(run: RunView): void;
  sampleStart(run: RunView, n: number): void;
  /** The sampling animation has caught up with the result. */
  sampleShown(run: RunView, done: SampleDone): void;
  error(message: string): void;
}

export class Pane {
  readonly link: TrainerLink;
  private runs = 0;
  view: RunView;
  shown: ShownData = { points: null, rows: 0, name: '', range: { x0: -4, x1: 4, y0: -4, y1: 4 }, exact: false };
  private readonly heatCanvas = document.createElement('canvas');
  /** The view's slowly changing layers (heatmap, data, arrows), redrawn only when they change. */
  private readonly baseCanvas = document.createElement('canvas');
  private heatLegend = '';
  private hasHeat = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly events: PaneEvents,
  ) {
    this.view = new RunView(0, 0);
    this.link = new TrainerLink({
      ready: (build) => events.ready(build),
      failed: (message) => events.error(message),
      run: (m) => this.onRun(m),
    });
  }

  /** Starts a fresh view of a new run (messages of the previous one are dropped from now on). */
  newRun(target: number): RunView {
    this.view = new RunView(++this.runs, target);
    return this.view;
  }

  /** Sends the current run to the worker (model at step 0). */
  configure(config: TrainConfig, data: DataSource, range?: Range): void {
    this.view.configured = true;
    this.link.send({ type: 'configure', run: this.view.id, config, data, range });
  }

  start(): void {
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
  sample(request: SampleRequest): void {
    this.view.sampling = true;
    this.link.send({ type: 'sample', run: this.view.id, request });
  }

  private onRun(m: RunMessage): void {
    const v = this.view;
    if (m.run !== v.id) return; // from a superseded run
    switch (m.type) {
      case 'data':
        this.shown = { points: m.shown, rows: m.rows, name: m.name, range: m.range, exact: m.exact };
        v.baseDirty = true;
        this.events.data(this.shown);
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
          logDensity: m.logDensity,
          trueScore: m.trueScore,
          noise: m.noise,
        };
        v.firstField ??= { step: m.step, ...fieldSignature(m.score) };
        v.heatDirty = true;
        return;
      case 'metrics':
        v.fisher = m.fisher;
        v.fisherNoise = m.fisherNoise ?? 0;
        this.events.metrics(v);
        return;
      case 'sample-start':
        v.sampling = true;
        v.firstParticles = null;
        v.sigmasShown = [];
        v.frames = [];
        v.pendingDone = null;
        v.sampler = m.sampler;
        this.events.sampleStart(v, m.n);
        return;
      case 'sample-frame':
        v.firstParticles ??= m.particles.slice();
        v.frames.push({ step: m.step, steps: m.steps, sigma: m.sigma, particles: m.particles });
        return;
      case 'sample-done':
        v.pendingDone = m;
        return;
      case 'error':
        v.sampling = false;
        this.events.error(m.message);
        return;
    }
  }

  /** Advances the sampling animation by one display frame: one frame of particles, or the result once caught up. */
  animate(showSigma: boolean): void {
    const v = this.view;
    if (v.frames.length) {
      // Skip ahead when the queue is long.
      const take = Math.max(1, Math.ceil(v.frames.length / 60));
      const f = v.frames.splice(0, take).pop()!;
      v.particles = f.particles;
      const sig = f.sigma !== undefined && (v.sampler !== 'langevin' || showSigma) ? ` · σ = ${f.sigma.toPrecision(3)}` : '';
      v.footer = `${v.sampler}: step ${f.step} / ${f.steps}${sig}`;
      v.sigmaText = sig ? f.sigma!.toPrecision(3) : 'n/a';
      if (sig && v.sigmasShown[v.sigmasShown.length - 1] !== f.sigma) v.sigmasShown.push(f.sigma!);
    } else if (v.pendingDone) {
      const d = v.pendingDone;
      v.pendingDone = null;
      v.samples = d.samples;
      v.particles = d.samples;
      v.mmd = d.mmd;
      v.sampling = false;
      v.footer = `${d.sampler}: ${d.samples.length / 2} samples at step ${d.step}`;
      this.events.sampleShown(v, d);
    }
  }

  /** Draws the view: the cached base layers (redrawn when they changed), the particles and the labels. */
  draw(layers: ViewLayers, kind: 'score' | 'energy', labels: string[], cursor: [number, number] | null): void {
    const v = this.view,
      canvas = this.canvas;
    if (v.heatDirty) {
      v.heatDirty = false;
      v.baseDirty = true;
      const h = v.field ? heatValues(v.field, layers.heat, kind) : null;
      this.hasHeat = !!h;
      if (h) {
        paintHeat(this.heatCanvas, v.field!.grid, h.t, h.map);
        this.heatLegend = h.legend;
      }
    }
    const content = {
      range: this.shown.range,
      field: v.field,
      data: this.shown.points,
      particles: v.particles,
      cursor,
      labels,
      footer: v.footer,
      pixelRatio: canvas.width / Math.max(1, canvas.clientWidth),
    };
    const size = canvas.width;
    if (v.baseDirty || this.baseCanvas.width !== size) {
      v.baseDirty = false;
      this.baseCanvas.width = size;
      this.baseCanvas.height = size;
      drawBase(this.baseCanvas.getContext('2d')!, size, content, layers, this.hasHeat ? this.heatCanvas : null);
    }
    drawFrame(canvas.getContext('2d')!, size, this.baseCanvas, content, layers, this.hasHeat ? this.heatLegend : '');
  }

  /** Marks every layer for a redraw (a display option or the canvas size changed). */
  invalidate(): void {
    this.view.heatDirty = true;
    this.view.baseDirty = true;
  }
}
