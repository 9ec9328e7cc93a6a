// Same bits for any thread count: a threaded core (1 caller + workers on shared memory) against the
// single-thread build, for every objective x parametrization (training steps with Adam), the samplers'
// steps, the model passes and the divergence, on both builds, at sizes that leave remainders everywhere
// (odd batches, shares of samples and of weight rows that are not multiples of 4, widths not multiples of 4,
// a particle count that is not a whole number of chunks).
import { withConditioning } from './testing/reference.js';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from './core.js';
import { MlpLayout } from './mlp.js';
import { SPLIT_MIN_WORK, SPLIT_TRIAL_PASSES } from './threads.js';
import { Adam } from './adam.js';
import { BoundObjective, type ObjectiveSpec } from './objectives.js';
import {
  modelDims,
  modelDivergenceWorkspaceFloats,
  modelScore,
  modelScoreDivergence,
  modelWorkspaceFloats,
  type ModelSpec,
} from './score-model.js';
import { datasetSample } from './datasets.js';
import { gatherRandomRows } from './batch.js';
import { samplerSteps, type StepRule } from './langevin.js';
import { rngNormal } from './rng-draws.js';
import type { Build } from './wasm/build.js';

const THREADS = [1, 2, 3, 4];
const builds: Build[] = ['simd', 'scalar'];
const cores = new Map<string, Core>();

beforeAll(async () => {
  for (const build of builds) {
    for (const threads of THREADS) {
      const core = await loadCore({ build, threads });
      // Every pass splits, however small (the sizes here are far below SPLIT_MIN_WORK), and never runs alone for the
      // split's trials: those have their own tests below.
      if (core.pool) {
        core.pool.splitMinWork = 0;
        core.pool.adaptive = false;
      }
      cores.set(`${build}/${threads}`, core);
    }
  }
});
afterAll(async () => {
  for (const core of cores.values()) await core.close();
});

const objectiveCases: [ObjectiveSpec, ModelSpec['conditioning']][] = [
  [{ name: 'esm' }, 'none'],
  [{ name: 'ssm', projection: 'rademacher', slices: 2 }, 'none'],
  [{ name: 'ssm-vr', projection: 'gaussian', slices: 1 }, 'none'],
  [{ name: 'dsm', sigma: 0.3 }, 'none'],
  [{ name: 'ncsn', sigmas: [2, 0.5, 0.1] }, 'both'],
  [{ name: 'continuous', sde: 'vp' }, 'both'],
  [{ name: 'continuous', sde: 've' }, 'fourier'],
];

/** The bytes of the parameters after a few Adam steps, and the losses, on `core`. */
function train(core: Core, objective: ObjectiveSpec, given: ModelSpec, batch: number): { params: Uint8Array; losses: number[] } {
  const spec = withConditioning(core, given, 2);
  const net = new MlpLayout(core, modelDims(spec, 2, [13, 9]), 'silu');
  const params = core.f32(net.paramCount);
  net.initParams(core.rng(1), params);
  const data = datasetSample(core, 'gmm3', core.rng(2), 500);
  const x = core.f32(batch * 2),
    grads = core.f32(net.paramCount);
  const bound = new BoundObjective(core, objective, spec, net);
  const ws = core.f32(bound.workspaceFloats(batch));
  const adam = new Adam(core, net.paramCount, { lr: 1e-2 });
  const rng = core.rng(3);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    gatherRandomRows(core, rng, data, 500, 2, x);
    grads.view.fill(0);
    losses.push(bound.lossGrad(params, x, batch, rng, grads, ws));
    adam.update(params, grads);
  }
  return { params: new Uint8Array(params.toArray().buffer), losses };
}

