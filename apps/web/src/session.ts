/**
 * One training run in the worker: its data, its Trainer, the view's grid and the throttles of what it
 * reports. The worker holds the current session (and the one before, for an undo); a new run is a new
 * session. Chunking never changes the result: the Trainer gives the same bits however its steps are
 * split, so a run stopped at its steps target equals the CLI's.
 */
import { sigmaSchedule, sdeOf, type Core } from '@scorefield/core-math';
import {
  defaultSampler,
  encodeModel,
  lossCurve,
  modelSigmas,
  runToTrainOptions,
  Trainer,
  TrainingDivergedError,
  type ObjectiveRequest,
} from '@scorefield/models';
import { fisherDivergence } from '@scorefield/metrics';
import { GRID_IMAGES } from './state.js';
import { GRID, type FromWorker, type ModelInfo, type Range, type ToWorker } from './protocol.js';
import { gridPoints, viewRange } from './field.js';
import { exactScoreAt, heldOutScores, loadRunData, modelNoise, shownPoints, type HeldOut, type RunData } from './run-data.js';

export const PROGRESS_MS = 50;
export const METRICS_MS = 500;
/** Training chunks last about this long, so a pause or another request waits at most that. */
const CHUNK_MS = 8;
/** Levels of the sigma slider for continuous-time models (geometric over the SDE's range). */
const CONTINUOUS_LEVELS = 25;

export type Post = (msg: FromWorker, transfer?: Transferable[]) => void;

/** A run that cannot go on, said in the page's words (no internal names, no CLI flags). */
export class RunFailure extends Error {}

/** The noise levels a trainer chose from the data, said briefly ('' when the objective named them all). */
function chosenLevels(t: Trainer, asked: ObjectiveRequest): string {
  const got = t.loss,
    f = (v: number) => v.toPrecision(3);
  if (got.name === 'dsm' && asked.name === 'dsm' && asked.sigma === undefined) return `σ = ${f(got.sigma)}`;
  if (got.name === 'ncsn' && asked.name === 'ncsn' && asked.sigmas === undefined) {
    const s = [...got.sigmas].sort((a, b) => b - a);
    return `${s.length} levels, σ ${f(s[0])} to ${f(s[s.length - 1])}`;
  }
  if (
    got.name === 'continuous' &&
    asked.name === 'continuous' &&
    got.sde === 've' &&
    (asked.sigmaMax === undefined || asked.sigmaMin === undefined)
  )
    return `σ max ${f(got.sigmaMax!)}, σ min ${f(got.sigmaMin!)}`;
  return '';
}

/** What the page needs to know about a run's model (protocol.ts, ModelInfo). */
export function modelInfo(t: Trainer): ModelInfo {
  const model = t.model;
  const loss = model.training!.loss;
  const conditional = model.spec.conditioning !== 'none';
  let levels: number[] = [];
  if (conditional && loss.name === 'continuous') {
    const sde = sdeOf(loss);
    levels = sigmaSchedule('geometric', sde.sigma(1), sde.sigma(sde.eps), CONTINUOUS_LEVELS);
  } else if (conditional && loss.name === 'ncsn') levels = modelSigmas(model);
  else if (conditional) levels = [model.defaultSigma];
  return {
    kind: model.spec.kind,
    conditional,
    levels,
    defaultSigma: model.defaultSigma,
    defaultSampler: defaultSampler(model),
    density: model.spec.kind === 'energy' ? 'energy' : loss.name === 'continuous' ? 'ode' : null,
    chosen: chosenLevels(t, t.options.loss),
    notices: [...t.notices],
    ...(model.image && { image: model.image }),
  };
}

export class Session {
  readonly run: number;
  readonly data: RunData;
  readonly trainer: Trainer;
  target: number;
  running = false;
  readonly range: Range;
  private readonly grid: Float32Array;
  private readonly heldOut: HeldOut | null;
  /** The level the field is drawn at (standardised units); null: the model's default. */
  private fieldSigma: number | null = null;
  private trueField: { sigma: number; score: Float32Array } | null = null;
  private lossesSent = 0;
  private lastProgress = 0;
  private lastField = 0;
  private fieldCost = 0;
  private lastMetrics = 0;
  private chunk = 1;
  /** Steps per second over ~0.5 s windows, and the share of that time spent in Adam steps. */
  private rate = { t: 0, step: 0, busy: 0, perSecond: 0, share: 0 };

