/**
 * What the page knows about a run, as the worker reports it: one RunView per run, replaced by a fresh
 * one when a new run starts (so nothing of the old run leaks into the new). Plain data; the render loop
 * draws it and the controls read it.
 */
import type { ImageShape, SamplerName } from '@scorefield/models';
import type { FromJob, ModelInfo, Range } from './protocol.js';
import type { FieldSnapshot } from './heat.js';
import { smoothingSpan } from './render-loss.js';
import type { SampleQuality } from './sample-quality.js';

export type SampleDone = Extract<FromJob, { type: 'sample-done' }>;
export type DensityDone = Extract<FromJob, { type: 'density-done' }>;

export interface SampleFrame {
  step: number;
  steps: number;
  sigma?: number;
  particles: Float32Array;
}

/** The loss of every step so far (grows by doubling). */
export class LossLog {
  values = new Float32Array(4096);
  count = 0;

  /** Writes `losses` from step `first` on. */
  put(first: number, losses: Float32Array): void {
    if (first + losses.length > this.values.length) {
      const grown = new Float32Array(Math.max(this.values.length * 2, first + losses.length));
      grown.set(this.values.subarray(0, this.count));
      this.values = grown;
    }
    this.values.set(losses, first);
    this.count = first + losses.length;
  }

  all(): Float32Array {
    return this.values.subarray(0, this.count);
  }

  /** The smoothed loss now: the chart's exponential moving average (render-loss.ts) at the last step. */
  get ema(): number | undefined {
    if (this.count === 0) return undefined;
    const span = smoothingSpan(this.count),
      alpha = 2 / (span + 1);
    let e = Number.NaN;
    for (let k = Math.max(0, this.count - 5 * span); k < this.count; k++) {
      const v = this.values[k];
      if (Number.isFinite(v)) e = Number.isNaN(e) ? v : e + alpha * (v - e);
    }
    return e;
  }
}

/** One run as the page shows it. */
export class RunView {
  /** True once the worker has the run (data present and the worker ready). */
  configured = false;
  step = 0;
  target: number;
  running = false;
  stepsPerSecond = 0;
  /** Share of the worker's time spent in Adam steps. */
  trainShare = 0;
  readonly losses = new LossLog();
  field: FieldSnapshot | null = null;
  /** The first field of the run (step 0), for tests and the status. */
  firstField: { step: number; meanNorm: number; hash: number } | null = null;
  /** The model, once the worker has built it. */
  info: ModelInfo | null = null;
  fisher?: number;
  fisherNoise = 0;
  /** The latest samples' quality (sample-quality.ts) and the step of the model they came from. */
  quality?: SampleQuality;
  qualityStep = 0;
  /** The latest sampling run's settings and Stein check (as the job worker reported them). */
  sampled: Pick<SampleDone, 'settings' | 'stationarity' | 'convergenceCheck'> | null = null;
  /** The ODE density on a grid (continuous score models), when computed. */
  density: DensityDone | null = null;
  /** Sampling: requested and not yet shown to the end. */
  sampling = false;
  sampler: SamplerName = 'langevin';
  /** The noise level of the sampling step on screen (standardised units), while sampling. */
  samplerSigma?: number;
  /** The failure that stopped the run, if any. */
  failure = '';
  /** The noise level the user chose for the field (an index into the ascending levels); null: the model's own. */
  fieldLevel: number | null = null;
  /** The level the field was last asked for. */
  shownLevel: number | null = null;
  /** Frames of the sampling animation not yet shown. */
  frames: SampleFrame[] = [];
  /** The result, shown once the animation has caught up. */
  pendingDone: SampleDone | null = null;
  /** Particles on screen (an animation frame or the latest samples). */
  particles: Float32Array | null = null;
  firstParticles: Float32Array | null = null;
  /** Distinct noise levels shown during the latest sampling animation, in order. */
  sigmasShown: number[] = [];
  samples: Float32Array | null = null;
  /** Text in the bottom-left corner of the view (the sampler's progress). */
  footer = '';
  sigmaText = '–';
  /** Redraw flags: the loss chart, the heat map, the cached base layers. */
  lossDirty = true;
  heatDirty = true;
  baseDirty = true;

  constructor(
    readonly id: number,
    target: number,
  ) {
    this.target = target;
  }
}

/** The data the view shows (sent by the worker once per run; kept while drawing). */
export interface ShownData {
  points: Float32Array | null;
  rows: number;
  name: string;
  range: Range;
  /** The exact score of the data is known (a built-in mixture). */
  exact: boolean;
  /** Images: their shape (`points` then holds the first images, not 2-D points). */
  image?: ImageShape;
}

/** Page-wide state: the core, and the view's frame rate (for the metrics and the test window). */
export interface PageView {
  ready: boolean;
  build: string;
  /** Threads of the training worker's core. */
  threads: number;
  fps: number;
  fpsHistory: number[];
  /** Main-thread time per frame (ms, moving average). */
  frameMs: number;
}
