// `pnpm reproduce`: regenerates docs/results/README.md (and results.json):
//   1. the NCSN toy experiment (Song & Ermon 2019, section 3.2 and Fig. 3) with the paper's settings:
//      annealed vs plain Langevin on 0.2 N((-5,-5), I) + 0.8 N((5,5), I), trained models and the exact score;
//   2. the defaults table: every built-in dataset, every objective, score and energy models, trained and
//      sampled with no tuning option, measured with metrics that see smearing (the fixed-bandwidth MMD in
//      standardised units and the in-mode share), each beside its data-vs-data floor;
//   3. the covariance of a correlated 2-D Gaussian for every objective with its default sampler;
//   4. the measurements behind the defaults (annealed step, sigma_L, EMA, steps, pc corrector, the
//      stationarity check) and the time of the CLI's default path.
// Jobs run in worker threads, one per core. Everything is seeded: a rerun gives the same numbers (times aside).
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const lib = (pkg) => import(join(ROOT, 'packages', pkg, 'dist', 'index.js'));

// NCSN toy: the paper's setup in data units (no standardisation).
const NCSN = {
  levels: ['geometric', 20, 1, 10],
  particles: 1280,
  box: [-8, 8],
  steps: 100,
  eps: 0.1,
  plainSteps: 1000,
  train: { hidden: [128, 128], steps: 5000, batch: 512, lr: 1e-3, lrDecay: 'cosine', standardize: false },
};
const DATASETS = [
  'gmm3',
  '8gaussians',
  '25gaussians',
  'ncsn-mix',
  'checkerboard',
  '2spirals',
  'moons',
  'circles',
  'rings',
  'swissroll',
  'pinwheel',
];
const MIXTURES = ['gmm3', '8gaussians', '25gaussians', 'ncsn-mix'];
const LOSSES = ['esm', 'ssm-vr', 'dsm', 'ncsn', 'continuous'];
const KINDS = ['score', 'energy'];
const DEFAULTS = {
  train: 15_000,
  hidden: '64-64-64',
  batch: 256,
  conditioning: 'fourier',
  samples: 2000,
  seeds: [0],
  target: { factor: 2, slack: 0.002 },
};
// Sampling draws per trained model (and data-vs-data pairs per floor): one MMD² of 2000 samples moves by about 0.002 between
// draws on 8gaussians, as large as the target's slack; the cells report the mean over the draws and its standard error.
const DRAWS = 5;
/**
 * The seed of draw k of a stream whose first draw is `base + seed`: draw 0 keeps the seeds of the one-draw tables (sampling
 * 100 + seed, reference 5000 + seed, floor twin 6000 + seed); later draws take 1000 × (base + seed) + k, apart from every other
 * seed of this script.
 */
const drawSeed = (base, seed, k) => (k === 0 ? base + seed : 1000 * (base + seed) + k);
// Samples for the covariance: at 2000 the estimate's own noise is about 3.4% (‖Ĉ − C‖_F / ‖C‖_F of true draws).
const COV_SAMPLES = 10_000;
// The correlated Gaussian: sds 2 and 0.5, correlation 0.8 (the issue's example), 10000 points.
const GAUSS = { mean: [3, -2], sd: [2, 0.5], rho: 0.8, points: 10_000 };
const SEEDS = [0, 1, 2];
// The MNIST row (issue 13): `scorefield train --data mnist --loss ncsn` with no other option, 500 samples with the defaults
// (seed 1), measured as `scorefield eval` measures image models, a grid of the first 64; and scripts/mnist_torch.py's PyTorch
// run of the same model file (its own training of the same architecture, objective, steps and batch; annealed Langevin with
// the ladder, step size and steps per level `sample` used), measured the same way.
const MNIST = { samples: 500, seed: 1, picture: 'mnist.png', torchPicture: 'mnist-torch.png', python: '/usr/bin/python3' };
// REPRODUCE_MNIST_QUICK=1: a smoke test of the job only (200 training steps, 40 samples, 3 steps per level); its record says
// quick and its pictures stay in the temporary directory. Never in the committed results.
const MNIST_QUICK = process.env.REPRODUCE_MNIST_QUICK === '1';

/** Fraction of 2-D points in the (5, 5) mode (closer to (5, 5) than to (-5, -5)). */
function upperMode(x) {
  let k = 0;
  for (let i = 0; i < x.length; i += 2) if (x[i] + x[i + 1] > 0) k++;
  return k / (x.length / 2);
}

/** md.sample, with `denoiseStep` (a variant's final denoising step, e.g. Tweedie's 1) set for this run only. */
function sampleWith(md, model, { denoiseStep, ...options }) {
  const given = md.denoiseDefaults.step;
  md.denoiseDefaults.step = denoiseStep ?? given;
  try {
    return md.sample(model, options);
  } finally {
    md.denoiseDefaults.step = given;
  }
}