describe.each(builds)('%s build: the bits of one thread on 2, 3 and 4', (build) => {
  const single = () => cores.get(`${build}/1`) as Core;
  it('threaded cores have their threads', () => {
    expect(THREADS.map((t) => cores.get(`${build}/${t}`)?.threads)).toEqual(THREADS);
  });

  // 'fourier' (input features) is for score models only.
  const kinds = (c: ModelSpec['conditioning']) => (c === 'fourier' ? (['score'] as const) : (['score', 'energy'] as const));
  it.each(objectiveCases.flatMap(([o, c]) => kinds(c).map((kind) => [`${o.name} ${kind} (${c})`, o, c, kind] as const)))(
    'training: %s',
    (_name, objective, conditioning, kind) => {
      const spec: ModelSpec = { kind, conditioning };
      // Shares of 8 to 76 samples; 70 and 150 give energy passes of more than one 128-row block of dW.
      for (const batch of [37, 70, 150]) {
        const expected = train(single(), objective, spec, batch);
        for (const t of THREADS.slice(1)) {
          const got = train(cores.get(`${build}/${t}`) as Core, objective, spec, batch);
          expect(got.losses, `${t} threads, batch ${batch}`).toEqual(expected.losses);
          expect(Buffer.from(got.params).equals(Buffer.from(expected.params)), `${t} threads, batch ${batch}: parameters`).toBe(true);
        }
      }
    },
  );

  it('Adam over 10,001 parameters (split in shares of elements)', () => {
    const run = (core: Core) => {
      const n = 10_001;
      const params = core.f32(n),
        grads = core.f32(n);
      rngNormal(core, core.rng(1), params);
      const adam = new Adam(core, n, { lr: 1e-2 });
      for (let step = 0; step < 3; step++) {
        rngNormal(core, core.rng(2 + step), grads);
        adam.update(params, grads);
      }
      return Buffer.from(params.toArray().buffer);
    };
    const expected = run(single());
    for (const t of THREADS.slice(1)) expect(run(cores.get(`${build}/${t}`) as Core).equals(expected), `${t} threads`).toBe(true);
  });

  const rules: [string, StepRule, ModelSpec][] = [
    ['langevin, score', { mode: 'affine', a: 1, b: 0.005, c: 0.1 }, { kind: 'score', conditioning: 'both' }],
    ['langevin (Leimkuhler-Matthews), energy', { mode: 'lm', a: 1, b: 0.005, c: 0.1 }, { kind: 'energy', conditioning: 'none' }],
    ['corrector, energy', { mode: 'corrector', alpha: 1, snr: 0.16 }, { kind: 'energy', conditioning: 'none' }],
    // The mixture's skip term uses each thread's scratch slot.
    ['langevin, score, mixture', { mode: 'affine', a: 1, b: 0.005, c: 0.1 }, { kind: 'score', conditioning: 'mixture' }],
  ];
  it.each(rules)('samplerSteps: %s', (_name, rule, given) => {
    const run = (core: Core) => {
      const spec = withConditioning(core, given, 2);
      const net = new MlpLayout(core, modelDims(spec, 2, [13, 9]), 'silu');
      const params = core.f32(net.paramCount);
      net.initParams(core.rng(1), params);
      const n = 600; // 3 chunks of 256, the last one short
      const x = core.f32(2 * n);
      rngNormal(core, core.rng(2), x);
      const chunk = 256;
      const rng = core.rng(4);
      const work = { ws: core.f32(modelWorkspaceFloats(net, chunk)), score: core.f32(chunk * 2), chunk };
      samplerSteps(core, spec, net, params, x, 4, rule, rng, work);
      // One more step from a score given at x: the threads read it by chunks as they would compute it.
      const s = core.f32(2 * n);
      modelScore(core, spec, net, params, x, n, 1, s, core.f32(modelWorkspaceFloats(net, n)));
      samplerSteps(core, spec, net, params, x, 1, rule, rng, work, { score: s });
      return { x: Buffer.from(x.toArray().buffer), counter: rng.counter };
    };
    const expected = run(single());
    for (const t of THREADS.slice(1)) {
      const got = run(cores.get(`${build}/${t}`) as Core);
      expect(got.counter).toBe(expected.counter);
      expect(got.x.equals(expected.x), `${t} threads`).toBe(true);
    }
  });

  it.each(['score', 'energy'] as const)('modelScore and modelScoreDivergence: %s', (kind) => {
    const spec: ModelSpec = { kind, conditioning: 'none' };
    const run = (core: Core) => {
      const net = new MlpLayout(core, modelDims(spec, 2, [13, 9]), 'tanh');
      const params = core.f32(net.paramCount);
      net.initParams(core.rng(1), params);
      const B = 77;
      const x = core.f32(2 * B);
      rngNormal(core, core.rng(2), x);
      const s = core.f32(2 * B);
      modelScore(core, spec, net, params, x, B, 1, s, core.f32(modelWorkspaceFloats(net, B)));
      const score = core.f32(2 * B),
        divergence = core.f32(B);
      modelScoreDivergence(core, spec, net, params, x, B, 1, { score, divergence }, core.f32(modelDivergenceWorkspaceFloats(spec, net, B)));
      return Buffer.concat([s, score, divergence].map((b) => Buffer.from(b.toArray().buffer)));
    };
    const expected = run(single());
    for (const t of THREADS.slice(1)) expect(run(cores.get(`${build}/${t}`) as Core).equals(expected), `${t} threads`).toBe(true);
  });
});

