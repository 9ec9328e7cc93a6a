#!/usr/bin/env node
/**
 * pnpm bench [--quick] [--json] [--only=kernels,threads,training,trace,sampling,samplers,quality,memory,browser,web] [--out=DIR]
 *   [--no-write] [--cases=REGEX] [--impls=wasm,wasm-threads,...]
 * pnpm bench --render   (README.md again from results.json + analysis.md, no measuring)
 * Runs the benchmark suite of issue 7 and writes docs/bench/results.json and docs/bench/README.md
 * (atomically; a --quick run writes only with --out). Progress goes to stderr; --json prints the
 * results document to stdout, otherwise the Markdown tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from '@scorefield/core-math';
import { configKey, KINDS, OBJECTIVES, type TrainConfig } from './cases.js';
import { runKernels } from './kernels.js';
import { formatRow, IMPLS, loadParallelTrainer, measureTraining, parallelServer, type Impl, type TrainEnv } from './training.js';
import { initTfjsWasm, tfjsWasmFlags } from './tfjs-train.js';
import { findTorch, TorchServer } from './torch.js';
import { loadSampleParallel, measureSampling } from './sampling.js';
import { samplingMemory, trainingMemory } from './memory.js';
import { measureQuality, QUALITY_DATASETS } from './quality.js';
import { measureSamplers } from './samplers.js';
import { measureThreads } from './threads.js';
import { runBrowser } from './browser.js';
import { runWeb } from './web.js';
import { evaluateTargets } from './targets.js';
import { markdown } from './report.js';
import { writeFileAtomic, type Machine, type Results } from './results.js';
import type { MeasureOptions } from './timing.js';

export const FAMILIES = ['kernels', 'threads', 'training', 'trace', 'sampling', 'samplers', 'quality', 'memory', 'browser', 'web'] as const;

export interface CliOptions {
  quick: boolean;
  json: boolean;
  only: Set<string>;
  out?: string;
  write: boolean;
  /** Only the training / trace configurations whose key (objective/kind/dD/wW/bB) matches. */
  cases?: RegExp;
  /** Only these implementations in the training family (e.g. a rerun of the WASM and PyTorch columns alone). */
  impls?: Set<Impl>;
  /** Re-render README.md from an existing results.json (and analysis.md) without measuring. */
  render: boolean;
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { quick: false, json: false, only: new Set(FAMILIES), write: true, render: false };
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--render') o.render = true;
    else if (a.startsWith('--only=')) {
      o.only = new Set(a.slice(7).split(',').filter(Boolean));
      for (const f of o.only)
        if (!(FAMILIES as readonly string[]).includes(f)) throw new Error(`unknown benchmark family '${f}'; valid: ${FAMILIES.join(', ')}`);
    } else if (a.startsWith('--out=')) o.out = a.slice(6);
    else if (a.startsWith('--cases=')) o.cases = new RegExp(a.slice(8));
    else if (a.startsWith('--impls=')) {
      o.impls = new Set(a.slice(8).split(',').filter(Boolean) as Impl[]);
      for (const i of o.impls)
        if (!(IMPLS as readonly string[]).includes(i)) throw new Error(`unknown implementation '${i}'; valid: ${IMPLS.join(', ')}`);
    } else if (a === '--') continue;
    else
      throw new Error(
        `unknown option '${a}'; usage: pnpm bench [--quick] [--json] [--only=${FAMILIES.join(',')}] [--out=DIR] [--no-write] ` +
          `[--cases=REGEX] [--impls=${IMPLS.join(',')}] | --render`,
      );
  }
  return o;
}