  /**
   * @param previousData points already loaded (the previous run's, or MNIST digits fetched for this run): used when
   *   they are this run's
   */
  constructor(
    private readonly core: Core,
    msg: Extract<ToWorker, { type: 'configure' }>,
    previousData: RunData | null,
    private readonly post: Post,
  ) {
    this.run = msg.run;
    this.data = loadRunData(core, msg.data, previousData, msg.run);
    const d = this.data;
    // Images have no plane to draw a field on: the view shows the first digits instead.
    this.range = msg.range ?? (d.image ? { x0: 0, x1: 1, y0: 0, y1: 1 } : viewRange(d.points));
    this.grid = d.image ? new Float32Array(0) : gridPoints(this.range, GRID).data;
    this.target = 0;
    const first = Math.min(GRID_IMAGES, d.points.rows) * d.points.cols;
    const shown = d.image ? Float32Array.from({ length: first }, (_, i) => d.points.data[i]) : shownPoints(d.points);
    post({
      type: 'data',
      run: this.run,
      name: d.name,
      rows: d.points.rows,
      shown,
      range: this.range,
      exact: d.exact,
      ...(d.image && { image: d.image }),
    });
    // The trainer's options of the run, as `scorefield train` makes them from the same flags (RunSpec).
    const options = {
      ...runToTrainOptions(msg.spec),
      dataName: d.name,
      ...(d.image && { image: d.image }),
      ...(d.columns && { columns: d.columns }),
    };
    this.trainer = new Trainer(core, d.points, options);
    this.target = this.trainer.options.steps;
    this.heldOut = d.exact ? heldOutScores(core, d, this.trainer.model) : null;
    post({ type: 'model', run: this.run, info: modelInfo(this.trainer) });
    this.announce();
  }

  get step(): number {
    return this.trainer.step;
  }

  /** Reports where the run is (progress, field, metrics): after it starts, and when it comes back by an undo. */
  announce(): void {
    this.lossesSent = 0;
    this.postProgress(true);
    this.postSnapshots();
  }

  /** Starts training towards the target (false when already there). */
  start(): boolean {
    if (this.trainer.step >= this.target) {
      this.postProgress(true);
      return false;
    }
    this.running = true;
    this.rate = { ...this.rate, t: performance.now(), step: this.trainer.step, busy: 0 };
    this.postProgress(true);
    return true;
  }

  pause(): void {
    this.running = false;
    this.postProgress(true);
    this.postSnapshots();
  }

  stepOnce(): void {
    this.running = false;
    if (this.trainer.step < this.target) this.train(1);
    this.postProgress(true);
    this.postSnapshots();
  }

  setTarget(steps: number): void {
    this.target = steps;
    if (this.trainer.step >= steps) this.running = false;
    this.postProgress(true);
  }

  setFieldSigma(sigma: number | null): void {
    this.fieldSigma = sigma;
    this.postField();
  }

  /** `count` Adam steps; a diverged loss becomes a RunFailure saying what to do. */
  private train(count: number): void {
    try {
      this.trainer.run(count);
    } catch (e) {
      if (!(e instanceof TrainingDivergedError)) throw e;
      this.running = false;
      this.postProgress(true);
      const lr = this.trainer.options.lr;
      throw new RunFailure(
        `Training diverged at step ${e.step}: the loss became ${e.loss}. ` +
          `Lower the learning rate (now ${lr}) or raise the noise level, then train again.`,
      );
    }
  }

  /** One chunk of training (about CHUNK_MS) and the reports that are due; returns whether to go on. */
  tick(): boolean {
    if (!this.running) return false;
    const { trainer } = this;
    const left = this.target - trainer.step;
    if (left <= 0) {
      this.running = false;
      this.postProgress(true);
      this.postSnapshots();
      return false;
    }
    const k = Math.min(left, this.chunk);
    const t0 = performance.now();
    this.train(k);
    const now = performance.now(),
      dt = now - t0;
    this.rate.busy += dt;
    this.chunk = Math.max(1, Math.min(2000, Math.round(k * (dt > 0 ? CHUNK_MS / dt : 2))));
    if (now - this.rate.t >= 500) this.measureRate(now);
    if (trainer.step >= this.target) {
      this.running = false;
      if (now - this.rate.t > 100) this.measureRate(now);
    }
    const running = this.running;
    if (!running || now - this.lastProgress >= PROGRESS_MS) this.postProgress(!running);
    // The field costs a grid of score evaluations: at most ~15% of the time, at most every 100 ms.
    if (!running || now - this.lastField >= Math.max(100, 6 * this.fieldCost)) this.postField();
    if (!running || now - this.lastMetrics >= METRICS_MS) this.postMetrics();
    return running;
  }