describe('the thread count chosen by the size of a pass (SPLIT_MIN_WORK)', () => {
  // MLP 2-64-64-2: 2*64 + 64*64 + 64*2 = 4352 multiply-adds a row; a forward pass of B rows is 4352 B, its reverse
  // pass twice that. Below: both under the threshold; above: both over it.
  const dims = [2, 64, 64, 2],
    macsPerRow = 4352;
  const sizes = [
    ['below', Math.floor((0.4 * SPLIT_MIN_WORK) / macsPerRow), 0],
    ['above', Math.ceil((1.2 * SPLIT_MIN_WORK) / macsPerRow), 2],
  ] as const;

  it.each(builds)('%s build: the bits of one thread on both sides of the threshold, split only above it', async (build) => {
    const pass = (core: Core, B: number) => {
      const net = new MlpLayout(core, dims, 'silu');
      const params = core.f32(net.paramCount);
      net.initParams(core.rng(1), params);
      const x = core.f32(2 * B);
      rngNormal(core, core.rng(2), x);
      const out = core.f32(2 * B),
        gout = core.f32(2 * B),
        gp = core.f32(net.paramCount),
        gx = core.f32(2 * B),
        ws = core.f32(net.workspaceFloats(B));
      rngNormal(core, core.rng(3), gout);
      const jobs = core.pool?.jobs ?? 0;
      net.forward(params, x, out, B, ws);
      net.backward(params, x, gout, gp, gx, B, ws);
      const bits = Buffer.concat([out, gp, gx].map((b) => Buffer.from(b.toArray().buffer)));
      for (const b of [params, x, out, gout, gp, gx, ws]) b.free();
      net.free();
      return { bits, jobs: (core.pool?.jobs ?? 0) - jobs };
    };
    const one = await loadCore({ build }),
      two = await loadCore({ build, threads: 2 });
    expect(two.pool?.splitMinWork).toBe(SPLIT_MIN_WORK);
    two.pool!.adaptive = false; // the threshold alone (the trials would run some passes above it alone)
    for (const [side, B, jobs] of sizes) {
      const expected = pass(one, B).bits;
      const got = pass(two, B);
      expect(got.jobs, `${side} (batch ${B}): jobs posted`).toBe(jobs);
      expect(got.bits.equals(expected), `${side} (batch ${B})`).toBe(true);
    }
    await two.close();
  });

  it('refuses a threshold that is not a non-negative 32-bit integer', async () => {
    const core = await loadCore({ threads: 2 });
    expect(() => {
      core.pool!.splitMinWork = -1;
    }).toThrow('splitMinWork must be an integer from 0 to 2^31 - 1, got -1');
    await core.close();
  });
});

