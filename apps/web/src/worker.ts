/**
 * The training worker: owns the WASM core, the data, the Trainer and the model. It trains in chunks of a
 * few milliseconds (so messages from the page get through between chunks) and posts throttled snapshots:
 * progress (new losses) every ~50 ms, the field on a grid every >= 100 ms (adaptive to its cost), and the
 * Fisher divergence every ~0.5 s. Chunking never changes the result: the Trainer gives the same bits
 * however its steps are split, so a run stopped at its steps target equals the CLI's.
 */
import {
  datasetLogDensityScore,
  datasetSample,
  datasets,
  loadCore,
  simdSupported,
  threadsSupported,
  type Core,
} from '@scorefield/core-math';
import {
  encodeModel,
  lossCurve,
  plannedSteps,
  sample,
  Trainer,
  TrainingDivergedError,
  type Points,
  type ScoreModel,
} from '@scorefield/models';
import { fisherDivergence, mmd2, MMD_BANDWIDTHS } from '@scorefield/metrics';
import simdUrl from '@scorefield/core-math/build/simd.wasm?url';
import scalarUrl from '@scorefield/core-math/build/scalar.wasm?url';
import simdThreadsUrl from '@scorefield/core-math/build/simd-threads.wasm?url';
import scalarThreadsUrl from '@scorefield/core-math/build/scalar-threads.wasm?url';
import { GRID, type DataSource, type FromWorker, type Range, type SampleRequest, type ToWorker } from './protocol.js';
import { gridPoints, integrateScore, viewRange } from './field.js';
import { readPointsFile } from './file-points.js';

/** The worker's global scope, typed through the DOM lib's Worker (postMessage with transfer, onmessage). */
const scope = self as unknown as Worker;

const PROGRESS_MS = 50;
const METRICS_MS = 500;
/** Held-out points for the Fisher divergence (drawn from a stream the training data never use). */
const HELD_OUT = 1000;
const HELD_OUT_SEED = 0x5eed_0000;
/** Frames of a sampling animation. */
const FRAMES = 120;

interface Data {
  key: string;
  name: string;
  points: Points;
  /** Exact score available (built-in mixture). */
  exact: boolean;
}

let core: Core;
let run = 0;
let data: Data | null = null;
let trainer: Trainer | null = null;
let target = 0;
let running = false;
let range: Range = { x0: -4, x1: 4, y0: -4, y1: 4 };
let grid: Points = { data: new Float32Array(0), rows: 0, cols: 2 };
/** Exact score on the grid and at the held-out points (mixtures), at the model's noise level. */
let exact: { grid: Float32Array; x: Points; score: Float32Array; noise: number } | null = null;
let lossesSent = 0;
let lastProgress = 0,
  lastField = 0,
  fieldCost = 0,
  lastMetrics = 0;
let chunk = 1;
/** Steps per second over ~0.5 s windows, and the share of that time spent in Adam steps (the rest: snapshots, messages). */
let rate = { t: 0, step: 0, busy: 0, perSecond: 0, share: 0 };
let scheduled = false;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function fail(e: unknown): void {
  running = false;
  const message = e instanceof Error ? e.message : String(e);
  post({ type: 'error', run, message });
  postProgress(true);
}

