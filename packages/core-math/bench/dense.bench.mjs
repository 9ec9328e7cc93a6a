// pnpm bench: dense-layer GFLOP/s of both builds next to the f32x4 mul+add ceiling measured in the
// same run, plus DSM training steps/s. Side by side, interleaved, best of several rounds: the
// machine is shared and noisy, so the ratios are the figures to quote.
import { loadCore, denseForward, denseBackward, denseScratchFloats, mulAddCeiling, MlpLayout, Adam, gatherRandomRows, rngNormal,
  BoundObjective, modelDims, sigmaSchedule } from '../dist/index.js';
import os from 'node:os';

const json = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7); // e.g. --only=train

/** [label, objective, conditioning] of the training benchmarks. */
const TRAINING = [
  ['esm', { name: 'esm' }, 'none'],
  ['ssm', { name: 'ssm', projection: 'gaussian', slices: 1 }, 'none'],
  ['ssm-vr', { name: 'ssm-vr', projection: 'gaussian', slices: 1 }, 'none'],
  ['dsm', { name: 'dsm', sigma: 0.1 }, 'none'],
  ['ncsn', { name: 'ncsn', sigmas: sigmaSchedule('geometric', 1, 0.01, 10) }, 'both'],
  ['continuous-ve', { name: 'continuous', sde: 've' }, 'both'],
  ['continuous-vp', { name: 'continuous', sde: 'vp' }, 'both'],
];
const seconds = Number(process.env.BENCH_SECONDS ?? 0.4);

/** Best throughput (units/s) over `rounds` timed rounds of about `seconds` each, after a warm-up. */
function measure(fn, unitsPerCall, rounds = 5) {
  const warmUntil = performance.now() + 300;
  let calls = 0;
  while (performance.now() < warmUntil) { fn(); calls++; }
  const perRound = Math.max(1, Math.round((calls / 0.3) * seconds));
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    best = Math.max(best, (perRound * unitsPerCall) / ((performance.now() - t0) / 1000));
  }
  return best;
}

function fill(core, n, seed) {
  const b = core.f32(n);
  rngNormal(core, core.rng(seed), b);
  return b;
}

const results = { machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version }, builds: {} };
const cores = { simd: await loadCore({ build: 'simd' }), scalar: await loadCore({ build: 'scalar' }) };

for (const [build, core] of Object.entries(cores)) {
  const r = {};
  r.ceilingGflops = measure(() => mulAddCeiling(core, 100_000), mulAddCeiling(core, 1).flops * 100_000) / 1e9;
  for (const [B, I, O] of only === 'train' ? [] : [[128, 128, 128], [1024, 128, 128]]) {
    const s = { batch: B, inputs: I, outputs: O };
    const x = fill(core, B * I, 1), w = fill(core, I * O, 2), b = fill(core, O, 3), y = core.f32(B * O);
    const dx = core.f32(B * I), dw = core.f32(I * O), db = core.f32(O), scratch = core.f32(denseScratchFloats(s));
    const flops = 2 * B * I * O;
    r[`forward ${B}x${I}x${O}`] = measure(() => denseForward(core, x, w, b, y, s), flops) / 1e9;
    // backward = dW (x^T dy) + dX (dy W^T): two products of the forward's size
    r[`backward ${B}x${I}x${O}`] = measure(() => denseBackward(core, x, w, y, { dx, dw, db }, scratch, s), 2 * flops) / 1e9;
  }
  // Training steps/s for every objective x parametrization, MLP 2-128-128-128, batch 128
  // (gather + loss + parameter gradient + Adam).
  const data = fill(core, 10000 * 2, 4), batch = core.f32(256);
  for (const [label, objective, conditioning] of TRAINING) {
    for (const kind of ['score', 'energy']) {
      const spec = { kind, conditioning };
      const net = new MlpLayout(core, modelDims(spec, 2, [128, 128, 128]), 'silu');
      const params = core.f32(net.paramCount), grads = core.f32(net.paramCount);
      net.initParams(core.rng(1), params);
      const bound = new BoundObjective(core, objective, spec, net);
      const ws = core.f32(bound.workspaceFloats(128)), adam = new Adam(core, net.paramCount, { lr: 1e-4 }), rng = core.rng(2);
      r[`train ${label} ${kind} steps/s`] = measure(() => {
        gatherRandomRows(core, rng, data, 10000, 2, batch);
        grads.view.fill(0);
        bound.lossGrad(params, batch, 128, rng, grads, ws);
        adam.update(params, grads);
      }, 1, 3);
      for (const b of [params, grads, ws]) b.free();
      adam.free(); bound.free(); net.free();
    }
  }
  results.builds[build] = r;
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const keys = Object.keys(results.builds.simd);
  const rows = keys.map((k) => {
    const simd = results.builds.simd[k], scalar = results.builds.scalar[k];
    const isGflops = !k.startsWith('train');
    const pct = isGflops && k !== 'ceilingGflops' ? ` (${((100 * simd) / results.builds.simd.ceilingGflops).toFixed(0)}% of ceiling)` : '';
    const name = k === 'ceilingGflops' ? 'f32x4 mul+add ceiling' : k;
    return `| ${name.padEnd(42)} | ${(simd.toFixed(isGflops ? 1 : 0) + pct).padEnd(26)} | ${scalar.toFixed(isGflops ? 1 : 0).padEnd(8)} | ${(simd / scalar).toFixed(2)}x |`;
  });
  console.log(`machine: ${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}`);
  console.log('GFLOP/s unless stated (best of 5 rounds of ~0.4 s, builds interleaved in one run)');
  console.log(`| ${'benchmark'.padEnd(42)} | ${'simd'.padEnd(26)} | ${'scalar'.padEnd(8)} | simd/scalar |`);
  console.log(`|${'-'.repeat(44)}|${'-'.repeat(28)}|${'-'.repeat(10)}|-------------|`);
  console.log(rows.join('\n'));
}