describe("the split's trials (adaptive pools: split or alone, chosen by timing)", () => {
  // MLP 2-64-64-2 at batch 256: 1.1 million multiply-adds a forward pass, above SPLIT_MIN_WORK.
  const dims = [2, 64, 64, 2],
    B = 256;
  const forwardPasses = (core: Core, count: number) => {
    const net = new MlpLayout(core, dims, 'silu');
    const params = core.f32(net.paramCount);
    net.initParams(core.rng(1), params);
    const x = core.f32(2 * B),
      out = core.f32(2 * B),
      ws = core.f32(net.workspaceFloats(B));
    const bits: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      rngNormal(core, core.rng(10 + i), x);
      net.forward(params, x, out, B, ws);
      bits.push(Buffer.from(out.toArray().buffer));
    }
    return Buffer.concat(bits);
  };

  it('a new pool warms up with SPLIT_TRIAL_PASSES passes split and as many alone, tries both again, then compares', async () => {
    expect(4352 * B).toBeGreaterThanOrEqual(SPLIT_MIN_WORK);
    const one = await loadCore(),
      two = await loadCore({ threads: 2 });
    expect(two.pool!.adaptive).toBe(true);
    expect(two.pool!.trials).toEqual({ trials: 0, splitWins: 0 });
    const expected = forwardPasses(one, 4 * SPLIT_TRIAL_PASSES);
    expect(forwardPasses(two, 4 * SPLIT_TRIAL_PASSES).equals(expected)).toBe(true);
    expect(two.pool!.jobs).toBe(2 * SPLIT_TRIAL_PASSES);
    expect(two.pool!.trials.trials).toBe(1);
    // New lengths start the trials again, from a split warm-up.
    two.pool!.setTrialLengths(3, 10);
    expect(two.pool!.trialLengths).toEqual({ trialPasses: 3, keepPasses: 10 });
    forwardPasses(two, 6);
    expect(two.pool!.jobs).toBe(2 * SPLIT_TRIAL_PASSES + 3);
    expect(two.pool!.trials.trials).toBe(1);
    forwardPasses(two, 6);
    expect(two.pool!.jobs).toBe(2 * SPLIT_TRIAL_PASSES + 6);
    expect(two.pool!.trials.trials).toBe(2);
    two.pool!.restartTrials();
    forwardPasses(two, 3);
    expect(two.pool!.jobs).toBe(2 * SPLIT_TRIAL_PASSES + 9);
    expect(() => two.pool!.setTrialLengths(0, 10)).toThrow('trialPasses must be an integer from 1 to 2^31 - 1, got 0');
    await two.close();
  });

  it('a kept split is watched: a window of passes 1.5x slower than its trial ends the keep, and the next trial decides', async () => {
    const two = await loadCore({ threads: 2 });
    const pool = two.pool!;
    pool.setTrialLengths(4, 8); // a kept split lasts 16, 32, then 64 passes (8 x 8)
    // A played clock: a split pass takes `splitMs`, a pass alone 2 ms (the trials call it at a pass's start and end).
    let now = 0,
      calls = 0,
      jobsAtStart = 0,
      splitMs = 1;
    pool.clock = () => {
      if (calls++ % 2 === 0) jobsAtStart = pool.jobs;
      else now += pool.jobs > jobsAtStart ? splitMs : 2;
      return now;
    };
    // A warm-up and trials of 4 + 4 passes, the split kept for 16 and then 32 passes: the third trial ends at pass
    // 8 + 8 + 24 + 48.
    forwardPasses(two, 8 + 8 + 24 + 48);
    expect(pool.trials).toEqual({ trials: 3, splitWins: 3 });
    // The machine turns busy: its next window of 4 passes ends the keep of 64, the trial that follows runs alone.
    splitMs = 4;
    forwardPasses(two, 4 + 8);
    expect(pool.trials).toEqual({ trials: 4, splitWins: 3 });
    const jobs = pool.jobs;
    forwardPasses(two, 8); // kept alone: 4 x 4 passes, as after any trial that changed the choice
    expect(pool.jobs).toBe(jobs);
    // A window slower by less than 1.5x does not end a kept split.
    splitMs = 1;
    pool.restartTrials();
    forwardPasses(two, 8 + 8 + 24 + 48);
    expect(pool.trials).toEqual({ trials: 7, splitWins: 6 });
    splitMs = 1.4;
    forwardPasses(two, 60);
    expect(pool.trials.trials).toBe(7);
    await two.close();
  });

  it.each(builds)('%s build: training through trials and kept choices gives the bits of one thread', async (build) => {
    const one = await loadCore({ build }),
      two = await loadCore({ build, threads: 2 });
    two.pool!.setTrialLengths(8, 64);
    const run = (core: Core) => {
      const net = new MlpLayout(core, [2, 64, 64, 1], 'silu');
      const params = core.f32(net.paramCount);
      net.initParams(core.rng(1), params);
      const data = datasetSample(core, 'gmm3', core.rng(2), 1000);
      const x = core.f32(B * 2),
        grads = core.f32(net.paramCount);
      const bound = new BoundObjective(core, { name: 'dsm', sigma: 0.1 }, { kind: 'energy', conditioning: 'none' }, net);
      const ws = core.f32(bound.workspaceFloats(B));
      const adam = new Adam(core, net.paramCount, { lr: 1e-3 });
      const rng = core.rng(3);
      // 4 passes of at least SPLIT_MIN_WORK a step: 30 steps run a warm-up and two trials (8 + 8 passes each) with a
      // kept choice (32) between.
      for (let step = 0; step < 30; step++) {
        gatherRandomRows(core, rng, data, 1000, 2, x);
        grads.view.fill(0);
        bound.lossGrad(params, x, B, rng, grads, ws);
        adam.update(params, grads);
      }
      return Buffer.from(params.toArray().buffer);
    };
    expect(run(two).equals(run(one))).toBe(true);
    expect(two.pool!.trials.trials).toBeGreaterThanOrEqual(2); // 2 or 3: the kept choice lasts 32 or 64 passes
    await two.close();
  });
});

