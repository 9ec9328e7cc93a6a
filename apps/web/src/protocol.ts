/**
 * Messages between the page (main thread), the training worker (worker.ts) and the job worker
 * (job-worker.ts: sampling, and the ODE density). Every message about a run carries the page's run id,
 * so the page drops what a superseded run still had in flight.
 */
import type { ModelKind } from '@scorefield/core-math';
import type { ImageShape, RunSpec, SamplerName, SamplerSettings, Stationarity } from '@scorefield/models';
import type { Reference, SampleQuality } from './sample-quality.js';

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
  /** columns: a file's header names, stored in the model as `scorefield train` stores them. */
  | { kind: 'points'; name: string; points: Float32Array | Float64Array; rows: number; columns?: string[] }
  /** MNIST's first `limit` train digits from the page's files (absolute URLs), as `--data mnist --data-size limit`. */
  | { kind: 'mnist'; images: string; labels: string; imageSize: 14 | 28; limit: number };

/** The page's MNIST digits a run trains on (what the training worker loads, and image samples are measured against). */
export type MnistSource = Extract<DataSource, { kind: 'mnist' }>;

export interface SampleRequest {
  /** undefined: the model's default sampler (models' defaultSampler), as `scorefield sample` without --sampler. */
  sampler?: SamplerName;
  n: number;
  seed: number;
  steps?: number;
  stepSize?: number;
}

export type ToWorker =
  /** A new run: what trains (models' RunSpec, as `scorefield train`'s flags describe it) on these data. */
  | { type: 'configure'; run: number; spec: RunSpec; data: DataSource; range?: Range }
  /** Back to the run before the latest configure (kept with its model), if it is `run`. */
  | { type: 'restore'; run: number }
  | { type: 'run'; run: number }
  | { type: 'pause'; run: number }
  | { type: 'step'; run: number }
  | { type: 'target'; run: number; steps: number }
  /** Draw the field at this noise level (standardised units); null: the model's default level. */
  | { type: 'field-sigma'; run: number; sigma: number | null }
  | { type: 'export-model'; run: number; id: number }
  /** Read a dropped or chosen file of points here, with the formats package's checks (file-points.ts). */
  | { type: 'load-file'; id: number; file: File };

/** Grid side of the field snapshots (G x G points). */
export const GRID = 48;

/** What the page needs to know about a run's model once it exists. */
export interface ModelInfo {
  kind: ModelKind;
  /** Noise-conditional: the field can be drawn at any level of `levels`. */
  conditional: boolean;
  /** The noise levels to explore, largest first (standardised units): ncsn's ladder or the SDE's range. */
  levels: number[];
  /** The level the model is read at by default (models' defaultSigma). */
  defaultSigma: number;
  /** The sampler `scorefield sample` uses for it. */
  defaultSampler: SamplerName;
  /** The density the heat map can show: exp(-E) of an energy model, the ODE likelihood of a continuous one. */
  density: 'energy' | 'ode' | null;
  /** The noise levels the trainer chose from the data, said briefly ('' when none were left to it). */
  chosen: string;
  /** One-line notices of the trainer (e.g. a constant coordinate kept). */
  notices: string[];
  /** Image models: the shape stored in the model. */
  image?: ImageShape;
}

export type FromWorker =
  | { type: 'ready'; build: 'simd' | 'scalar'; threads: number }
  | {
      type: 'data';
      run: number;
      name: string;
      rows: number;
      /** 2-D: a random subset of the points; images: the first GRID_IMAGES images. */
      shown: Float32Array;
      range: Range;
      exact: boolean;
      image?: ImageShape;
    }
  | { type: 'model'; run: number; info: ModelInfo }
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
      /** Energy models: E(x) at the grid points (p proportional to exp(-E)). */
      energy?: Float32Array;
      /** Noise-conditional models: the level the field is drawn at (standardised units). */
      sigma?: number;
      /** Exact score of the data at the model's noise level (mixtures only). */
      trueScore?: Float32Array;
      /** Noise level (data units) the exact score and the Fisher divergence are taken at. */
      noise: number;
    }
  | { type: 'metrics'; run: number; step: number; fisher?: number; fisherNoise?: number }
  | { type: 'error'; run: number; message: string }
  | { type: 'model-bytes'; run: number; id: number; bytes: Uint8Array; name: string }
  | { type: 'file-progress'; id: number; fraction: number }
  | { type: 'file-points'; id: number; name: string; data: Float64Array; rows: number; cols: number; names?: string[] }
  | { type: 'file-error'; id: number; message: string };

/** A job for the job worker: sample a model file, or its ODE density on a grid. */
export type ToJob =
  | { type: 'sample'; run: number; step: number; bytes: Uint8Array; request: SampleRequest; reference: Reference }
  | { type: 'density'; run: number; step: number; bytes: Uint8Array; range: Range; grid: number };

export type FromJob =
  | { type: 'sample-start'; run: number; sampler: SamplerName; n: number; steps: number }
  | { type: 'sample-frame'; run: number; step: number; steps: number; sigma?: number; particles: Float32Array }
  | {
      type: 'sample-done';
      run: number;
      /** The training step of the model sampled. */
      step: number;
      samples: Float32Array;
      quality: SampleQuality;
      seconds: number;
      evaluations: number;
      sampler: SamplerName;
      /** What the sampler used, every default filled in from the model. */
      settings: SamplerSettings;
      /** The Stein check of the particles, and whether it is a convergence check for this sampler (plain Langevin). */
      stationarity: Stationarity;
      convergenceCheck: boolean;
    }
  /** log p(x) on the grid (nats, data units) by the probability-flow ODE, at the SDE's smallest level. */
  | { type: 'density-done'; run: number; step: number; range: Range; grid: number; logp: Float32Array }
  | { type: 'job-error'; run: number; message: string };