/** Timing plans: full, and --quick (a few minutes). */
export function plan(quick: boolean) {
  const t = (warmupMs: number, roundMs: number, rounds: number, budgetMs?: number): MeasureOptions => ({
    warmupMs,
    roundMs,
    rounds,
    budgetMs,
    minRounds: 1,
  });
  return quick
    ? {
        kernels: t(300, 200, 2),
        threadRounds: 2,
        trainMain: t(300, 200, 2, 800),
        trainExtra: null,
        traceDims: [2, 32],
        trace: t(300, 200, 2, 800),
        sampling: { n: 10000, stepsPerLevel: 2, opts: t(300, 300, 2, 1500) },
        quality: { steps: 2000, seeds: 1 },
        memory: { train: 10_000, sample: 10_000, particles: 64, every: 1000 },
        browser: { opts: t(300, 200, 2), repeats: 1 },
        web: { trainSeconds: 4 },
      }
    : {
        kernels: t(1000, 400, 5),
        threadRounds: 8,
        trainMain: t(1000, 300, 4, 2400),
        trainExtra: t(500, 300, 3, 1500),
        traceDims: [2, 8, 32, 128, 784], // 784: MNIST (issue 13), where the exact trace costs 784 passes
        trace: t(500, 300, 3, 1500),
        sampling: { n: 10000, stepsPerLevel: 5, opts: t(1000, 1000, 3, 6000) },
        // Five training seeds: a seed's run to the threshold is one or two chunks of 250 steps, so one seed's time is luck.
        quality: { steps: 5000, seeds: 5 },
        memory: { train: 100_000, sample: 100_000, particles: 64, every: 10_000 },
        browser: { opts: t(1000, 300, 3), repeats: 2 },
        web: { trainSeconds: 10 },
      };
}

function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const family = /cpu family\s*:\s*(\d+)/.exec(info)?.[1],
      model = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
    if (family && model) cpu += ` (family ${family}, model ${model})`;
  } catch {
    /* not Linux */
  }
  return {
    cpu,
    cores: os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg()[0],
  };
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

/** README.md = the tables of results.json + the hand-written analysis.md (profiles, limits), if any. */
export function writeReadme(outDir: string, results: Results): void {
  const analysis = path.join(outDir, 'analysis.md');
  writeFileAtomic(path.join(outDir, 'README.md'), markdown(results) + (existsSync(analysis) ? `\n${readFileSync(analysis, 'utf8')}` : ''));
}

