/**
 * One training run in the worker: its data, its Trainer, the view's grid and the throttles of what it
 * reports. The worker holds the current session (and nothing else run-specific); a new run is a new
 * session. Chunking never changes the result: the Trainer gives the same bits however its steps are
 * split, so a run stopped at its steps target equals the CLI's.
 */
import type { Core } from '@scorefield/core-math';
import { encodeModel, lossCurve, Trainer, TrainingDivergedError } from '@scorefield/models';
import { fisherDivergence } from '@scorefield/metrics';
import { GRID, type FromWorker, type Range, type ToWorker } from './protocol.js';
import { gridPoints, integrateScore, viewRange } from './field.js';
import { exactScores, loadRunData, shownPoints, type ExactScores, type RunData } from './run-data.js';

export const PROGRESS_MS = 50;
export const METRICS_MS = 500;
/** Training chunks last about this long, so a pause or another request waits at most that. */
const CHUNK_MS = 8;

export type Post = (msg: FromWorker, transfer?: Transferable[]) => void;

export class Session {
  readonly run: number;
  readonly data: RunData;
  readonly trainer: Trainer;
  target: number;
  running = false;
  readonly range: Range;
  private readonly grid: Float32Array;
  private readonly exact: ExactScores | null;
  private lossesSent = 0;
  private lastProgress = 0;
  private lastField = 0;
  private fieldCost = 0;
  private lastMetrics = 0;
  private chunk = 1;
  /** Steps per second over ~0.5 s windows, and the share of that time spent in Adam steps. */
  private rate = { t: 0, step: 0, busy: 0, perSecond: 0, share: 0 };

  constructor(
    core: Core,
    msg: Extract<ToWorker, { type: 'configure' }>,
    previousData: RunData | null,
    private readonly post: Post,
  ) {
    this.run = msg.run;
    this.data = loadRunData(core, msg.data, previousData, msg.run);
    this.range = msg.range ?? viewRange(this.data.points);
    this.grid = gridPoints(this.range, GRID).data;
    const c = msg.config;
    this.target = c.steps;
    const d = this.data;
    post({
      type: 'data',
      run: this.run,
      name: d.name,
      rows: d.points.rows,
      shown: shownPoints(d.points, 2000),
      range: this.range,
      exact: d.exact,
    });
    // Exactly the options `scorefield train` passes (see apps/cli/src/commands/train.ts).
    this.trainer = new Trainer(core, d.points, {
      hidden: c.hidden,
      activation: c.activation,
      steps: c.steps,
      batch: c.batch,
      lr: c.lr,
      lrDecay: 'none',
      standardize: true,
      loss: c.loss,
      kind: c.kind,
      conditioning: c.conditioning,
      seed: c.seed,
      dataName: d.name,
    });
    this.exact = d.exact ? exactScores(core, d, this.trainer.model, this.grid) : null;
    this.postProgress(true);
    this.postSnapshots();
  }

  get step(): number {
    return this.trainer.step;
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
    if (this.trainer.step < this.target) this.trainer.run(1);
    this.postProgress(true);
    this.postSnapshots();
  }

  setTarget(steps: number): void {
    this.target = steps;
    if (this.trainer.step >= steps) this.running = false;
    this.postProgress(true);
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
    try {
      trainer.run(k);
    } catch (e) {
      if (e instanceof TrainingDivergedError) this.postSnapshots();
      throw e;
    }
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
    const t0 = performance.now();
    const model = this.trainer.model;
    const grid = { data: this.grid, rows: GRID * GRID, cols: 2 };
    const score = model.score(grid);
    const logDensity = model.spec.kind === 'energy' ? model.energy(grid).map((e) => -e) : integrateScore(score, GRID, this.range);
    const trueScore = this.exact ? this.exact.grid.slice() : undefined;
    const transfer: Transferable[] = [score.buffer, logDensity.buffer];
    if (trueScore) transfer.push(trueScore.buffer);
    const { run, range } = this;
    this.post(
      { type: 'field', run, step: this.trainer.step, range, grid: GRID, score, logDensity, trueScore, noise: this.exact?.noise ?? 0 },
      transfer,
    );
    this.lastField = performance.now();
    this.fieldCost = this.lastField - t0;
  }

  private postMetrics(): void {
    this.lastMetrics = performance.now();
    const { run, exact } = this;
    if (!exact) {
      this.post({ type: 'metrics', run, step: this.trainer.step });
      return;
    }
    const s = this.trainer.model.score(exact.x);
    const fisher = fisherDivergence(s, exact.score, 2).overall;
    this.post({ type: 'metrics', run, step: this.trainer.step, fisher, fisherNoise: exact.noise });
  }

  /** The model file, as `scorefield train` writes it: the loss curve of the run in the metadata, then the model. */
  modelFile(): { bytes: Uint8Array; name: string } {
    const { trainer } = this;
    trainer.model.training!.curve = lossCurve(trainer.losses);
    const bytes = encodeModel(trainer.model);
    const t = trainer.model.training!;
    const name = `${this.data.name.replace(/[^\w.-]+/g, '_')}-${t.loss.name}-${trainer.model.spec.kind}-seed${t.seed}-step${trainer.step}.safetensors`;
    return { bytes, name };
  }

  free(): void {
    this.running = false;
    this.trainer.free();
    this.trainer.model.free();
  }
}