  private measureRate(now: number): void {
    const r = this.rate;
    this.rate = {
      t: now,
      step: this.trainer.step,
      busy: 0,
      perSecond: ((this.trainer.step - r.step) * 1000) / (now - r.t),
      share: r.busy / (now - r.t),
    };
  }

  postProgress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    const losses = this.trainer.losses.slice(this.lossesSent);
    const first = this.lossesSent;
    this.lossesSent = this.trainer.step;
    const { run, target, running } = this;
    this.post(
      {
        type: 'progress',
        run,
        step: this.trainer.step,
        target,
        running,
        first,
        losses,
        stepsPerSecond: this.rate.perSecond,
        trainShare: this.rate.share,
      },
      [losses.buffer],
    );
  }

  postSnapshots(): void {
    this.postField();
    this.postMetrics();
  }

  private postField(): void {
    if (this.data.image) return; // no field of images to draw
    const t0 = performance.now();
    const model = this.trainer.model;
    const conditional = model.spec.conditioning !== 'none';
    const sigma = this.fieldSigma ?? model.defaultSigma;
    const grid = { data: this.grid, rows: GRID * GRID, cols: 2 };
    const score = model.score(grid, sigma);
    const energy = model.spec.kind === 'energy' ? model.energy(grid, sigma) : undefined;
    const transfer: Transferable[] = [score.buffer];
    if (energy) transfer.push(energy.buffer);
    let trueScore: Float32Array | undefined;
    let noise = 0;
    if (this.heldOut) {
      // The exact score at the level the field is drawn at (the model's own level unless the slider moved it).
      const level = conditional && this.fieldSigma !== null ? this.fieldSigma : modelNoise(model);
      noise = level * Math.sqrt(model.normalization.std[0] * model.normalization.std[1]);
      if (this.trueField?.sigma !== level)
        this.trueField = { sigma: level, score: exactScoreAt(this.core, this.data.name, this.grid, level, model) };
      trueScore = this.trueField.score.slice();
      transfer.push(trueScore.buffer);
    }
    const { run, range } = this;
    this.post(
      {
        type: 'field',
        run,
        step: this.trainer.step,
        range,
        grid: GRID,
        score,
        energy,
        sigma: conditional ? sigma : undefined,
        trueScore,
        noise,
      },
      transfer,
    );
    this.lastField = performance.now();
    this.fieldCost = this.lastField - t0;
  }

  private postMetrics(): void {
    this.lastMetrics = performance.now();
    const { run, heldOut } = this;
    if (!heldOut) {
      this.post({ type: 'metrics', run, step: this.trainer.step });
      return;
    }
    const s = this.trainer.model.score(heldOut.x);
    if (!s.every(Number.isFinite)) {
      this.running = false;
      throw new RunFailure(
        `Training diverged by step ${this.trainer.step}: the learned score is no longer a finite number. ` +
          'Lower the learning rate, then train again.',
      );
    }
    const fisher = fisherDivergence(s, heldOut.score, 2).overall;
    this.post({ type: 'metrics', run, step: this.trainer.step, fisher, fisherNoise: heldOut.noise });
  }

  /** The model file, as `scorefield train` writes it: the loss curve of the run in the metadata, then the model. */
  modelFile(): { bytes: Uint8Array; name: string } {
    const { trainer } = this;
    trainer.model.training!.curve = lossCurve(trainer.losses);
    const bytes = encodeModel(trainer.model);
    const t = trainer.model.training!;
    const base = this.data.name.replace(/[^\w.-]+/g, '_');
    const name = `${base}-${t.loss.name}-${trainer.model.spec.kind}-seed${t.seed}-step${trainer.step}.safetensors`;
    return { bytes, name };
  }

  free(): void {
    this.running = false;
    this.trainer.free();
    this.trainer.model.free();
  }
}
