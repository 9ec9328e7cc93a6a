// core-math's benchmark: dense-layer GFLOP/s of both builds next to the f32x4 mul+add ceiling measured in
// the same run, and training steps/s for every objective x parametrization. Side by side, builds
// interleaved, best of several rounds: the machine is shared and noisy, so ratios are the figures to quote.
import { loadCore, benchmarkCeiling, benchmarkDense, benchmarkTraining, benchmarkObjectives } from '../dist/index.js';
import os from 'node:os';

const json = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7); // e.g. --only=train
const timing = { seconds: Number(process.env.BENCH_SECONDS ?? 0.4) };

const results = { machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version }, builds: {} };
const cores = { simd: await loadCore({ build: 'simd' }), scalar: await loadCore({ build: 'scalar' }) };

for (const [build, core] of Object.entries(cores)) {
  const r = { ceilingGflops: benchmarkCeiling(core, timing) };
  for (const [B, I, O] of only === 'train'
    ? []
    : [
        [128, 128, 128],
        [1024, 128, 128],
      ]) {
    const { forward, backward } = benchmarkDense(core, B, I, O, timing);
    r[`forward ${B}x${I}x${O}`] = forward;
    r[`backward ${B}x${I}x${O}`] = backward;
  }
  for (const { label, objective, conditioning } of benchmarkObjectives) {
    for (const kind of ['score', 'energy'])
      r[`train ${label} ${kind} steps/s`] = benchmarkTraining(core, objective, kind, conditioning, timing);
  }
  results.builds[build] = r;
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const keys = Object.keys(results.builds.simd);
  const rows = keys.map((k) => {
    const simd = results.builds.simd[k],
      scalar = results.builds.scalar[k];
    const isGflops = !k.startsWith('train');
    const pct = isGflops && k !== 'ceilingGflops' ? ` (${((100 * simd) / results.builds.simd.ceilingGflops).toFixed(0)}% of ceiling)` : '';
    const name = k === 'ceilingGflops' ? 'f32x4 mul+add ceiling' : k;
    return (
      `| ${name.padEnd(42)} | ${(simd.toFixed(isGflops ? 1 : 0) + pct).padEnd(26)} | ` +
      `${scalar.toFixed(isGflops ? 1 : 0).padEnd(8)} | ${(simd / scalar).toFixed(2)}x |`
    );
  });
  console.log(`machine: ${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}`);
  console.log('GFLOP/s unless stated (best of several rounds of ~0.4 s, builds interleaved in one run)');
  console.log(`| ${'benchmark'.padEnd(42)} | ${'simd'.padEnd(26)} | ${'scalar'.padEnd(8)} | simd/scalar |`);
  console.log(`|${'-'.repeat(44)}|${'-'.repeat(28)}|${'-'.repeat(10)}|-------------|`);
  console.log(rows.join('\n'));
}