async function runJob(job) {
  const cm = await lib('core-math');
  const md = await lib('models');
  const mt = await lib('metrics');
  const core = await cm.loadCore();
  const draw = (name, seed, n) => {
    const b = cm.datasetSample(core, name, core.rng(seed), n);
    const data = b.toArray();
    b.free();
    return { data, rows: n, cols: 2 };
  };
  const gauss = (seed, n) => {
    const b = core.f32(2 * n);
    cm.rngNormal(core, core.rng(seed), b, 0, 1);
    const z = b.toArray();
    b.free();
    const { mean, sd, rho } = GAUSS;
    const data = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      data[2 * i] = mean[0] + sd[0] * z[2 * i];
      data[2 * i + 1] = mean[1] + sd[1] * (rho * z[2 * i] + Math.sqrt(1 - rho * rho) * z[2 * i + 1]);
    }
    return { data, rows: n, cols: 2 };
  };
  // ||C_hat - C||_F / ||C||_F in the Gaussian's standardised units.
  const covError = (x) => {
    const n = x.length / 2,
      m = [0, 0],
      c = [0, 0, 0];
    for (let i = 0; i < n; i++) for (const k of [0, 1]) m[k] += x[2 * i + k] / n;
    for (let i = 0; i < n; i++) {
      const a = (x[2 * i] - m[0]) / GAUSS.sd[0],
        b = (x[2 * i + 1] - m[1]) / GAUSS.sd[1];
      c[0] += (a * a) / n;
      c[1] += (a * b) / n;
      c[2] += (b * b) / n;
    }
    const r = GAUSS.rho;
    return Math.sqrt((c[0] - 1) ** 2 + 2 * (c[1] - r) ** 2 + (c[2] - 1) ** 2) / Math.sqrt(2 + 2 * r * r);
  };
  const modes = (name) => cm.datasetComponents(core, name);
  // The model's score error at each of its levels against the exact score of the mixture blurred by that level:
  // E|s - s*|^2 / E|s*|^2 over 2000 data points + sigma z (data units; the mixtures' two stds are equal).
  const levelError = (model, dataset) => {
    const unit = Math.sqrt(model.normalization.std[0] * model.normalization.std[1]);
    const x0 = draw(dataset, 999, 2000).data;
    const z = core.f32(4000);
    cm.rngNormal(core, core.rng(998), z, 0, 1);
    const zv = z.toArray();
    z.free();
    return md.modelSigmas(model).map((sigma) => {
      const x = Float32Array.from(x0, (v, i) => v + sigma * unit * zv[i]);
      const s = model.score({ data: x, rows: 2000, cols: 2 }, sigma);
      const xb = core.f32(4000, x),
        sb = core.f32(4000);
      cm.datasetLogDensityScore(core, dataset, xb, { score: sb }, sigma * unit);
      const exact = sb.toArray();
      xb.free();
      sb.free();
      let num = 0,
        den = 0;
      for (let i = 0; i < 4000; i++) {
        num += (s[i] - exact[i]) ** 2;
        den += exact[i] ** 2;
      }
      return { sigma, relative: num / den };
    });
  };
  const t0 = performance.now();
  const seconds = (from = t0) => (performance.now() - from) / 1000;
  // The held-out data of draw k (cells of training seed `seed` and the floor's pair k): DEFAULTS.samples fresh points.
  const reference = (dataset, seed, k) => draw(dataset, drawSeed(5000, seed, k), DEFAULTS.samples);
  /**
   * Samples `model` `draws` times (sampling seeds drawSeed(100, seed, k)) and measures each draw with `measure(samples, k)`:
   * the means of the measures (their standard errors in `se`), the sampling seconds per draw, and every draw kept in `draws`.
   */
  const sampleDraws = (model, seed, options, measure, { draws = DRAWS } = {}) => {
    const each = [];
    let r;
    for (let k = 0; k < draws; k++) {
      const t1 = performance.now();
      r = sampleWith(md, model, { ...options, seed: drawSeed(100, seed, k) });
      const m = measure(r.samples, k);
      each.push({
        seed: drawSeed(100, seed, k),
        ...m,
        stein: r.stationarity.residual,
        settled: r.stationarity.settled,
        sampleSeconds: seconds(t1),
      });
    }
    const settings = Object.entries(r.settings).map(([k, v]) => [
      k,
      Array.isArray(v) ? `${v.length} levels ${v[0].toPrecision(3)} → ${v.at(-1).toPrecision(3)}` : v,
    ]);
    // Settled only if every draw settled.
    return {
      sampler: r.sampler,
      ...summarize(each),
      settled: each.every((d) => d.settled),
      settings: Object.fromEntries(settings),
      draws: each,
    };
  };
  const train = (data, options) => {
    const t = new md.Trainer(core, data, options);
    t.run(t.options.steps);
    t.free();
    return t;
  };

  if (job.kind === 'ncsn-toy') {
    const sigmas = cm.sigmaSchedule(...NCSN.levels);
    const source =
      job.model === 'exact'
        ? new md.ExactScore(core, 'ncsn-mix')
        : train(draw('ncsn-mix', 1000 + job.seed, 10000), {
            ...NCSN.train,
            loss: { name: 'ncsn', sigmas },
            kind: job.model,
            seed: job.seed,
          }).model;
    const init = { uniform: NCSN.box };
    const common = { n: NCSN.particles, init, seed: job.seed, stepSize: NCSN.eps, denoise: false };
    const annealed = upperMode(md.sample(source, { ...common, sampler: 'annealed', sigmas, steps: NCSN.steps }).samples);
    const plain = upperMode(
      md.sample(source, { ...common, sampler: 'langevin', scheme: 'euler', sigma: 1, steps: NCSN.plainSteps }).samples,
    );
    return { ...job, annealed, plain, seconds: seconds() };
  }
  if (job.kind === 'floor') {
    // DRAWS pairs of independent data draws; the first of each pair is the reference the cells' draw k is measured against.
    const comps = MIXTURES.includes(job.dataset) ? { components: modes(job.dataset) } : {};
    const draws = Array.from({ length: DRAWS }, (_, k) => {
      const twin = draw(job.dataset, drawSeed(6000, job.seed, k), DEFAULTS.samples);
      const m = mt.smearingMetrics(twin, reference(job.dataset, job.seed, k), twin, comps);
      return { mmd: m.mmd2.value, inMode: m.inModeShare?.value };
    });
    return { ...job, ...summarize(draws), draws, seconds: seconds() };
  }
  if (job.kind === 'defaults') {
    // Train and sample with no tuning option (the seed aside), as `scorefield train --data <name> --loss <loss> --model <kind>`.
    const data = draw(job.dataset, job.seed, 10_000);
    const { sigmaMinFactor, ...trainOptions } = job.train ?? {};
    let loss = { name: job.loss };
    if (sigmaMinFactor !== undefined) {
      // The ladder with sigma_L = sigmaMinFactor x the nearest-neighbour distance instead of the default factor.
      const scales = md.dataScales({ data: md.normalize(md.fitNormalization(data), data.data), rows: data.rows, cols: 2 });
      const ladder = md.noiseLadder({ ...scales, nearestNeighbour: (scales.nearestNeighbour * sigmaMinFactor) / md.SIGMA_MIN_FACTOR }, 2);
      loss = { name: job.loss, sigmas: md.ladderSigmas(ladder) };
    }
    const t = train(data, { loss, kind: job.model, seed: job.seed, dataName: job.dataset, ...trainOptions });
    const trainSeconds = seconds();
    const comps = MIXTURES.includes(job.dataset) ? { components: modes(job.dataset) } : {};
    const out = { ...job, trainSeconds, levels: t.ladder, variants: {} };
    for (const [name, options] of Object.entries({ default: {}, ...(job.variants ?? {}) }))
      out.variants[name] = sampleDraws(t.model, job.seed, { n: DEFAULTS.samples, ...options }, (samples, k) => {
        const x = { data: samples, rows: DEFAULTS.samples, cols: 2 };
        const m = mt.smearingMetrics(x, reference(job.dataset, job.seed, k), x, comps);
        return { mmd: m.mmd2.value, inMode: m.inModeShare?.value, ...(job.dataset === 'ncsn-mix' && { heavy: upperMode(samples) }) };
      });
    if (MIXTURES.includes(job.dataset) && (job.loss === 'ncsn' || job.loss === 'continuous'))
      out.levelError = levelError(t.model, job.dataset);
    t.model.free();
    return out;
  }
  if (job.kind === 'covariance') {
    const t = train(gauss(job.seed + 1, GAUSS.points), { loss: { name: job.loss }, kind: job.model, seed: job.seed });
    const out = { ...job, variants: {} };
    const variants = { default: {}, ...(job.variants ?? {}) };
    if (md.defaultSampler(t.model) === 'langevin' && md.samplerSettings(t.model, 'langevin', {}).stepFrom === 'model') {
      // The previous default: the same step and steps, without the final annealing and denoising step.
      const { steps, stepSize } = md.samplerSettings(t.model, 'langevin', {});
      variants['no final annealing or denoising'] = { steps, stepSize, denoise: false };
    }
    // The default sampler over DRAWS draws; the other samplers, context for it, one draw each.
    for (const [name, options] of Object.entries(variants))
      out.variants[name] = sampleDraws(t.model, job.seed, { n: COV_SAMPLES, ...options }, (samples) => ({ covError: covError(samples) }), {
        draws: name === 'default' ? DRAWS : 1,
      });
    t.model.free();
    return { ...out, seconds: seconds() };
  }
  if (job.kind === 'covariance-floor') {
    // The estimator's own error: COV_SAMPLES true draws of the Gaussian, five times.
    const errors = [11, 12, 13, 14, 15].map((seed) => covError(gauss(seed, COV_SAMPLES).data));
    return { ...job, errors, seconds: seconds() };
  }
  if (job.kind === 'exact-annealed') {
    // The sampler alone: annealed Langevin on the exact score over the data-driven ladder (data units),
    // with technique 4's eps (a point mode, one level) or the default (modes of every width).
    const data = draw(job.dataset, 11, 5000);
    const sigmas = md.ladderSigmas(md.noiseLadder(md.dataScales(data), 2));
    const sL = sigmas.at(-1),
      T = 100,
      gamma = sigmas[0] / sigmas[1];
    let a4 = 1e-4;
    const t4 = (a) => (1 - a / 2) ** (2 * T) * (gamma ** 2 - 1 / (1 - a / 4)) + 1 / (1 - a / 4);
    for (let a = 1e-4; a < 2; a *= 1.01) if (t4(a) < t4(a4)) a4 = a;
    const stepSize = job.rule === 'technique4' ? a4 * sL * sL : undefined;
    const r = md.sample(new md.ExactScore(core, job.dataset), { n: 4000, sampler: 'annealed', sigmas, seed: 3, stepSize, denoise: false });
    // Variance within the modes (points within 4 std of their nearest centre) over the target's v + sigma_L^2.
    const comps = modes(job.dataset);
    let sum = 0,
      target = 0;
    for (let i = 0; i < 4000; i++) {
      const x = r.samples[2 * i],
        y = r.samples[2 * i + 1];
      const c = comps.reduce((b, q) => (Math.hypot(x - q.mean[0], y - q.mean[1]) < Math.hypot(x - b.mean[0], y - b.mean[1]) ? q : b));
      if (Math.hypot(x - c.mean[0], y - c.mean[1]) < 4 * Math.hypot(c.std, sL)) {
        sum += ((x - c.mean[0]) ** 2 + (y - c.mean[1]) ** 2) / 2;
        target += c.std ** 2 + sL ** 2;
      }
    }
    return { ...job, a: r.settings.stepSize / sL ** 2, a4, varianceRatio: sum / target, levels: sigmas.length, seconds: seconds() };
  }
  if (job.kind === 'exact-default') {
    // The default samplers alone on the exact score of the data blurred by each level (data units; the mixtures'
    // standardisation is near 1): annealed over the ladder the trainer chooses, and pc over the VE SDE between its ends.
    // A miss here is the sampler's or the ladder's; a miss of a trained model that this meets is the model's.
    const data = draw(job.dataset, job.seed, 10_000);
    const norm = md.fitNormalization(data);
    const ladder = md.noiseLadder(md.dataScales({ data: md.normalize(norm, data.data), rows: data.rows, cols: 2 }), 2);
    const unit = Math.sqrt(norm.std[0] * norm.std[1]);
    const sigmas = md.ladderSigmas(ladder).map((s) => s * unit);
    const options =
      job.sampler === 'annealed'
        ? { sampler: 'annealed', sigmas }
        : { sampler: 'pc', sde: cm.sdeOf({ name: 'continuous', sde: 've', sigmaMax: sigmas[0], sigmaMin: sigmas.at(-1) }) };
    const r = md.sample(new md.ExactScore(core, job.dataset), { n: DEFAULTS.samples, seed: 100 + job.seed, ...options });
    const ref = draw(job.dataset, 5000 + job.seed, DEFAULTS.samples);
    const m = mt.smearingMetrics({ data: r.samples, rows: DEFAULTS.samples, cols: 2 }, ref, ref, { components: modes(job.dataset) });
    return {
      ...job,
      levels: sigmas.length,
      sigmaMin: sigmas.at(-1),
      mmd: m.mmd2.value,
      inMode: m.inModeShare.value,
      ...(job.dataset === 'ncsn-mix' && { heavy: upperMode(r.samples) }),
      seconds: seconds(),
    };
  }
  if (job.kind === 'exact-ratio') {
    // The sampler alone with the ratio between levels set: the default step for that ladder, T = 100.
    const data = draw(job.dataset, 11, 5000);
    const l = md.noiseLadder(md.dataScales(data), 2);
    const levels = 1 + Math.ceil(Math.log(l.sigmaMax / l.sigmaMin) / Math.log(job.ratio) - 1e-9);
    const sigmas = cm.sigmaSchedule('geometric', l.sigmaMax, l.sigmaMin, levels);
    const r = md.sample(new md.ExactScore(core, job.dataset), { n: 4000, sampler: 'annealed', sigmas, seed: 3 });
    const ref = draw(job.dataset, 5000, 4000);
    const m = mt.smearingMetrics({ data: r.samples, rows: 4000, cols: 2 }, ref, ref, { components: modes(job.dataset) });
    return {
      ...job,
      levels,
      steps: levels * 100,
      mmd: m.mmd2.value,
      inMode: m.inModeShare.value,
      inModeData: m.inModeShare.floor,
      ...(job.dataset === 'ncsn-mix' && { heavy: upperMode(r.samples) }),
      seconds: seconds(),
    };
  }
  if (job.kind === 'ema') {
    // dsm (sigma 0.1) on gmm3, trained without averaging; the averages are kept alongside in f64 from the
    // same trajectory: the last weights, the default (warm-up), and a plain m = 0.999 started at the initial weights.
    const data = draw('gmm3', 0, 10_000),
      held = draw('gmm3', 77, 2000);
    // At a constant rate (dsm's linear-tail default would decay it): the averages alone are compared.
    const t = new md.Trainer(core, data, { loss: { name: 'dsm', sigma: 0.1 }, seed: 0, steps: job.steps, ema: 0, lrDecay: 'none' });
    const P = t.params.length;
    const rules = { 'warm-up (default)': (s) => md.averageDecay(0.999, s), 'plain 0.999': () => 0.999 };
    const avg = Object.fromEntries(Object.keys(rules).map((k) => [k, Float64Array.from(t.params.view)]));
    t.run(job.steps, (step) => {
      const w = t.params.view;
      for (const [k, rule] of Object.entries(rules)) {
        const m = rule(step - 1),
          a = avg[k];
        for (let i = 0; i < P; i++) a[i] = m * a[i] + (1 - m) * w[i];
      }
    });
    const std = t.model.normalization.std;
    const x = core.f32(held.data.length, held.data),
      truth = core.f32(held.data.length);
    // The exact score of the data blurred by sigma 0.1 in standardised units (per-coordinate stds nearly equal: their geometric mean).
    cm.datasetLogDensityScore(core, 'gmm3', x, { score: truth }, 0.1 * Math.sqrt(std[0] * std[1]));
    const fisher = (weights) => {
      t.model.params.set(Float32Array.from(weights));
      return mt.fisherDivergence(t.model.score(held), truth.view, 2).overall;
    };
    const out = { ...job, fisher: { 'last weights': fisher(t.params.view) } };
    for (const k of Object.keys(rules)) out.fisher[k] = fisher(avg[k]);
    x.free();
    truth.free();
    t.free();
    t.model.free();
    return { ...out, seconds: seconds() };
  }
  if (job.kind === 'mnist') return mnistJob(job);

  if (job.kind === 'stationarity') {
    // esm on the correlated Gaussian, sampled with the fixed Langevin step of earlier versions (not
    // converged) and with the default: the change of the moments over the last 10% of steps vs Stein.
    const data = gauss(1, GAUSS.points);
    const t = train(data, { loss: { name: 'esm' }, seed: 0 });
    const norm = t.model.normalization;
    const out = { ...job, runs: [] };
    for (const options of [{ stepSize: 1e-3, steps: 1000, scheme: 'euler' }, {}]) {
      const steps = md.samplerSettings(t.model, 'langevin', options).steps;
      const r = md.sample(t.model, { n: DEFAULTS.samples, seed: 7, sampler: 'langevin', ...options, recordEvery: Math.round(steps / 10) });
      const before = md.normalize(norm, r.trajectory.at(-2)),
        after = md.normalize(norm, r.samples);
      // Paired z-scores of the change of the first and second moments per coordinate.
      let z = 0;
      for (let j = 0; j < 2; j++)
        for (const power of [1, 2]) {
          const diff = Array.from({ length: DEFAULTS.samples }, (_, i) => after[2 * i + j] ** power - before[2 * i + j] ** power);
          const mean = diff.reduce((a, b) => a + b, 0) / diff.length;
          const se = Math.sqrt(diff.reduce((a, b) => a + (b - mean) ** 2, 0) / diff.length / diff.length);
          z = Math.max(z, Math.abs(mean / se));
        }
      out.runs.push({
        options,
        covError: covError(r.samples),
        momentZ: z,
        stein: r.stationarity.residual,
        steinSe: r.stationarity.standardError,
        settled: r.stationarity.settled,
      });
    }
    t.model.free();
    return { ...out, seconds: seconds() };
  }
  throw new Error(`unknown job ${job.kind}`);
}

