/**
 * Messages between the page (main thread) and the training worker. Every message about a run carries the
 * run id of the `configure` that started it, so the page drops what a superseded run still had in flight.
 */
import type { Activation, Conditioning, ModelKind, ObjectiveSpec } from '@scorefield/core-math';
import type { SamplerName } from '@scorefield/models';

/** A square-pixel view box in data units. */
export interface Range {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Where the training data come from. */
export type DataSource =
  | { kind: 'builtin'; name: string; size: number; seed: number }
  | { kind: 'points'; name: string; points: Float32Array | Float64Array; rows: number };

/** What the worker trains: exactly the options the CLI passes to the trainer. */
export interface TrainConfig {
  hidden: number[];
  activation: Activation;
  loss: ObjectiveSpec;
  kind: ModelKind;
  /** undefined: the trainer's default for the loss (as the CLI without --conditioning). */
  conditioning?: Conditioning;
  batch: number;
  lr: number;
  seed: number;
  /** The steps target: training stops there. */
  steps: number;
}

export interface SampleRequest {
  sampler: SamplerName;
  n: number;
  seed: number;
  steps?: number;
  stepSize?: number;
}

export type ToWorker =
  | { type: 'configure'; run: number; config: TrainConfig; data: DataSource; range?: Range }
  | { type: 'run'; run: number }
  | { type: 'pause'; run: number }
  | { type: 'step'; run: number }
  | { type: 'target'; run: number; steps: number }
  | { type: 'sample'; run: number; request: SampleRequest }
  | { type: 'export-model'; run: number; id: number }
  /** Read a dropped or chosen file of points here, with the formats package's checks (file-points.ts). */
  | { type: 'load-file'; id: number; file: File };

/** Grid side of the field snapshots (G x G points). */
export const GRID = 48;

export type FromWorker =
  | { type: 'ready'; build: 'simd' | 'scalar' }
  | { type: 'data'; run: number; name: string; rows: number; shown: Float32Array; range: Range; exact: boolean }
  | {
      type: 'progress';
      run: number;
      step: number;
      target: number;
      running: boolean;
      first: number;
      losses: Float32Array;
      /** Steps per second, and the share of the worker's time spent in Adam steps (the rest: snapshots and messages). */
      stepsPerSecond: number;
      trainShare: number;
    }
  | {
      type: 'field';
      run: number;
      step: number;
      range: Range;
      grid: number;
      /** Learned score s(x) at the grid points (row-major, y from y0 up), data units. */
      score: Float32Array;
      /** A log-density proxy: -E (energy models) or the path integral of s (score models). */
      logDensity: Float32Array;
      /** Exact score of the data at the model's noise level (mixtures only). */
      trueScore?: Float32Array;
      /** Noise level (data units) the exact score and the Fisher divergence are taken at. */
      noise: number;
    }
  | { type: 'metrics'; run: number; step: number; fisher?: number; fisherNoise?: number }
  | { type: 'sample-start'; run: number; sampler: SamplerName; n: number; steps: number }
  | { type: 'sample-frame'; run: number; step: number; steps: number; sigma?: number; particles: Float32Array }
  | {
      type: 'sample-done';
      run: number;
      step: number;
      samples: Float32Array;
      mmd: number;
      seconds: number;
      evaluations: number;
      sampler: SamplerName;
    }
  | { type: 'model-bytes'; run: number; id: number; bytes: Uint8Array; name: string }
  | { type: 'error'; run: number; message: string }
  | { type: 'file-progress'; id: number; fraction: number }
  | { type: 'file-points'; id: number; name: string; data: Float64Array; rows: number; cols: number }
  | { type: 'file-error'; id: number; message: string };
