import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtRate, fmtRatio, markdown, table } from './report.js';
import { evaluateTargets, verdict } from './targets.js';
import { parseArgs, plan } from './cli.js';
import { resolveStatic } from './browser.js';
import { summarize } from './memory.js';
import type { Results } from './results.js';
import type { TrainRow } from './training.js';
import { evaluationsSaved, standardError, type SamplerRow } from './samplers.js';
import { measuredThreshold, type ThreadsRow } from './threads.js';
import { qualitySpeedup, type QualityRow } from './quality.js';

const row = (objective: string, kind: 'score' | 'energy', rates: TrainRow['rates'], width = 128, batch = 128): TrainRow => ({
  config: { objective, kind, d: 2, width, batch },
  rates,
});

function sample(): Results {
  return {
    date: '2025-01-01T00:00:00.000Z',
    command: 'pnpm bench',
    quick: false,
    notices: ['a notice'],
    machine: { cpu: 'Test CPU', cores: 2, node: 'v20.20.0', os: 'Linux', loadAverage: 1, torch: '1.13', blas: 'openblas' },
    kernels: {
      simd: { ceiling: 40, 'forward 128x128x128': 36, 'backward 128x128x128': 30 },
      scalar: { ceiling: 10, 'forward 128x128x128': 3, 'backward 128x128x128': 3 },
    },
    training: [
      row('esm', 'energy', { wasm: 300, 'tfjs-wasm': 10, 'tfjs-cpu': 1, 'torch-1': 100, 'torch-2': 120 }),
      row('dsm', 'score', { wasm: 900, 'tfjs-wasm': 100, 'tfjs-cpu': 10, 'torch-1': 1000, 'torch-2': 800 }),
    ],
    trace: [{ config: { objective: 'esm', kind: 'score', d: 32, width: 128, batch: 128 }, rates: { wasm: 60, 'torch-1': 10 } }],
    sampling: [
      { kind: 'score', n: 10000, levels: 10, stepsPerLevel: 5, rates: { 'wasm-1w': 4e5, 'wasm-2w': 7e5, 'torch-1': 3e5, 'torch-2': 4e5 } },
    ],
    browser: { chromium: '140', node: { 'train dsm score': 100 }, browser: { 'train dsm score': 90 }, ratio: { 'train dsm score': 0.9 } },
    web: {
      chromium: '140',
      viewport: '1280x800',
      hash: 'steps=1000000',
      training: { fpsMedian: 24, fpsMin: 12, windows: 9, frameMs: 6.5, stepsPerSecond: 640, trainShare: 0.86 },
      sampling: { fpsMedian: 58, fpsMin: 50, windows: 3, frameMs: 3.1, sampler: 'langevin', seconds: 2.5 },
    },
  };
}