describe('threads option', () => {
  it('rejects a bad thread count in one line', async () => {
    await expect(loadCore({ threads: 0 })).rejects.toThrow("loadCore: threads must be an integer from 1 to 256 or 'auto', got 0");
    await expect(loadCore({ threads: 1.5 })).rejects.toThrow('threads must be an integer');
  });

  it('a failed worker makes the waiting call throw one line, and every call after it', async () => {
    const core = await loadCore({ threads: 2 });
    core.pool!.splitMinWork = 0;
    const spec: ModelSpec = { kind: 'score', conditioning: 'none' };
    // What a worker's JS side does when its instance traps.
    core.exports.poolFail(core.pool!.block.ptr, 1);
    expect(() => train(core, { name: 'dsm', sigma: 0.3 }, spec, 70)).toThrow(
      /^core-math: thread 1 failed; close this core and load another$/,
    );
    expect(() => train(core, { name: 'dsm', sigma: 0.3 }, spec, 70)).toThrow(/thread 1 failed/);
    await core.close();
    expect(train(core, { name: 'dsm', sigma: 0.3 }, spec, 70).losses.every(Number.isFinite)).toBe(true);
  });

  it.each([['--input-type=module'], ['--expose-gc', '--input-type=module'], ['--expose-gc']])(
    'starts its threads in node %s -e',
    (...flags) => {
      // Under --input-type=module the workers' eval'd body runs as an ES module (no `require`); V8 flags such as
      // --expose-gc (the bench's) are inherited, and refused if given to a worker explicitly.
      const script = `(async () => {
  const { loadCore } = await import('${new URL('../dist/index.js', import.meta.url).href}');
  const core = await loadCore({ threads: 2 });
  console.log(JSON.stringify({ threads: core.threads, why: core.threadsUnavailable ?? null }));
  await core.close();
})();`;
      const out = execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual({ threads: 2, why: null });
    },
  );

  it('close() leaves a core that runs on one thread, with the same bits', async () => {
    const core = await loadCore({ threads: 2 });
    const spec: ModelSpec = { kind: 'score', conditioning: 'none' };
    const before = train(core, { name: 'dsm', sigma: 0.3 }, spec, 70);
    await core.close();
    expect(core.threads).toBe(1);
    const after = train(core, { name: 'dsm', sigma: 0.3 }, spec, 70);
    expect(after.losses).toEqual(before.losses);
  });
});
