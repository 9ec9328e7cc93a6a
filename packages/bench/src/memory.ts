/**
 * Memory: WASM linear memory (memory.buffer.byteLength and the bytes the core's allocator holds), the JS
 * heap and the process RSS, read every `every` steps of a long training run (models' Trainer) and of
 * repeated annealed sampling runs (models' sample). Flat means no growth after the first checkpoint (the
 * warm-up); the growth per step is extrapolated to 10^6 steps.
 */
import type { Core } from '@scorefield/core-math';
import { sample, Trainer } from '@scorefield/models';
import { NCSN_SIGMAS, toyData } from './cases.js';
import { benchModel } from './sampling.js';

export interface MemoryPoint {
  step: number;
  wasmBytes: number;
  wasmInUse: number;
  jsHeap: number;
  /**
   * The V8 heap's committed size (heapTotal): V8 grows its young generation after enough bytes survive scavenges, a
   * step in the RSS with a flat jsHeap (it was the +4 MiB of sampling in an earlier run). Absent in older results.
   */
  jsCommitted?: number;
  rss: number;
}

export interface MemorySeries {
  what: string;
  steps: number;
  seconds: number;
  points: MemoryPoint[];
  /** Growth from the first checkpoint to the last, bytes. */
  growth: { wasmBytes: number; wasmInUse: number; jsHeap: number; jsCommitted?: number; rss: number };
  /** Least-squares RSS slope after the first checkpoint, extrapolated to 10^6 steps (bytes). */
  rssPer1e6: number;
  flat: boolean;
}

function snapshot(core: Core, step: number): MemoryPoint {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return {
    step,
    wasmBytes: core.exports.memory.buffer.byteLength,
    wasmInUse: core.heap.bytesInUse,
    jsHeap: m.heapUsed,
    jsCommitted: m.heapTotal,
    rss: m.rss,
  };
}

function slope(points: MemoryPoint[], key: 'step' | 'rss'): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.step, 0) / n,
    my = points.reduce((s, p) => s + p[key], 0) / n;
  let num = 0,
    den = 0;
  for (const p of points) {
    num += (p.step - mx) * (p[key] - my);
    den += (p.step - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

/** Summarises a series: WASM memory must not grow at all; RSS and the JS heap within noise (4 MiB). */
export function summarize(what: string, steps: number, seconds: number, points: MemoryPoint[]): MemorySeries {
  const after = points.slice(1),
    first = after[0] ?? points[0],
    last = points[points.length - 1];
  const growth = {
    wasmBytes: last.wasmBytes - first.wasmBytes,
    wasmInUse: last.wasmInUse - first.wasmInUse,
    jsHeap: last.jsHeap - first.jsHeap,
    ...(last.jsCommitted !== undefined && first.jsCommitted !== undefined ? { jsCommitted: last.jsCommitted - first.jsCommitted } : {}),
    rss: last.rss - first.rss,
  };
  const rssPer1e6 = slope(after, 'rss') * 1e6;
  const flat = growth.wasmBytes === 0 && growth.wasmInUse === 0 && growth.jsHeap < 4 * 2 ** 20 && growth.rss < 4 * 2 ** 20;
  return { what, steps, seconds, points, growth, rssPer1e6, flat };
}

/** `steps` training steps of `loss` in chunks of `every`. */
export function trainingMemory(core: Core, steps: number, every: number): MemorySeries {
  const loss = { name: 'dsm' as const, sigma: 0.1 };
  const trainer = new Trainer(core, { data: toyData(10000, 2), rows: 10000, cols: 2 }, { loss, steps, batch: 128, lr: 1e-4 });
  const points = [snapshot(core, 0)];
  const t0 = performance.now();
  for (let s = 0; s < steps; s += every) {
    trainer.run(Math.min(every, steps - s));
    points.push(snapshot(core, trainer.step));
  }
  const seconds = (performance.now() - t0) / 1000;
  trainer.free();
  trainer.model.free();
  return summarize(`training (dsm, score, 2-128-128-128-2, batch 128, models' Trainer)`, steps, seconds, points);
}

/** `steps` annealed Langevin steps on `n` particles, as repeated sample() runs of 10 levels x `perLevel` steps. */
export function samplingMemory(core: Core, steps: number, n: number, perLevel: number): MemorySeries {
  const model = benchModel(core, 'score');
  const perRun = NCSN_SIGMAS.length * perLevel;
  const points = [snapshot(core, 0)];
  const t0 = performance.now();
  let done = 0;
  while (done < steps) {
    sample(model, { n, sampler: 'annealed', steps: perLevel, sigmas: [...NCSN_SIGMAS], seed: done });
    done += perRun;
    points.push(snapshot(core, done));
  }
  const seconds = (performance.now() - t0) / 1000;
  model.free();
  return summarize(`sampling (annealed Langevin, score, ${n} particles, sample() runs of ${perRun} steps)`, done, seconds, points);
}