/** Runs `command args` in the repository root; resolves with its stdout, rejects with its last stderr line on a non-zero exit. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [],
      err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(err).toString().trim();
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`${[command, ...args].join(' ')}: exit ${code}: ${text.split('\n').at(-1)}`));
    });
  });
}
const cliJson = async (...args) =>
  JSON.parse(await run(process.execPath, [join(ROOT, 'apps/cli/bin/scorefield.js'), ...args, '--json', '--quiet']));

/** The MNIST job (see MNIST): every step through the built CLI, so the row measures exactly what a user runs. */
async function mnistJob(job) {
  const { parseNpy } = await lib('formats');
  const dir = mkdtempSync(join(tmpdir(), 'sf-mnist-'));
  const pictures = MNIST_QUICK ? dir : join(ROOT, 'docs', 'results');
  const model = join(dir, 'mnist.safetensors');
  const quick = (args) => (MNIST_QUICK ? args : []);
  const timed = async (f) => {
    const t0 = performance.now();
    const r = await f();
    return { r, seconds: (performance.now() - t0) / 1000, load: loadavg()[0] };
  };
  // What `eval` reports on image models, and the chains whose largest |pixel| ends past 2 and 10 pixel units (runaways).
  const measure = async (samples) => {
    const e = await cliJson('eval', '--model', model, '--samples', samples);
    const x = parseNpy(new Uint8Array(readFileSync(samples)));
    const largest = Array.from({ length: x.rows }, (_, i) => {
      let m = 0;
      for (let j = i * x.cols; j < (i + 1) * x.cols; j++) m = Math.max(m, Math.abs(x.data[j]));
      return m;
    });
    const c = e.classCoverage;
    return {
      kid: e.kid,
      classShares: c.fractions,
      smallestClass: { digit: c.fractions.indexOf(c.minFraction), share: c.minFraction },
      meanTopProbability: c.meanTopProbability,
      heldOutMeanTopProbability: c.heldOutMeanTopProbability,
      topProbabilityRatio: c.topProbabilityRatio,
      memorisation: e.memorisation.ratio,
      past2: largest.filter((v) => v > 2).length,
      past10: largest.filter((v) => v > 10).length,
      largestPixel: Math.max(...largest),
    };
  };
  try {
    const train = await timed(() => cliJson('train', '--data', 'mnist', '--loss', 'ncsn', ...quick(['--steps', '200']), '--out', model));
    const n = MNIST_QUICK ? 40 : MNIST.samples;
    const samples = join(dir, 'samples.npy');
    // One thread: the same bits as any thread count (README, "Samplers and threads"), and the PyTorch run below has the other core.
    const sampleArgs = ['--model', model, '--n', String(n), '--seed', String(MNIST.seed), '--threads', '1', ...quick(['--steps', '3'])];
    let hasTorch = true;
    try {
      await run(MNIST.python, ['-c', 'import torch']);
    } catch {
      hasTorch = false;
    }
    const torchSamples = join(dir, 'torch.npy');
    // The PyTorch run starts with ours (its training then its sampling beside our sampling, one thread each).
    const torchRun = (settings) =>
      timed(() =>
        run(MNIST.python, [
          join(ROOT, 'scripts/mnist_torch.py'),
          ...['--model', model, '--step-size', String(settings.stepSize), '--steps-per-level', String(settings.steps)],
          ...['--n', String(n), '--seed', String(MNIST.seed), '--threads', '1', '--out', torchSamples],
        ]),
      );
    // The sampler's settings (step size, steps per level), from one chain's run; then the PyTorch run with them.
    const one = ['--n', '1', ...quick(['--steps', '3']), '--out', join(dir, 'one.npy')];
    const settings = (await cliJson('sample', ...sampleArgs.slice(0, 2), ...one)).settings;
    const torch = hasTorch ? torchRun(settings) : undefined;
    torch?.catch(() => {});
    const sample = await timed(() => cliJson('sample', ...sampleArgs, '--out', samples));
    const ours = await measure(samples);
    await cliJson('plot', '--kind', 'grid', '--model', model, '--samples', samples, '--out', join(pictures, MNIST.picture));
    const out = {
      ...job,
      ...(MNIST_QUICK && { quick: true }),
      train: {
        steps: train.r.steps,
        stepsPerSecond: train.r.stepsPerSecond,
        trainSeconds: train.r.seconds,
        wallSeconds: train.seconds,
        load: train.load,
        hidden: train.r.hidden,
        conditioning: train.r.conditioning,
        levels: train.r.noiseLevels.levels,
      },
      sample: {
        n,
        seed: MNIST.seed,
        threads: 1,
        stepSize: settings.stepSize,
        stepsPerLevel: settings.steps,
        evaluations: sample.r.evaluations,
        wallSeconds: sample.seconds,
        load: sample.load,
      },
      ours: { ...ours, picture: MNIST.picture },
    };
    if (!hasTorch) {
      out.torch = { missing: `${MNIST.python} cannot import torch` };
      return out;
    }
    let t;
    try {
      t = await torch;
    } catch (e) {
      // Our row stands without it; the PyTorch row names the failure.
      out.torch = { missing: `scripts/mnist_torch.py failed: ${String(e?.message ?? e).slice(-300)}` };
      return out;
    }
    const summary = JSON.parse(t.r.trim().split('\n').at(-1));
    await cliJson('plot', '--kind', 'grid', '--model', model, '--samples', torchSamples, '--out', join(pictures, MNIST.torchPicture));
    out.torch = {
      version: summary.torch,
      steps: summary.steps,
      stepsPerSecond: summary.stepsPerSecond,
      trainSeconds: summary.trainSeconds,
      sampleSeconds: summary.sampleSeconds,
      wallSeconds: t.seconds,
      load: t.load,
      threads: 1,
      ...(await measure(torchSamples)),
      picture: MNIST.torchPicture,
    };
    return out;
  } finally {
    if (!MNIST_QUICK) rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall-clock time of the CLI's default path on 8gaussians: `train --data 8gaussians` then `sample` (1000 points). */
function cliTiming() {
  const dir = mkdtempSync(join(tmpdir(), 'sf-reproduce-'));
  const cli = (...args) =>
    execFileSync(process.execPath, [join(ROOT, 'apps/cli/bin/scorefield.js'), ...args, '--quiet'], { stdio: 'ignore' });
  const runs = {};
  for (const [name, loss] of [
    ['continuous score (the default)', []],
    ['ncsn score', ['--loss', 'ncsn']],
    ['dsm score', ['--loss', 'dsm']],
  ]) {
    const t0 = performance.now();
    cli('train', '--data', '8gaussians', ...loss, '--out', join(dir, 'm.safetensors'));
    const t1 = performance.now();
    cli('sample', '--model', join(dir, 'm.safetensors'), '--out', join(dir, 's.csv'));
    const t2 = performance.now();
    // The one-minute load average after the run: the machine is shared, and the time means little without it.
    runs[name] = { train: (t1 - t0) / 1000, sample: (t2 - t1) / 1000, total: (t2 - t0) / 1000, load: loadavg()[0] };
  }
  rmSync(dir, { recursive: true, force: true });
  return runs;
}

function jobs() {
  // The longest job first (runAll feeds the jobs in this order).
  const list = [{ kind: 'mnist' }];
  for (const model of ['score', 'energy', 'exact']) for (const seed of SEEDS) list.push({ kind: 'ncsn-toy', model, seed });
  for (const dataset of DATASETS) for (const seed of DEFAULTS.seeds) list.push({ kind: 'floor', dataset, seed });
  for (const dataset of DATASETS)
    for (const loss of LOSSES)
      for (const model of KINDS) {
        const variants =
          loss === 'continuous' && model === 'score'
            ? { 'pc + SNR corrector': { correctorSteps: 1, snr: 0.16 }, ode: { sampler: 'ode' } }
            : loss === 'ncsn' && model === 'score'
              ? { 'no denoising': { denoise: false }, 'Tweedie step': { denoiseStep: 1 } }
              : undefined;
        // Three seeds where the targets are (ncsn and continuous score models), one elsewhere.
        const seeds = (loss === 'ncsn' || loss === 'continuous') && model === 'score' ? DEFAULTS.seeds : [0];
        // --no-variants: the default sampler of each cell only (a quicker rerun; the tables of other samplers are then left out).
        const withVariants = variants && !process.argv.includes('--no-variants');
        for (const seed of seeds)
          list.push({ kind: 'defaults', dataset, loss, model, seed, ...(seed === 0 && withVariants && { variants }) });
      }
  for (const loss of LOSSES)
    for (const model of KINDS) {
      const variants =
        loss === 'continuous'
          ? { 'pc + SNR corrector': { correctorSteps: 1, snr: 0.16 }, ode: { sampler: 'ode' } }
          : loss === 'ncsn'
            ? { 'Tweedie step': { denoiseStep: 1 } }
            : loss === 'dsm'
              ? { 'fixed Langevin 1e-3 x 1000': { stepSize: 1e-3, steps: 1000, scheme: 'euler' }, 'Tweedie step': { denoiseStep: 1 } }
              : { 'fixed Langevin 1e-3 x 1000': { stepSize: 1e-3, steps: 1000, scheme: 'euler' } };
      list.push({ kind: 'covariance', loss, model, seed: 0, variants });
    }
  list.push({ kind: 'covariance-floor' });
  // Ablations of the defaults on ncsn score models (seed 0): the batch and the conditioning of the previous
  // defaults (128; 'both', the embedding and the 1/sigma output without preconditioning), and no EMA.
  list.push({
    kind: 'defaults',
    dataset: '25gaussians',
    loss: 'ncsn',
    model: 'score',
    seed: 0,
    ablation: 'batch 128',
    train: { batch: 128 },
  });
  list.push({
    kind: 'defaults',
    dataset: 'circles',
    loss: 'ncsn',
    model: 'score',
    seed: 0,
    ablation: "conditioning 'both'",
    train: { conditioning: 'both' },
  });
  for (const dataset of MIXTURES) for (const rule of ['technique4', 'default']) list.push({ kind: 'exact-annealed', dataset, rule });
  for (const dataset of ['gmm3', '8gaussians', 'ncsn-mix'])
    for (const ratio of [1.2, 1.5, 2, 3]) list.push({ kind: 'exact-ratio', dataset, ratio });
  for (const dataset of MIXTURES)
    for (const sampler of ['annealed', 'pc'])
      for (const seed of DEFAULTS.seeds) list.push({ kind: 'exact-default', dataset, sampler, seed });
  list.push({ kind: 'stationarity' });
  for (const steps of [200, 1000, 3000]) list.push({ kind: 'ema', steps });
  return list;
}

async function main() {
  const out = join(ROOT, 'docs', 'results');
  if (process.argv.includes('--tables-only')) {
    // Rewrites the Markdown from the last results.json (after a change to the tables, without rerunning).
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    writeAtomic(join(out, 'README.md'), markdown(report));
    console.log(markdown(report));
    return;
  }
  const all = jobs();
  // --only=<term>,<term>..: rerun the jobs any term matches and merge them into the last results.json. A term
  // is a kind, dataset, loss, model kind or timing, or several joined by ':' that must all match (ncsn:score).
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const terms = only?.split(',').map((t) => t.split(':')) ?? [];
  const is = (j, w) =>
    j.kind === w || j.dataset === w || j.loss === w || j.model === w || (w === 'covariance' && j.kind === 'covariance-floor');
  const matches = (j) => terms.some((t) => t.every((w) => is(j, w)));
  const todo = only ? all.filter(matches) : all;
  const previous = only ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
  const t0 = performance.now();
  // The CLI's default path, timed before the workers start.
  const timing = !only || terms.some((t) => t.length === 1 && t[0] === 'timing') ? cliTiming() : previous.timing;
  const fresh = await runAll(todo);
  const results = previous ? [...previous.results.filter((x) => !matches(x)), ...fresh] : fresh;
  const failed = results.filter((x) => x.error);
  if (failed.length) console.error(`${failed.length} jobs failed: ${failed.map((x) => `${JSON.stringify(x)}`).join('\n')}`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    seconds: (previous?.seconds ?? 0) + (performance.now() - t0) / 1000,
    ncsn: NCSN,
    defaults: { datasets: DATASETS, losses: LOSSES, kinds: KINDS, ...DEFAULTS, draws: DRAWS, gauss: GAUSS },
    timing,
    // Hand-written notes (what was rerun, under which load; figures added by hand), kept across --only runs and rendered
    // where they belong: edit them in results.json, then --tables-only.
    ...(previous?.notes && { notes: previous.notes }),
    results,
  };
  mkdirSync(out, { recursive: true });
  writeAtomic(join(out, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeAtomic(join(out, 'README.md'), markdown(report));
  console.log(markdown(report));
}

/** Runs jobs in worker threads, one per core, longest kinds first. */
async function runAll(todo) {
  const threads = Math.min(availableParallelism(), todo.length);
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(fileURLToPath(import.meta.url));
          const feed = () => {
            if (next >= todo.length) {
              worker.terminate();
              resolve();
              return;
            }
            worker.postMessage(todo[next++]);
          };
          worker.on('message', (r) => {
            results.push(r);
            process.stderr.write(`[${results.length}/${todo.length}] ${JSON.stringify(r).slice(0, 300)}\n`);
            feed();
          });
          worker.on('error', reject);
          feed();
        }),
    ),
  );
  return results;
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / Math.max(1, v.length - 1));
/** The mean of every numeric field of `draws` (records of one kind), and in `se` their standard errors (with two draws or more). */
function summarize(draws) {
  const keys = Object.keys(draws[0]).filter((k) => typeof draws[0][k] === 'number' && k !== 'seed');
  const out = Object.fromEntries(keys.map((k) => [k, mean(draws.map((d) => d[k]))]));
  if (draws.length > 1) out.se = Object.fromEntries(keys.map((k) => [k, sd(draws.map((d) => d[k])) / Math.sqrt(draws.length)]));
  return out;
}
const fmt = (v, digits = 3) => (v.length > 1 ? `${mean(v).toFixed(digits)} ± ${sd(v).toFixed(digits)}` : v[0].toFixed(digits));
/** `key` of summarized records: one record's mean over its draws ± standard error, several records' mean ± sd (fmt). */
const est = (records, key, digits = 3) =>
  records.length === 1 && records[0].se?.[key] !== undefined
    ? `${records[0][key].toFixed(digits)} ± ${records[0].se[key].toFixed(digits)}`
    : fmt(
        records.map((x) => x[key]),
        digits,
      );