describe('formatting', () => {
  it('formats rates, ratios and bytes', () => {
    expect(fmtRate(null)).toBe('-');
    expect(fmtRate(1.234)).toBe('1.23');
    expect(fmtRate(532.6)).toBe('533');
    expect(fmtRate(315820)).toBe('316k');
    expect(fmtRate(2.5e6)).toBe('2.50M');
    expect(fmtRatio(0.5)).toBe('0.50x');
    expect(fmtRatio(37.21)).toBe('37.2x');
    expect(fmtRatio(undefined)).toBe('-');
    expect(fmtBytes(3 * 2 ** 20)).toBe('3.0 MiB');
    expect(fmtBytes(-2048)).toBe('-2.0 KiB');
  });

  it('builds Markdown tables with escaped pipes', () => {
    expect(table(['a', 'b'], [['1', 'x|y']])).toBe('| a | b |\n|---|---|\n| 1 | x\\|y |');
  });

  it('verdicts say by how much a target is missed', () => {
    expect(verdict(2.5, 2)).toEqual({ met: true, verdict: 'met' });
    expect(verdict(0.5, 1)).toEqual({ met: false, verdict: 'missed by 2.00x' });
    expect(verdict(0.6, 0.8, true)).toEqual({ met: false, verdict: 'missed by 20 points' });
    expect(verdict(0, 3)).toEqual({ met: false, verdict: 'missed: none reaches it' });
    expect(verdict(null, 1).met).toBeNull();
  });

  it('evaluates every target on the worst case', () => {
    const t = evaluateTargets(sample());
    const get = (s: string) => t.find((x) => x.target.startsWith(s))!;
    expect(get('dense forward').met).toBe(true);
    expect(get('dense backward').value).toBeCloseTo(0.75);
    expect(get('training >= 10x').value).toBeCloseTo(9);
    expect(get('training >= 10x').where).toBe('dsm/score/d2/w128/b128');
    expect(get('>= 1.0x PyTorch').verdict).toBe('missed by 1.11x');
    expect(get('>= 2x PyTorch').value).toBeCloseTo(3); // only esm/energy is second order
    expect(get('>= 1.5x PyTorch').met).toBeNull(); // no data-parallel column
    expect(get('esm at d = 32').value).toBeCloseTo(6);
    expect(get('sampling >= 2x').value).toBeCloseTo(4 / 3);
    expect(get('sampling speed-up').value).toBeCloseTo(1.75);
    expect(get('Chromium').met).toBe(true);
    // The web app's view: 24 fps is 80% of the 30 fps target.
    expect(get('web app').value).toBeCloseTo(0.8);
    expect(get('web app').verdict).toBe('missed by 20 points');
    expect(get('web app').where).toBe('median 24 fps, 9 1 s windows, 1280x800');
    expect(evaluateTargets({ ...sample(), web: { notice: 'no chromium' } }).find((x) => x.target.startsWith('web app'))!.verdict).toBe(
      'not measured: no chromium',
    );
  });

  it('renders the results document as Markdown', () => {
    const r = sample();
    r.targets = evaluateTargets(r);
    const md = markdown(r);
    expect(md).toContain('# Benchmarks (issues 7 and 16)');
    expect(md).toContain('Test CPU, 2 cores');
    expect(md).toContain('### MLP 2-128-128-128, batch 128');
    expect(md).toContain('| esm | energy | 300 | - | 10.0 | 1.00 | 100 | 120 | 30.0x | 300x | 3.00x | - |');
    expect(md).toContain('| forward 128x128x128 | 36.0 | 90% | 3.00 | 12.0x |');
    expect(md).toContain('- a notice');
    expect(md).toContain('| training | 24 | 12 | 6.5 | 640 steps/s, 86% in Adam steps |');
  });
});