async function start(): Promise<void> {
  const build = simdSupported() ? 'simd' : 'scalar';
  // Every core where the page is cross-origin isolated (the threaded build: same bits as one thread), else one.
  const threads = threadsSupported() ? Math.min(8, navigator.hardwareConcurrency || 1) : 1;
  const url = threads > 1 ? (build === 'simd' ? simdThreadsUrl : scalarThreadsUrl) : build === 'simd' ? simdUrl : scalarUrl;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching the WASM core (${url}) failed with HTTP ${res.status}`);
  core = await loadCore({ build, bytes: new Uint8Array(await res.arrayBuffer()), threads });
  post({ type: 'ready', build: core.build, threads: core.threads });
}

// Messages are handled in order, after the core has loaded.
let queue: Promise<void> = start().catch((e) => fail(e));
scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'load-file') {
    // Independent of runs and of the core: read while training goes on.
    readPointsFile(msg.file).then(
      (m) => post({ type: 'file-points', id: msg.id, name: msg.file.name, data: m.data, rows: m.rows, cols: m.cols }, [m.data.buffer]),
      (e) => post({ type: 'file-error', id: msg.id, message: (e as Error).message.split('\n')[0] }),
    );
    return;
  }
  queue = queue.then(() => {
    try {
      handle(msg);
    } catch (e) {
      fail(e);
    }
  });
};

function handle(msg: Exclude<ToWorker, { type: 'load-file' }>): void {
  if (!core) return;
  if (msg.type === 'configure') {
    configure(msg);
    return;
  }
  if (msg.run !== run || !trainer) return;
  switch (msg.type) {
    case 'run':
      if (trainer.step >= target) {
        postProgress(true);
        return;
      }
      running = true;
      rate = { ...rate, t: performance.now(), step: trainer.step, busy: 0 };
      schedule();
      postProgress(true);
      return;
    case 'pause':
      running = false;
      postProgress(true);
      postSnapshots();
      return;
    case 'step':
      running = false;
      if (trainer.step < target) trainStep(1);
      postProgress(true);
      postSnapshots();
      return;
    case 'target':
      target = msg.steps;
      if (trainer.step >= target) running = false;
      postProgress(true);
      return;
    case 'sample':
      doSample(msg.request);
      return;
    case 'export-model': {
      // As `scorefield train` writes it: the loss curve of the run in the metadata, then the model.
      trainer.model.training!.curve = lossCurve(trainer.losses);
      const bytes = encodeModel(trainer.model);
      const t = trainer.model.training!;
      const name = `${data!.name.replace(/[^\w.-]+/g, '_')}-${t.loss.name}-${trainer.model.spec.kind}-seed${t.seed}-step${trainer.step}.safetensors`;
      post({ type: 'model-bytes', run, id: msg.id, bytes, name }, [bytes.buffer]);
      return;
    }
  }
}

function configure(msg: Extract<ToWorker, { type: 'configure' }>): void {
  run = msg.run;
  running = false;
  if (trainer) {
    trainer.free();
    trainer.model.free();
    trainer = null;
  }
  lossesSent = 0;
  chunk = 1;
  data = loadData(msg.data, data);
  range = msg.range ?? viewRange(data.points);
  grid = gridPoints(range, GRID);
  const c = msg.config;
  target = c.steps;
  post({ type: 'data', run, name: data.name, rows: data.points.rows, shown: shownPoints(data.points, 2000), range, exact: data.exact });
  // Exactly the options `scorefield train` passes (see apps/cli/src/commands/train.ts).
  trainer = new Trainer(core, data.points, {
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
    dataName: data.name,
  });
  exact = data.exact ? exactScores(data, trainer.model) : null;
  postProgress(true);
  postSnapshots();
}

/** Points of a source; a built-in dataset is drawn exactly as the CLI draws it (seeded by the training seed). */
function loadData(src: DataSource, previous: Data | null): Data {
  if (src.kind === 'builtin') {
    const key = `builtin:${src.name}:${src.size}:${src.seed}`;
    if (previous?.key === key) return previous;
    const rng = core.rng(src.seed);
    const buf = datasetSample(core, src.name, rng, src.size);
    const points = { data: buf.toArray(), rows: src.size, cols: 2 };
    buf.free();
    rng.free();
    return { key, name: src.name, points, exact: datasets[src.name as keyof typeof datasets].mixture };
  }
  return { key: `points:${run}`, name: src.name, points: { data: src.points, rows: src.rows, cols: 2 }, exact: false };
}

/** At most `max` points to draw (an even stride through the data). */
function shownPoints(p: Points, max: number): Float32Array {
  const n = Math.min(p.rows, max),
    out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = Math.floor((i * p.rows) / n);
    out[2 * i] = p.data[2 * r];
    out[2 * i + 1] = p.data[2 * r + 1];
  }
  return out;
}

/** The noise level (standardised units) whose perturbed density the model learns: 0 for the exact objectives. */
function modelNoise(model: ScoreModel): number {
  const loss = model.training!.loss;
  if (loss.name === 'dsm') return loss.sigma;
  if (loss.name === 'ncsn') return Math.min(...loss.sigmas);
  if (loss.name === 'continuous') return model.spec.conditioning === 'none' ? (loss.sigmaMin ?? 0.01) : model.defaultSigma;
  return 0;
}

/** Exact score of the (noise-perturbed) mixture on the grid and at held-out points. */
function exactScores(d: Data, model: ScoreModel): { grid: Float32Array; x: Points; score: Float32Array; noise: number } {
  const std = model.normalization.std;
  const noise = modelNoise(model) * Math.sqrt(std[0] * std[1]);
  const at = (x: Float32Array): Float32Array => {
    const xb = core.f32(x.length, x),
      sb = core.f32(x.length);
    datasetLogDensityScore(core, d.name, xb, { score: sb }, noise);
    const out = sb.toArray();
    xb.free();
    sb.free();
    return out;
  };
  const rng = core.rng(HELD_OUT_SEED + model.training!.seed);
  const hb = datasetSample(core, d.name, rng, HELD_OUT);
  const x = hb.toArray();
  hb.free();
  rng.free();
  return { grid: at(grid.data as Float32Array), x: { data: x, rows: HELD_OUT, cols: 2 }, score: at(x), noise };
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // A MessageChannel task, not setTimeout: no 4 ms clamp between chunks.
  tickChannel.port2.postMessage(0);
}
const tickChannel = new MessageChannel();
tickChannel.port1.onmessage = () => {
  scheduled = false;
  try {
    tick();
  } catch (e) {
    fail(e);
  }
};

function trainStep(count: number): void {
  trainer!.run(count);
}

function tick(): void {
  if (!running || !trainer) return;
  const left = target - trainer.step;
  if (left <= 0) {
    running = false;
    postProgress(true);
    postSnapshots();
    return;
  }
  const k = Math.min(left, chunk);
  const t0 = performance.now();
  try {
    trainStep(k);
  } catch (e) {
    if (e instanceof TrainingDivergedError) postSnapshots();
    throw e;
  }
  const now = performance.now(),
    dt = now - t0;
  rate.busy += dt;
  // Chunks of about 8 ms keep the worker responsive to pause / step / sample.
  chunk = Math.max(1, Math.min(2000, Math.round(k * (dt > 0 ? 8 / dt : 2))));
  if (now - rate.t >= 500) {
    rate = {
      t: now,
      step: trainer.step,
      busy: 0,
      perSecond: ((trainer.step - rate.step) * 1000) / (now - rate.t),
      share: rate.busy / (now - rate.t),
    };
  }
  if (trainer.step >= target) {
    running = false;
    if (now - rate.t > 100)
      rate = {
        t: now,
        step: trainer.step,
        busy: 0,
        perSecond: ((trainer.step - rate.step) * 1000) / (now - rate.t),
        share: rate.busy / (now - rate.t),
      };
  }
  if (!running || now - lastProgress >= PROGRESS_MS) postProgress(!running);
  // The field costs a grid of score evaluations: at most ~15% of the time, at most every 100 ms.
  if (!running || now - lastField >= Math.max(100, 6 * fieldCost)) postField();
  if (!running || now - lastMetrics >= METRICS_MS) postMetrics();
  if (running) schedule();
}

function postProgress(force: boolean): void {
  if (!trainer) return;
  const now = performance.now();
  if (!force && now - lastProgress < PROGRESS_MS) return;
  lastProgress = now;
  const losses = trainer.losses.slice(lossesSent);
  const first = lossesSent;
  lossesSent = trainer.step;
  post(
    { type: 'progress', run, step: trainer.step, target, running, first, losses, stepsPerSecond: rate.perSecond, trainShare: rate.share },
    [losses.buffer],
  );
}

function postSnapshots(): void {
  postField();
  postMetrics();
}

function postField(): void {
  if (!trainer) return;
  const t0 = performance.now();
  const model = trainer.model;
  const score = model.score(grid);
  const logDensity = model.spec.kind === 'energy' ? model.energy(grid).map((e) => -e) : integrateScore(score, GRID, range);
  const trueScore = exact ? exact.grid.slice() : undefined;
  const transfer: Transferable[] = [score.buffer, logDensity.buffer];
  if (trueScore) transfer.push(trueScore.buffer);
  post({ type: 'field', run, step: trainer.step, range, grid: GRID, score, logDensity, trueScore, noise: exact?.noise ?? 0 }, transfer);
  lastField = performance.now();
  fieldCost = lastField - t0;
}

function postMetrics(): void {
  if (!trainer) return;
  lastMetrics = performance.now();
  if (!exact) {
    post({ type: 'metrics', run, step: trainer.step });
    return;
  }
  const s = trainer.model.score(exact.x);
  const fisher = fisherDivergence(s, exact.score, 2).overall;
  post({ type: 'metrics', run, step: trainer.step, fisher, fisherNoise: exact.noise });
}

function doSample(req: SampleRequest): void {
  const model = trainer!.model;
  const wasRunning = running;
  running = false;
  postProgress(true);
  const plan = plannedSteps(model, req.sampler, { steps: req.steps, stepSize: req.stepSize });
  const every = Math.max(1, Math.round(plan / FRAMES));
  post({ type: 'sample-start', run, sampler: req.sampler, n: req.n, steps: plan });
  const t0 = performance.now();
  const result = sample(model, {
    sampler: req.sampler,
    n: req.n,
    seed: req.seed,
    steps: req.steps,
    stepSize: req.stepSize,
    progressEvery: every,
    onProgress: (p) => {
      const particles = p.particles();
      post({ type: 'sample-frame', run, step: p.step, steps: p.steps, sigma: p.sigma, particles }, [particles.buffer]);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  // MMD² on standardised coordinates with the fixed multi-scale bandwidths (comparable across datasets and runs).
  const { mean, std } = model.normalization;
  const standardise = (v: Float32Array) => v.map((x, i) => (x - mean[i % 2]) / std[i % 2]);
  const ref = standardise(shownPoints(data!.points, 1000)),
    k = Math.min(req.n, 1000);
  const mmd = mmd2(
    { data: standardise(result.samples.subarray(0, 2 * k)), rows: k, cols: 2 },
    { data: ref, rows: ref.length / 2, cols: 2 },
    { bandwidths: MMD_BANDWIDTHS },
  ).value;
  const samples = result.samples;
  post({ type: 'sample-done', run, step: trainer!.step, samples, mmd, seconds, evaluations: result.evaluations, sampler: req.sampler }, [
    samples.buffer,
  ]);
  if (wasRunning && trainer!.step < target) {
    running = true;
    schedule();
  }
}
