/** The results document (docs/bench/results.json) and the atomic writer. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KernelResults } from './kernels.js';
import type { TrainRow } from './training.js';
import type { SampleRow } from './sampling.js';
import type { QualityRow } from './quality.js';
import type { SamplerRow } from './samplers.js';
import type { ThreadsRow } from './threads.js';
import type { MemorySeries } from './memory.js';
import type { BrowserResult } from './browser.js';
import type { WebResult } from './web.js';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  /** 1-minute load average at the start (the machine is shared). */
  loadAverage: number;
  torch?: string;
  blas?: string;
  tfjsWasm?: { simd: boolean; threads: boolean };
  chromium?: string;
  /** Threads of the threaded WASM core (every core). */
  threads?: number;
}

export interface Results {
  date: string;
  command: string;
  quick: boolean;
  machine: Machine;
  notices: string[];
  /** 1-minute load average when each family started (other jobs share the machine). */
  load?: Record<string, number>;
  kernels?: KernelResults;
  /** The split's speed-up by the size of a pass, and the threshold the threaded core used. */
  threads?: { splitMinWork: number | null; rows: ThreadsRow[] };
  training?: TrainRow[];
  trace?: TrainRow[];
  sampling?: SampleRow[];
  quality?: QualityRow[];
  samplers?: SamplerRow[];
  memory?: MemorySeries[];
  browser?: BrowserResult | { notice: string };
  /** The web app in Chromium: the view's frame rate while training and sampling. */
  web?: WebResult | { notice: string };
  targets?: Target[];
  seconds?: number;
}

/** One target of issue 7: the measured ratio against its goal. */
export interface Target {
  target: string;
  /** The worst case (the ratio that decides), and where it was. */
  value: number | null;
  goal: number;
  where: string;
  met: boolean | null;
  /** 'met', 'missed by 1.4x (0.71x of 1.0x)', or 'not measured: ...'. */
  verdict: string;
}

/** Writes a file atomically: a temporary file in the same folder, then a rename. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