describe('time to quality', () => {
  const res = (seconds: number | null, steps = 250, mmd = 0.01) => ({ seconds, steps, mmd, trace: [] });
  const quality = (results: QualityRow['results']): QualityRow => ({ dataset: 'gmm3', threshold: 0.05, floor: 3e-4, results });

  it('judges the target on the default run, and shows the dsm recipe beside it', () => {
    const r = sample();
    r.quality = [quality({ 'wasm-default': res(1), 'wasm-threads': res(3, 500), 'torch-1': res(2.5), 'torch-2': res(2.2) })];
    const t = evaluateTargets(r).find((x) => x.target.startsWith('time to quality'))!;
    expect(t.value).toBeCloseTo(2.2);
    expect(t.where).toBe('gmm3, the default run (continuous VE, pc)');
    const md = markdown({ ...r, targets: [t] });
    expect(md).toContain(
      '| gmm3 | 3.0e-4 | 1.0 s (250 steps, 1.0e-2) | 3.0 s (500 steps, 1.0e-2) | 2.5 s (250 steps, 1.0e-2) | ' +
        '2.2 s (250 steps, 1.0e-2) | 2.20x | 0.73x |',
    );
  });

  it('reads older results, which have the dsm recipe alone, and says where a run fell short', () => {
    const r = sample();
    r.quality = [quality({ 'wasm-threads': res(null), 'torch-1': res(2) })];
    expect(evaluateTargets(r).find((x) => x.target.startsWith('time to quality'))!.value).toBeNull();
    expect(qualitySpeedup(r.quality[0], 'wasm-threads')).toBeNull();
    r.quality = [quality({ 'wasm-threads': res(4), 'torch-1': res(2) })];
    expect(evaluateTargets(r).find((x) => x.target.startsWith('time to quality'))!.where).toBe('gmm3, dsm + Langevin');
    expect(markdown(r)).toContain('| gmm3 | 3.0e-4 | 4.0 s (250 steps, 1.0e-2) | 2.0 s (250 steps, 1.0e-2) | - | 0.50x |');
  });

  it('shows the median over the training seeds and the range of their steps', () => {
    const r = sample();
    const run = (seed: number, seconds: number | null, steps: number | null) => ({ seed, seconds, steps, mmd: 0.02, trace: [] });
    r.quality = [
      quality({
        'wasm-default': { ...res(1.2, 250, 0.02), runs: [run(1, 1, 250), run(2, 1.2, 250), run(3, 1.7, 500)] },
        'torch-2': { ...res(2.4, 500, 0.02), runs: [run(1, 2.4, 500), run(2, null, null), run(3, 2.3, 500)] },
      }),
    ];
    expect(markdown(r)).toContain(
      '| 1.2 s (3 seeds: 250-500 steps, 2.0e-2) | - | 2.4 s (3 seeds: 500-not reached steps, 2.0e-2) | 2.00x |',
    );
  });
});

describe('samplers and threads', () => {
  const samplerRow = (floor: number, pc: number, others: Record<string, [number, number]>): SamplerRow => ({
    dataset: 'gmm3',
    n: 2000,
    sde: 've',
    floor,
    results: {
      pc: { evaluations: 500, mmd: pc },
      ...Object.fromEntries(Object.entries(others).map(([k, [evaluations, mmd]]) => [k, { evaluations, mmd }])),
    },
  });

  it("counts the fewest evaluations at pc's MMD², or at the data floor where pc is below it", () => {
    expect(evaluationsSaved(samplerRow(1e-3, 2e-3, { a: [100, 2.5e-3], b: [250, 1.5e-3] }))).toEqual({ factor: 2, by: 'b' });
    expect(evaluationsSaved(samplerRow(5e-4, -9e-4, { a: [50, 4e-4], b: [100, -1e-3], c: [20, 6e-4] }))).toEqual({ factor: 10, by: 'a' });
    expect(evaluationsSaved(samplerRow(5e-4, -9e-4, { c: [20, 6e-4] }))).toEqual({ factor: null, by: '' });
  });

  it('gives each mean its standard error, and the table shows it with the number of seeds', () => {
    // sd of [1, 2, 3, 4] is sqrt(5/3); over sqrt(4) seeds.
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    const row = { ...samplerRow(-7e-4, 2.8e-4, {}), seeds: 10 };
    row.results['dpm-sde'] = { evaluations: 51, mmd: -5.1e-4, se: 3.9e-4 };
    const md = markdown({ ...sample(), samplers: [row] });
    expect(md).toContain('the mean over 10 sampling seeds ± its standard error where measured');
    expect(md).toContain('| gmm3 ve | -7.0e-4 | 500, 2.8e-4 | 51, -5.1e-4 ± 4e-4 | 9.80x (dpm-sde) |');
    // A partial rerun beside rows of an earlier run (3 seeds, no standard error) says which row is which.
    const old = { ...samplerRow(-7e-4, 2.8e-4, {}), dataset: '8gaussians' };
    old.results['dpm-sde'] = { evaluations: 51, mmd: -5.1e-4 };
    const both = markdown({ ...sample(), samplers: [row, old] });
    expect(both).toContain('the mean over 10 or 3 (the model column says which) sampling seeds');
    expect(both).toContain('| 8gaussians ve (3 seeds) | -7.0e-4 | 500, 2.8e-4 | 51, -5.1e-4 | 9.80x (dpm-sde) |');
  });

  it('the measured split threshold is the smallest size from which every larger one gains', () => {
    const t = (work: number, speedup: number): ThreadsRow => ({
      width: 0,
      batch: 0,
      work,
      oneUs: 1,
      allUs: 1,
      speedup,
      medianSpeedup: speedup,
    });
    expect(measuredThreshold([t(1, 0.5), t(4, 1.2), t(2, 1.1), t(8, 1.5)])).toBe(2);
    expect(measuredThreshold([t(1, 1.1), t(2, 0.9), t(4, 1.2)])).toBe(4);
    expect(measuredThreshold([t(1, 0.9), t(4, 0.95)])).toBeNull();
  });
});