const p3 = (v) => Number(v.toPrecision(3));
/** The range of the load averages recorded with these jobs (jobs run before it was recorded have none). */
const loadNote = (jobs) => {
  const loads = jobs.map((x) => x.load).filter((v) => v !== undefined);
  if (!loads.length) return [];
  return [
    `Load average (one minute, when a job ended) ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} over the ` +
      `${loads.length} cells rerun with it recorded; the other ${jobs.length - loads.length} cells predate the record.`,
    '',
  ];
};

function markdown(r) {
  const pick = (f) => r.results.filter((x) => !x.error && f(x));
  const lines = [
    '# Reproduced results',
    '',
    `Generated by \`pnpm reproduce\` (scripts/reproduce.mjs) on ${r.date.slice(0, 10)}, ${r.machine.cpu}, ${r.machine.cores} cores, ` +
      `Node ${r.machine.node}, in ${(r.seconds / 60).toFixed(0)} min (other jobs shared the machine). Mean ± standard deviation over ` +
      `seeds where there are several.`,
    '',
  ];
  const ncsn = pick((x) => x.kind === 'ncsn-toy');
  if (ncsn.length) {
    lines.push(
      '## NCSN toy (Song & Ermon 2019, Fig. 3), with the paper’s settings',
      '',
      `Data 0.2 N((-5,-5), I) + 0.8 N((5,5), I); ncsn with ${r.ncsn.levels[3]} ${r.ncsn.levels[0]} levels ${r.ncsn.levels[1]} → ` +
        `${r.ncsn.levels[2]} (data units), MLP ${r.ncsn.train.hidden.join('-')}, ${r.ncsn.train.steps} steps, batch ` +
        `${r.ncsn.train.batch}, lr ${r.ncsn.train.lr} (cosine decay); ${r.ncsn.particles} particles from ` +
        `U[${r.ncsn.box.join(', ')}]²; annealed Langevin ${r.ncsn.levels[3]} levels × ${r.ncsn.steps} steps, ε = ${r.ncsn.eps}; ` +
        `plain Langevin (Euler–Maruyama, the paper’s) ${r.ncsn.plainSteps} steps at the smallest level, α = ${r.ncsn.eps}. ` +
        `Seeds ${SEEDS.join(', ')}. The same ` +
        `experiment with the defaults is in the next table (row ncsn-mix).`,
      '',
      '| score | annealed: fraction in (5,5) | plain Langevin | per-seed annealed |',
      '|---|---|---|---|',
    );
    for (const model of ['score', 'energy', 'exact']) {
      const rows = ncsn.filter((x) => x.model === model).sort((a, b) => a.seed - b.seed);
      if (!rows.length) continue;
      const label = model === 'exact' ? 'exact (sampler check)' : `learned, ${model} model`;
      lines.push(
        `| ${label} | ${fmt(rows.map((x) => x.annealed))} | ${fmt(rows.map((x) => x.plain))} | ` +
          `${rows.map((x) => x.annealed.toFixed(3)).join(', ')} |`,
      );
    }
    lines.push('');
  }
  const floors = pick((x) => x.kind === 'floor');
  const main = pick((x) => x.kind === 'defaults' && !x.ablation);
  if (main.length) {
    const d = r.defaults;
    const floorJobs = (dataset) => floors.filter((f) => f.dataset === dataset);
    const floor = (dataset, key) => floorJobs(dataset).map((f) => f[key]);
    lines.push(
      '## Defaults: every dataset, every objective, no tuning option',
      '',
      `Each cell trains \`scorefield train --data <dataset> --loss <loss> --model <kind>\` with nothing else (10000 points; noise ` +
        `levels from the data; ncsn and continuous score models: MLP ${d.hidden ?? '128-128-128'}, ${d.train} ` +
        `steps${d.batch ? ` of batch ${d.batch}, conditioning ${d.conditioning} (energy models: both)` : ''}; the other objectives: ` +
        `MLP 128-128-128, 3000 steps of batch 128 (dsm 6000, the second half decaying the learning rate linearly to 0); ` +
        `EMA 0.999) and samples ${d.samples} points with the model's default sampler and ` +
        `its defaults. **MMD²**: unbiased, RBF bandwidths 0.05, 0.1, 0.2, 0.5, 1, 2 summed, in the held-out data's standardised ` +
        `units, against ${d.samples} fresh data points; the **floor** is the same statistic between two independent draws of ` +
        `the data (it is 0 in expectation, its spread is the estimator's noise). **Draws**: each model is trained once and ` +
        `sampled ${d.draws ?? 1} times (sampling seeds 100 + seed, then their own stream), each draw measured against its own ` +
        `fresh held-out draw of the data, so that the reference's noise averages too; the floor likewise over ` +
        `${d.draws ?? 1} pairs of independent draws (the first of each pair is the reference of the cells' draw). A cell is the ` +
        `mean over its draws ± its standard error, and the **verdict reads the mean**: target for ncsn and continuous, mean ` +
        `MMD² ≤ ${d.target.factor} × |mean floor| + ${d.target.slack}. A cell without ± predates the draws (one draw; see the ` +
        `notes). **In-mode share** (mixtures): the share of samples within 2 standard deviations of a component centre, beside ` +
        `the same share of the data, mean over the draws likewise. ncsn and continuous score models: ` +
        `${d.seeds.length > 1 ? `mean ± sd over training seeds ${d.seeds.join(', ')}` : `training seed ${d.seeds[0]}`}; other ` +
        `cells training seed 0.`,
      '',
      ...(r.notes?.defaults ? [r.notes.defaults, ''] : []),
    );
    const cell = (dataset, loss, model) => main.filter((x) => x.dataset === dataset && x.loss === loss && x.model === model);
    const mmdCell = (rows) =>
      rows.length
        ? est(
            rows.map((x) => x.variants.default),
            'mmd',
            4,
          )
        : '–';
    lines.push(
      `| dataset | floor | ${LOSSES.flatMap((l) => KINDS.map((k) => `${l} ${k}`)).join(' | ')} | target met (ncsn, continuous score) |`,
    );
    lines.push(`|---|---|${LOSSES.flatMap(() => KINDS.map(() => '---')).join('|')}|---|`);
    for (const dataset of d.datasets) {
      const f = floor(dataset, 'mmd');
      const bound = d.target.factor * Math.abs(mean(f)) + d.target.slack;
      const met = ['ncsn', 'continuous']
        .map((loss) => {
          const rows = cell(dataset, loss, 'score');
          return rows.length ? `${loss} ${mean(rows.map((x) => x.variants.default.mmd)) <= bound ? 'yes' : 'NO'}` : '';
        })
        .join(', ');
      lines.push(
        `| ${dataset} | ${est(floorJobs(dataset), 'mmd', 4)} | ` +
          `${LOSSES.flatMap((l) => KINDS.map((k) => mmdCell(cell(dataset, l, k)))).join(' | ')} | ${met} (≤ ${bound.toFixed(4)}) |`,
      );
    }
    lines.push('', '### In-mode share (mixtures; data: the same share of a fresh draw)', '');
    lines.push(`| dataset | data | ${LOSSES.flatMap((l) => KINDS.map((k) => `${l} ${k}`)).join(' | ')} |`);
    lines.push(`|---|---|${LOSSES.flatMap(() => KINDS.map(() => '---')).join('|')}|`);
    for (const dataset of MIXTURES) {
      const c = (rows) =>
        rows.length
          ? est(
              rows.map((x) => x.variants.default),
              'inMode',
              3,
            )
          : '–';
      lines.push(
        `| ${dataset} | ${est(floorJobs(dataset), 'inMode', 3)} | ` +
          `${LOSSES.flatMap((l) => KINDS.map((k) => c(cell(dataset, l, k)))).join(' | ')} |`,
      );
    }
    const mix = (loss, model) => cell('ncsn-mix', loss, model).map((x) => x.variants.default);
    lines.push(
      '',
      `**The 0.2 / 0.8 mixture** (ncsn-mix) with defaults: share of samples in the 0.8 mode ${['ncsn', 'continuous']
        .flatMap((loss) => KINDS.map((k) => (mix(loss, k).length ? `${loss} ${k} ${est(mix(loss, k), 'heavy')}` : '')))
        .filter(Boolean)
        .join('; ')} (target 0.80 ± 0.03 with annealed sampling, i.e. ncsn).`,
      '',
      '### Time per cell (seconds, seed 0: train once / sample 2000 points, per draw; one thread while another job ran)',
      '',
      ...loadNote(main.filter((x) => x.seed === 0)),
      `| dataset | ${LOSSES.flatMap((l) => KINDS.map((k) => `${l} ${k}`)).join(' | ')} |`,
      `|---|${LOSSES.flatMap(() => KINDS.map(() => '---')).join('|')}|`,
    );
    for (const dataset of d.datasets) {
      const c = (rows) => {
        const x = rows.find((y) => y.seed === 0);
        return x ? `${x.trainSeconds.toFixed(0)} / ${x.variants.default.sampleSeconds.toFixed(0)}` : '–';
      };
      lines.push(`| ${dataset} | ${LOSSES.flatMap((l) => KINDS.map((k) => c(cell(dataset, l, k)))).join(' | ')} |`);
    }
    if (r.timing) {
      lines.push(
        '',
        `**The CLI's default path** on 8gaussians (\`scorefield train --data 8gaussians [--loss L]\`, then ` +
          `\`scorefield sample\` of 1000 points on ${r.machine.cores} cores, process start included): ${Object.entries(r.timing)
            .map(
              ([k, v]) =>
                `${k} ${v.train.toFixed(1)} s + ${v.sample.toFixed(1)} s = ${v.total.toFixed(1)} s` +
                (v.load === undefined ? '' : ` (load average ${v.load.toFixed(1)})`),
            )
            .join('; ')}.${r.notes?.timing ? ` ${r.notes.timing}` : ''}`,
      );
    }
    lines.push('');
  }
  const cov = pick((x) => x.kind === 'covariance');
  const covFloor = pick((x) => x.kind === 'covariance-floor')[0];
  if (cov.length) {
    const g = r.defaults.gauss;
    lines.push(
      '## Covariance of a correlated Gaussian, every objective with its default sampler',
      '',
      `Data: ${g.points} points of N((${g.mean.join(', ')}), C), sds ${g.sd.join(' and ')}, correlation ${g.rho}, trained with ` +
        `defaults; ${COV_SAMPLES} samples per draw, the default sampler over ${r.defaults.draws ?? 1} draws (mean ± standard error; ` +
        `the verdict reads the mean), the other samplers one draw each. Error ‖Ĉ − C‖_F / ‖C‖_F in the Gaussian's standardised ` +
        `units (target ≤ 0.05)` +
        `${covFloor ? `; the same error of ${COV_SAMPLES} true draws (the estimator's own noise) is ${fmt(covFloor.errors)}` : ''}. ` +
        `Stein: the residual of the stationarity check (for plain Langevin a convergence check).`,
      '',
      '| objective | model | default sampler | covariance error | Stein residual | other samplers |',
      '|---|---|---|---|---|---|',
    );
    for (const x of cov.sort((a, b) => LOSSES.indexOf(a.loss) - LOSSES.indexOf(b.loss) || a.model.localeCompare(b.model))) {
      const dflt = x.variants.default;
      const others = Object.entries(x.variants)
        .filter(([k]) => k !== 'default')
        .map(([k, v]) => `${k}: ${v.covError.toFixed(3)}${v.settled ? '' : ' (not settled)'}`)
        .join('; ');
      lines.push(
        `| ${x.loss} | ${x.model} | ${dflt.sampler} | ${est([dflt], 'covError')} ${dflt.covError <= 0.05 ? '' : '(NO)'} | ` +
          `${dflt.stein.toFixed(3)} | ${others || '–'} |`,
      );
    }
    lines.push('');
  }
  lines.push(...mnistSection(pick((x) => x.kind === 'mnist')[0], r.notes?.mnist), ...measurements(r), ...differences());
  return lines.join('\n');
}

/** The MNIST row (issue 13): the 28x28 defaults and the PyTorch reference at equal steps, side by side. */
function mnistSection(x, note) {
  if (!x) return [];
  const t = x.train,
    s = x.sample;
  const kid = (m) => `${m.kid.value.toFixed(3)} ± ${m.kid.standardError.toFixed(3)}`;
  const top = (m) => `${m.meanTopProbability.toFixed(3)} (${m.topProbabilityRatio.toFixed(3)})`;
  const shares = (m) =>
    m.classShares
      .map((v, digit) => ({ v, digit }))
      .sort((a, b) => b.v - a.v)
      .slice(0, 2)
      .map((c) => `${c.digit}: ${(100 * c.v).toFixed(1)}%`)
      .join(', ');
  const row = (m) =>
    `${kid(m)} | ${top(m)} | ${shares(m)} | ${m.smallestClass.digit}: ${(100 * m.smallestClass.share).toFixed(1)}% | ` +
    `${m.past2} / ${m.past10} (largest ${m.largestPixel.toFixed(2)}) | ${m.memorisation.toFixed(3)} |`;
  const lines = [
    '## MNIST (issue 13): the 28x28 defaults beside PyTorch at equal steps',
    '',
    ...(x.quick ? ['**A smoke test (REPRODUCE_MNIST_QUICK=1): not the defaults; rerun without it.**', ''] : []),
    `\`scorefield train --data mnist --loss ncsn\` with no other option (${t.steps} steps, hidden ${t.hidden.join(',')}, ` +
      `conditioning ${t.conditioning}, ${t.levels} levels), then \`scorefield sample --n ${s.n} --seed ${s.seed} --threads ` +
      `${s.threads}\` (the default sampler: annealed Langevin, ε = ${s.stepSize.toPrecision(3)}, ${s.stepsPerLevel} steps per ` +
      `level, ${s.evaluations} evaluations a chain; the thread count does not change the samples), measured as \`scorefield eval\` ` +
      `measures image models against the 997 held-out test digits. PyTorch: \`scripts/mnist_torch.py\` on the same model ` +
      'file (its own initial weights and random streams; the same architecture, mixture skip, objective, steps, batch, learning ' +
      'rate and EMA; annealed Langevin with the same ladder, ε and steps per level, the guard and the final denoising step), ' +
      'one thread, started with our sampling (its training and sampling beside ours); its samples measured by the same ' +
      '`eval`. Chains past 2 / 10 px: samples whose largest |pixel| ends past 2 and 10 (pixels are in [0, 1]).',
    '',
    `Time: ours trained at ${t.stepsPerSecond.toFixed(1)} steps/s (${t.trainSeconds.toFixed(0)} s of training, ` +
      `${t.wallSeconds.toFixed(0)} s wall with the mixture fit and process start; load average ${t.load.toFixed(1)} at its end) ` +
      `and sampled ${s.n} chains in ${s.wallSeconds.toFixed(0)} s wall (load ${s.load.toFixed(1)})` +
      (x.torch.missing
        ? '.'
        : `; PyTorch ${x.torch.version} trained at ${x.torch.stepsPerSecond.toFixed(1)} steps/s ` +
          `(${x.torch.trainSeconds.toFixed(0)} s) and sampled in ${x.torch.sampleSeconds.toFixed(0)} s ` +
          `(load ${x.torch.load.toFixed(1)} at its end). Timings on a shared 2-core machine: read them with the load.`),
    '',
    "| | KID | mean top-class prob. (÷ the test digits') | largest classes | smallest class | chains past 2 / 10 px | " +
      'memorisation ratio |',
    '|---|---|---|---|---|---|---|',
    `| scorefield (floor ${x.ours.kid.floor.toFixed(3)} ± ${x.ours.kid.floorStandardError.toFixed(3)}) | ${row(x.ours)}`,
  ];
  if (x.torch.missing) lines.push(`| PyTorch: not run (${x.torch.missing}) | | | | | | |`);
  else lines.push(`| PyTorch ${x.torch.version}, equal steps | ${row(x.torch)}`);
  lines.push('');
  if (!x.torch.missing) {
    const ratio = x.ours.kid.value / x.torch.kid.value;
    lines.push(
      `Target (issue 13): our KID within 3x of PyTorch's at equal steps: ` +
        (x.torch.kid.value > 0
          ? `${ratio.toFixed(2)}x, ${ratio <= 3 ? 'met' : 'NOT met'} (on the means; the standard errors are beside them).`
          : `PyTorch's KID is not above 0 (${kid(x.torch)}): the ratio is undefined; compare the standard errors.`),
      '',
    );
  }
  if (note) lines.push(note, '');
  lines.push(`![${s.n} samples: the first 64, captioned by the classifier](${x.ours.picture})`);
  if (!x.torch.missing) lines.push(`![PyTorch's: the first 64](${x.torch.picture})`);
  lines.push('');
  return lines;
}

/** Where the defaults differ from Song & Ermon 2020, and why (the numbers are in the tables above). */
function differences() {
  return [
    '## Where the defaults differ from Song & Ermon 2020',
    '',
    '- **Technique 1** (σ₁ = the largest pairwise distance): as stated, on an even stride of 1000 standardised points.',
    '- **Technique 2** (γ from Φ(√(2D)(γ − 1) + 3γ) − Φ(√(2D)(γ − 1) − 3γ) = 0.5): the equation has no root with γ > 1 for D ≤ 4 (at γ ' +
      '= 1 it is 0.997 and for √(2D) ≤ 3 it only grows) and gives γ ≈ 19 at D = 5, 3.0 at D = 10. We use its root capped at 1.5: in ' +
      '2-D the error comes from how far the chain can relax inside each level, which depends on the step more than on the ratio ' +
      '(table above).',
    '- **σ_L**: the paper keeps it small against the data’s finest scale (0.01 for images in [0, 1]). We use 4 × the median ' +
      'nearest-neighbour distance of 1000 standardised points, with a final denoising step: at our training budget the network does ' +
      'not learn the score much below it (ablation above: 1×). This is measured on 2-D data only; for high-dimensional data pass ' +
      '`--sigmas`.',
    '- **Technique 3** (scale conditioning s(x)/σ): score networks of ncsn, and of continuous up to 4 dimensions, are preconditioned ' +
      '(`precond`, Karras et al. 2022, table 1, σ_data = 1): the network reads x/√(1 + σ²) and log σ and its output is scaled by ' +
      '1/(σ√(1 + σ²)) beside the skip term −x/(1 + σ²), so that input and target keep unit scale on every level; energy networks ' +
      'keep `both` (embedding log σ, output divided by σ). In 2-D `both` left thin and sharp-edged data diffuse (ablation above: ' +
      'circles).',
    '- **Technique 4** (ε from the variance of a chain started one level up on a point mode): extended to modes of every width; with ' +
      'technique 4’s ε the within-mode variance of 2-D mixtures stays 4-11% too large even with the exact score, because the last ' +
      'levels are far smaller than the modes and the chain cannot follow them (table above). The step convention here is x + (α/2)s ' +
      '+ √α z, the paper’s x + αs + √(2α)z: their ε is half ours.',
    '- **Technique 5** (EMA, m = 0.999): as stated, with the warm-up min(m, (1 + t)/(10 + t)), so that runs shorter than the average’s ' +
      '1000-step horizon are not pulled back to their initial weights (table above).',
    '- **Not in the paper**: plain Langevin α = 0.1/κ from the model’s curvature κ = E‖s‖²/d read from the training loss; the ' +
      'predictor-corrector sampler without corrector in ≤ 4 dimensions, ending (VE) with the probability-flow denoising step x + σ²s/2 ' +
      'instead of Tweedie’s x + σ²s (the sampler alone on the exact score, table above); for noise-conditional objectives in ≤ 4 ' +
      'dimensions a 64-wide network trained 15 000 steps of 256 points (the batch: ablation above, 25gaussians); plain Langevin ' +
      'uses the Leimkuhler-Matthews scheme (exact stationary variance on a Gaussian, so no final small steps) and, ' +
      'for dsm models, the probability-flow denoising step (covariance table).',
    '',
  ];
}

/** The section on how the defaults were chosen, from the ablation jobs. */
function measurements(r) {
  const lines = ['## How the defaults were chosen (measured)', ''];
  const ok = r.results.filter((x) => !x.error);
  const alone = ok.filter((x) => x.kind === 'exact-default');
  if (alone.length) {
    const learned = (dataset, loss) =>
      ok.filter((x) => x.kind === 'defaults' && !x.ablation && x.dataset === dataset && x.loss === loss && x.model === 'score');
    const pair = (rows, get) =>
      rows.length
        ? `${fmt(
            rows.map((x) => get(x).mmd),
            4,
          )} / ${fmt(
            rows.map((x) => get(x).inMode),
            3,
          )}`
        : '–';
    const errors = (rows) => {
      const e = rows.filter((x) => x.levelError);
      if (!e.length) return '–';
      const at = (k) =>
        fmt(
          e.map((x) => (k === 0 ? x.levelError[0] : x.levelError.at(-1)).relative),
          3,
        );
      return `${at(0)} / ${at(-1)}`;
    };
    lines.push(
      '**Sampler or model?** The default samplers run on the exact score of each mixture blurred by each level (`ExactScore`: the ' +
        'sampler and the ladder alone, no learned model), beside the trained score models with every default, both over the ladder ' +
        'chosen from the data; and the trained models’ relative score error E‖s − s*‖² / E‖s*‖² on data + σz at their largest and ' +
        'smallest level. MMD² / in-mode share, seeds ' +
        `${DEFAULTS.seeds.join(', ')} (mean ± sd where there are several).`,
      '',
      '| dataset | data in-mode | annealed, exact score | ncsn, learned | ncsn score error σ₁ / σ_L | pc, exact score | continuous, ' +
        'learned | continuous score error σ_max / σ_min |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const dataset of MIXTURES) {
      const ex = (sampler) => alone.filter((x) => x.dataset === dataset && x.sampler === sampler);
      const floorShare = ok.filter((x) => x.kind === 'floor' && x.dataset === dataset).map((x) => x.inMode);
      lines.push(
        `| ${dataset} | ${floorShare.length ? fmt(floorShare, 3) : '–'} | ${pair(ex('annealed'), (x) => x)} | ` +
          `${pair(learned(dataset, 'ncsn'), (x) => x.variants.default)} | ${errors(learned(dataset, 'ncsn'))} | ` +
          `${pair(ex('pc'), (x) => x)} | ${pair(learned(dataset, 'continuous'), (x) => x.variants.default)} | ` +
          `${errors(learned(dataset, 'continuous'))} |`,
      );
    }
    lines.push('');
  }
  const exact = ok.filter((x) => x.kind === 'exact-annealed');
  if (exact.length) {
    lines.push(
      '**Annealed step (technique 4, extended).** Technique 4 picks ε so that a chain started one level up reaches the variance of a ' +
        '*point* mode blurred by σ_L; on low-dimensional data the modes are wider than the last levels, the chain cannot follow them ' +
        'inside a wide mode, and the variance stays too large. Our default minimises the worst variance error over modes of every ' +
        'width (the point mode included) for the ladder and T = 100. The sampler alone, on the exact score, over the data-driven ' +
        'ladder, 4000 particles, no denoising: within-mode variance / (v + σ_L²).',
      '',
      '| dataset | levels | technique 4: a = ε/σ_L² | variance ratio | default: a | variance ratio |',
      '|---|---|---|---|---|---|',
    );
    for (const dataset of MIXTURES) {
      const t4 = exact.find((x) => x.dataset === dataset && x.rule === 'technique4'),
        ours = exact.find((x) => x.dataset === dataset && x.rule === 'default');
      if (t4 && ours)
        lines.push(
          `| ${dataset} | ${ours.levels} | ${p3(t4.a)} | ${t4.varianceRatio.toFixed(3)} | ${p3(ours.a)} | ` +
            `${ours.varianceRatio.toFixed(3)} |`,
        );
    }
    lines.push('');
  }
  const ratio = ok.filter((x) => x.kind === 'exact-ratio');
  if (ratio.length) {
    lines.push(
      '**Ratio between levels in 2-D** (technique 2 has no root for D ≤ 4). The sampler alone on the exact score, ladder σ₁ → σ_L from ' +
        'the data with the ratio set, the default step for that ladder, 100 steps per level, 4000 particles: MMD² against 4000 data ' +
        'points / in-mode share (data: the share of those points)' +
        ' / share in the 0.8 mode (ncsn-mix).',
      '',
      '| dataset | ratio 1.2 | 1.5 (default) | 2 | 3 |',
      '|---|---|---|---|---|',
    );
    for (const dataset of ['gmm3', '8gaussians', 'ncsn-mix']) {
      const c = (g) => {
        const x = ratio.find((y) => y.dataset === dataset && y.ratio === g);
        return x
          ? `${x.mmd.toFixed(4)} / ${x.inMode.toFixed(3)} ` +
              `(${x.inModeData.toFixed(3)})${x.heavy !== undefined ? ` / ${x.heavy.toFixed(3)}` : ''}, ${x.levels} levels`
          : '–';
      };
      lines.push(`| ${dataset} | ${[1.2, 1.5, 2, 3].map(c).join(' | ')} |`);
    }
    lines.push('');
  }
  const abl = ok.filter((x) => x.kind === 'defaults' && x.ablation);
  if (abl.length) {
    const base = (dataset) =>
      r.results.find(
        (x) => x.kind === 'defaults' && !x.ablation && x.dataset === dataset && x.loss === 'ncsn' && x.model === 'score' && x.seed === 0,
      );
    lines.push(
      '**Ablations** (ncsn score models, seed 0, MMD² as above; each row changes one default):',
      '',
      '| change | dataset | MMD² with the change | with the defaults |',
      '|---|---|---|---|',
    );
    for (const x of abl)
      lines.push(
        `| ${x.ablation} | ${x.dataset} | ${x.variants.default.mmd.toFixed(4)} | ` +
          `${base(x.dataset)?.variants.default.mmd.toFixed(4) ?? '–'} |`,
      );
    lines.push('');
  }
  const pcRows = ok.filter(
    (x) =>
      x.kind === 'defaults' &&
      !x.ablation &&
      x.loss === 'continuous' &&
      x.model === 'score' &&
      x.seed === 0 &&
      x.variants['pc + SNR corrector'],
  );
  const ncsnRows = ok.filter(
    (x) => x.kind === 'defaults' && !x.ablation && x.loss === 'ncsn' && x.model === 'score' && x.seed === 0 && x.variants['no denoising'],
  );
  if (pcRows.length) {
    lines.push(
      '**Samplers of continuous models** (score models, seed 0, MMD²): the default pc runs the reverse-diffusion predictor alone in ≤ ' +
        '4 dimensions; with Song et al.’s corrector (1 step, SNR 0.16) and with the probability-flow ODE:',
      '',
      '| dataset | pc (default) | pc + SNR corrector | ode |',
      '|---|---|---|---|',
    );
    for (const x of pcRows)
      lines.push(
        `| ${x.dataset} | ${x.variants.default.mmd.toFixed(4)} | ${x.variants['pc + SNR corrector'].mmd.toFixed(4)} | ` +
          `${x.variants.ode.mmd.toFixed(4)} |`,
      );
    lines.push('');
  }
  if (ncsnRows.length) {
    lines.push(
      '**Final denoising step** (ncsn score models, seed 0): MMD² and in-mode share with the default step x + σ_L² s/2 (one Euler step ' +
        'of the probability-flow ODE to σ = 0), with Tweedie’s x + σ_L² s (the default before), and without a denoising step:',
      '',
      '| dataset | probability-flow step (default) | Tweedie step | not denoised |',
      '|---|---|---|---|',
    );
    for (const x of ncsnRows) {
      const c = (v) => (v ? `${v.mmd.toFixed(4)}${v.inMode !== undefined ? ` / ${v.inMode.toFixed(3)}` : ''}` : '–');
      lines.push(`| ${x.dataset} | ${c(x.variants.default)} | ${c(x.variants['Tweedie step'])} | ${c(x.variants['no denoising'])} |`);
    }
    lines.push('');
  }
  const ema = ok.filter((x) => x.kind === 'ema').sort((a, b) => a.steps - b.steps);
  if (ema.length) {
    lines.push(
      '**Moving average of the weights** (dsm σ = 0.1 on gmm3 at a constant learning rate; Fisher divergence of the score ' +
        'against the exact score of the blurred data on 2000 held-out points):',
      '',
      `| weights | ${ema.map((x) => `${x.steps} steps`).join(' | ')} |`,
      `|---|${ema.map(() => '---').join('|')}|`,
    );
    for (const k of Object.keys(ema[0].fisher)) lines.push(`| ${k} | ${ema.map((x) => x.fisher[k].toFixed(4)).join(' | ')} |`);
    lines.push('');
  }
  const st = ok.find((x) => x.kind === 'stationarity');
  if (st) {
    const [fixed, dflt] = st.runs;
    lines.push(
      `**Stationarity check.** esm score model on the correlated Gaussian, plain Langevin: with the fixed step of earlier versions (α ` +
        `= 10⁻³, 1000 steps) the covariance is off by ${fixed.covError.toFixed(3)}, yet the change of the first two moments over the ` +
        `last 10% of the steps has a largest paired z-score of only ${fixed.momentZ.toFixed(1)}; the Stein residual is ` +
        `${fixed.stein.toFixed(3)} ± ${fixed.steinSe.toFixed(3)} (${fixed.settled ? 'not flagged' : 'flagged'}). With the default ` +
        `step: covariance error ${dflt.covError.toFixed(3)}, moment z ${dflt.momentZ.toFixed(1)}, Stein ${dflt.stein.toFixed(3)} ` +
        `± ${dflt.steinSe.toFixed(3)} (${dflt.settled ? 'settled' : 'flagged'}).`,
      '',
    );
  }
  return lines;
}

if (!isMainThread) {
  parentPort.on('message', async (job) => {
    try {
      // The one-minute load average when the job ended (its time means little without it on a shared machine).
      parentPort.postMessage({ ...(await runJob(job)), load: loadavg()[0] });
    } catch (e) {
      parentPort.postMessage({ ...job, error: String(e?.message ?? e) });
    }
  });
} else {
  await main();
}