export async function main(argv: string[]): Promise<Results> {
  const o = parseArgs(argv);
  if (o.render) {
    const dir = path.resolve(o.out ?? fileURLToPath(new URL('../../../docs/bench/', import.meta.url)));
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
    results.targets = evaluateTargets(results);
    writeFileAtomic(path.join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeReadme(dir, results);
    log(`rendered ${path.join(dir, 'README.md')}`);
    return results;
  }
  const p = plan(o.quick);
  const started = performance.now();
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const outDir = o.out ? path.resolve(o.out) : o.quick || !o.write ? undefined : path.join(repo, 'docs', 'bench');
  const invoked = process.env.npm_lifecycle_event === 'bench' ? 'pnpm bench' : 'node packages/bench/dist/cli.js';
  const results: Results = {
    date: new Date().toISOString(),
    command: [invoked, ...argv].join(' '),
    quick: o.quick,
    machine: machine(),
    notices: [],
  };
  const notice = (s: string) => {
    results.notices.push(s);
    log(`notice: ${s}`);
  };
  if (!(globalThis as { gc?: unknown }).gc) notice('run with node --expose-gc for exact heap readings (pnpm bench does)');
  const save = () => {
    if (!outDir || !o.write) return;
    results.targets = evaluateTargets(results);
    results.seconds = (performance.now() - started) / 1000;
    writeFileAtomic(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeReadme(outDir, results);
  };

  const core = await loadCore({ build: 'simd' });
  // The whole machine: the threaded core on every core (its kernels split each pass; same bits as one thread).
  const threaded = await loadCore({ build: 'simd', threads: os.availableParallelism() });
  results.machine.threads = threaded.threads;
  const torchInfo = ['training', 'trace', 'sampling', 'quality'].some((f) => o.only.has(f)) ? findTorch() : undefined;
  let torch: TorchServer | undefined;
  const closers: Array<() => void> = [];
  if (torchInfo && 'notice' in torchInfo) notice(torchInfo.notice);
  else if (torchInfo) {
    results.machine.torch = torchInfo.torch;
    results.machine.blas = torchInfo.blas;
    if (/\/blas\/libblas/.test(torchInfo.blas))
      notice(
        `PyTorch calls the reference BLAS (${torchInfo.blas}), about 10x slower than OpenBLAS: apt-get install libopenblas0-openmp for ` +
          `a fair comparison`,
      );
    torch = new TorchServer(torchInfo.python);
  }
  try {
    if (o.only.has('kernels')) {
      (results.load ??= {}).kernels = os.loadavg()[0];
      log('kernels');
      results.kernels = await runKernels(p.kernels, log);
      save();
    }
    if (o.only.has('threads')) {
      (results.load ??= {}).threads = os.loadavg()[0];
      log('threads');
      results.threads = { splitMinWork: threaded.pool?.splitMinWork ?? null, rows: measureThreads(threaded, p.threadRounds) };
      for (const r of results.threads.rows) {
        log(`threads w${r.width} b${r.batch}: ${(r.work / 1e6).toFixed(2)}M multiply-adds, speed-up ${r.speedup.toFixed(2)}x`);
      }
      save();
    }
    if (o.only.has('training')) {
      (results.load ??= {}).training = os.loadavg()[0];
      const impls = new Set<Impl>(o.impls ?? IMPLS);
      const wasmErr = impls.has('tfjs-wasm') ? await initTfjsWasm() : undefined;
      if (wasmErr) {
        notice(`tfjs-backend-wasm unavailable (${wasmErr}): its column is skipped`);
        impls.delete('tfjs-wasm');
      } else if (impls.has('tfjs-wasm')) {
        results.machine.tfjsWasm = tfjsWasmFlags();
        if (!results.machine.tfjsWasm.simd) notice('tfjs-backend-wasm runs without SIMD here');
      }
      const parallel = await loadParallelTrainer();
      if ('notice' in parallel) notice(parallel.notice);
      const env: TrainEnv = { core, threaded, impls, torch, parallel: 'notice' in parallel ? undefined : parallelServer() };
      closers.push(() => env.parallel?.close());
      results.training = [];
      const grids: Array<[number, number, MeasureOptions]> = [[128, 128, p.trainMain]];
      if (p.trainExtra) grids.push([64, 128, p.trainExtra], [256, 128, p.trainExtra], [128, 1024, p.trainExtra]);
      for (const [width, batch, opts] of grids) {
        for (const obj of OBJECTIVES) {
          for (const kind of KINDS) {
            const c: TrainConfig = { objective: obj.label, kind, d: 2, width, batch };
            if (o.cases && !o.cases.test(configKey(c))) continue;
            const row = await measureTraining(env, c, opts);
            log(formatRow(row));
            results.training.push(row);
          }
        }
        save();
      }
      const seen = new Set<string>();
      for (const r of results.training) {
        for (const [impl, msg] of Object.entries(r.errors ?? {})) {
          if (seen.has(`${impl}: ${msg}`)) continue;
          seen.add(`${impl}: ${msg}`);
          notice(`${impl} failed on ${configKey(r.config)} (and maybe others): ${msg}`);
        }
      }
    }
    if (o.only.has('trace')) {
      (results.load ??= {}).trace = os.loadavg()[0];
      const env: TrainEnv = { core, impls: new Set<Impl>(['wasm', 'torch-1', 'torch-2']), torch };
      results.trace = [];
      for (const objective of ['esm', 'ssm-vr']) {
        for (const kind of KINDS) {
          for (const d of p.traceDims) {
            if (o.cases && !o.cases.test(configKey({ objective, kind, d, width: 128, batch: 128 }))) continue;
            const row = await measureTraining(env, { objective, kind, d, width: 128, batch: 128 }, p.trace);
            log(formatRow(row));
            results.trace.push(row);
          }
        }
      }
      save();
    }
    if (o.only.has('sampling')) {
      (results.load ??= {}).sampling = os.loadavg()[0];
      const sp = await loadSampleParallel();
      if ('notice' in sp) notice(sp.notice);
      results.sampling = [];
      for (const kind of KINDS) {
        const row = await measureSampling(
          core,
          threaded,
          kind,
          'notice' in sp ? undefined : sp,
          torch,
          { n: p.sampling.n, stepsPerLevel: p.sampling.stepsPerLevel, workers: [1, 2] },
          p.sampling.opts,
        );
        log(`sampling ${kind}: ${JSON.stringify(row.rates)}${row.errors ? ` errors ${JSON.stringify(row.errors)}` : ''}`);
        results.sampling.push(row);
      }
      save();
    }
    if (o.only.has('samplers')) {
      (results.load ??= {}).samplers = os.loadavg()[0];
      results.samplers = [];
      for (const dataset of QUALITY_DATASETS) {
        for (const sde of ['ve', 'vp'] as const) {
          if (o.cases && !o.cases.test(`${dataset} ${sde}`)) continue;
          const row = measureSamplers(threaded, dataset, sde, o.quick);
          log(`samplers ${dataset} ${sde}: ${JSON.stringify(row.results)}`);
          results.samplers.push(row);
        }
      }
      save();
    }
    if (o.only.has('quality')) {
      (results.load ??= {}).quality = os.loadavg()[0];
      results.quality = [];
      for (const dataset of QUALITY_DATASETS) {
        const row = await measureQuality(threaded, torch, dataset, p.quality.steps, p.quality.seeds);
        log(
          `time to quality ${dataset}: ${JSON.stringify(Object.fromEntries(Object.entries(row.results).map(([k, v]) => [k, v.seconds])))}`,
        );
        results.quality.push(row);
      }
      save();
    }
  } finally {
    torch?.close();
    for (const c of closers) c();
    await threaded.close();
  }
  if (o.only.has('memory')) {
    (results.load ??= {}).memory = os.loadavg()[0];
    log(`memory: ${p.memory.train} training steps`);
    const train = trainingMemory(core, p.memory.train, p.memory.every);
    log(`memory: ${p.memory.sample} sampling steps`);
    const samp = samplingMemory(core, p.memory.sample, p.memory.particles, 100);
    results.memory = [train, samp];
    for (const m of results.memory) log(`memory ${m.what}: growth ${JSON.stringify(m.growth)}, flat ${m.flat}`);
    save();
  }
  if (o.only.has('browser')) {
    (results.load ??= {}).browser = os.loadavg()[0];
    log('browser');
    try {
      const b = await runBrowser(p.browser.opts, p.browser.repeats, log);
      results.browser = b;
      if ('notice' in b) notice(b.notice);
      else results.machine.chromium = b.chromium;
    } catch (e) {
      results.browser = { notice: `the browser benchmark failed: ${(e as Error).message}` };
      notice(results.browser.notice);
    }
  }
  if (o.only.has('web')) {
    (results.load ??= {}).web = os.loadavg()[0];
    log('web');
    try {
      const w = await runWeb(p.web, log);
      results.web = w;
      if ('notice' in w) notice(w.notice);
    } catch (e) {
      results.web = { notice: `the web benchmark failed: ${(e as Error).message}` };
      notice(results.web.notice);
    }
  }
  results.targets = evaluateTargets(results);
  results.seconds = (performance.now() - started) / 1000;
  save();
  if (outDir && o.write) log(`wrote ${path.join(outDir, 'results.json')} and README.md`);
  process.stdout.write(o.json ? `${JSON.stringify(results, null, 2)}\n` : `${markdown(results)}\n`);
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: Error) => {
      process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