describe('cli and helpers', () => {
  it('parses options', () => {
    const o = parseArgs(['--quick', '--json', '--only=kernels,trace', '--cases=esm']);
    expect(o.quick && o.json).toBe(true);
    expect([...o.only]).toEqual(['kernels', 'trace']);
    expect(o.cases?.test('esm/score/d2/w128/b128')).toBe(true);
    expect(() => parseArgs(['--only=nope'])).toThrow(/unknown benchmark family/);
    expect([...parseArgs(['--only=web']).only]).toEqual(['web']);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option/);
    expect([...(parseArgs(['--impls=wasm,torch-1']).impls ?? [])]).toEqual(['wasm', 'torch-1']);
    expect(parseArgs([]).impls).toBeUndefined();
    expect(() => parseArgs(['--impls=wasm,numpy'])).toThrow("unknown implementation 'numpy'; valid: wasm, wasm-threads");
    expect(plan(true).trainExtra).toBeNull();
    expect(plan(false).traceDims).toEqual([2, 8, 32, 128, 784]);
  });

  it('serves only the page, the bench dist and core-math dist/build', () => {
    expect(resolveStatic('/')).toMatch(/browser[\\/]index\.html$/);
    expect(resolveStatic('/core-math/build/simd.wasm')).toMatch(/core-math[\\/]build[\\/]simd\.wasm$/);
    expect(resolveStatic('/bench/dist/portable.js?x=1')).toMatch(/bench[\\/]dist[\\/]portable\.js$/);
    expect(resolveStatic('/core-math/src/index.ts')).toBeUndefined();
    expect(resolveStatic('/core-math/dist/../../../etc/passwd')).toBeUndefined();
  });

  it('a memory series is flat when nothing grows after the first checkpoint', () => {
    const p = (step: number, wasm: number, rss: number) => ({ step, wasmBytes: wasm, wasmInUse: 100, jsHeap: 1e6, rss });
    const flat = summarize('t', 3000, 1, [p(0, 1000, 5e7), p(1000, 2000, 6e7), p(2000, 2000, 6e7), p(3000, 2000, 6e7 + 1000)]);
    expect(flat.flat).toBe(true);
    expect(flat.growth.wasmBytes).toBe(0);
    const grows = summarize('t', 3000, 1, [p(0, 1000, 5e7), p(1000, 2000, 6e7), p(2000, 3000, 7e7), p(3000, 4000, 8e7)]);
    expect(grows.flat).toBe(false);
    expect(grows.rssPer1e6).toBeCloseTo(1e10);
    // The V8 heap's committed size, when recorded, is reported beside it (older results have none).
    expect(flat.growth.jsCommitted).toBeUndefined();
    const committed = (step: number, jsCommitted: number) => ({ ...p(step, 2000, 6e7), jsCommitted });
    expect(summarize('t', 2000, 1, [committed(0, 8e6), committed(1000, 8e6), committed(2000, 12e6)]).growth.jsCommitted).toBe(4e6);
  });
});
