import { InputError, lookup, rngNormal, rngUniform, sigmaSchedule, type F32Buffer, type Rng } from '@scorefield/core-math';
import type { ScoreSource } from '../score-source.js';
import { normalize } from '../normalization.js';
import { checkPoints, type Points } from '../points.js';
import { sdeOf, type Sde } from '../sde.js';
import { SamplerContext, checkInt, checkPositive, type SampleProgress } from './context.js';
import { solveProbabilityFlow, ODE_BLOCK } from './ode.js';

/** The samplers, one step convention: x <- x + (alpha/2) s(x) + sqrt(alpha) z for every Langevin step. */
export const samplers = {
  langevin: 'unadjusted Langevin dynamics at one noise level, fixed or decaying step',
  annealed: 'annealed Langevin dynamics over the noise levels (NCSN Algorithm 1), alpha_i = eps sigma_i^2 / sigma_L^2',
  pc: 'predictor-corrector for VE/VP SDE models: reverse diffusion + SNR-adaptive Langevin corrector',
  ode: 'probability-flow ODE with an adaptive Runge-Kutta 5(4) solver (deterministic)',
} satisfies Record<string, string>;
export type SamplerName = keyof typeof samplers;

/** Initial particles: in standardised units N(0, I), U[-3, 3]^d, the SDE prior; a box or points in data units. */
export type InitSpec = 'gaussian' | 'uniform' | 'prior' | { uniform: [number, number] } | Points;

/** Options of {@link sample}. Step sizes and noise levels are in standardised units (the network's). */
export interface SampleOptions {
  /** Number of particles. */
  n: number;
  /** Default: annealed for ncsn models, pc for continuous ones, else langevin. */
  sampler?: SamplerName;
  seed?: number;
  init?: InitSpec;
  /** langevin: steps (1000); annealed: steps per level (100); pc: predictor steps (500). */
  steps?: number;
  /** langevin: alpha (1e-3); annealed: eps (default 0.1 sigma_L^2, see {@link annealedDefaults}). */
  stepSize?: number;
  /** langevin: multiply alpha by this every step (default 1: fixed step). */
  decay?: number;
  /** langevin: the noise level the model is read at (default: its smallest training level). */
  sigma?: number;
  /** annealed: the levels (default: the model's ncsn levels, or a geometric ladder of its SDE). */
  sigmas?: number[];
  /** annealed, pc: finish with a denoising step x + sigma^2 s(x) (Tweedie) (default false). */
  denoise?: boolean;
  /** pc: corrector signal-to-noise ratio (0.16) and corrector steps per predictor step (1). */
  snr?: number;
  correctorSteps?: number;
  /** pc, ode: the SDE (default: the one the model was trained with). */
  sde?: Sde;
  /** ode: tolerances (1e-5, 1e-5). */
  rtol?: number;
  atol?: number;
  /** Inpainting: these coordinates (0-based) are held at the values of `hold.points` (data units, n rows). */
  hold?: { coords: number[]; points: Points };
  /** Record the particles every k steps (data units) into `trajectory`. */
  recordEvery?: number;
  /** For workers: these n particles are first..first+n-1 of total (same result as one run over total). */
  block?: { first: number; total: number };
  onProgress?: (p: SampleProgress) => void;
  /** Progress callback period in steps (default: 1/100 of the run). */
  progressEvery?: number;
}

/** Result of {@link sample}: particles in data units [n, d], the recorded trajectory, and the work done. */
export interface SampleResult {
  samples: Float32Array;
  trajectory: Float32Array[];
  sampler: SamplerName;
  /** Score evaluations per particle. */
  evaluations: number;
}

/** Annealed defaults: 100 steps per level, eps = 0.1 sigma_L^2 (0.1 for NCSN's toy, sigma_L = 1; 1e-5 at sigma_L = 0.01). */
export const annealedDefaults = { steps: 100, stepSizeFactor: 0.1 };
export const langevinDefaults = { steps: 1000, stepSize: 1e-3 };
export const pcDefaults = { steps: 500, snr: 0.16, correctorSteps: 1 };
export const odeDefaults = { rtol: 1e-5, atol: 1e-5, maxSteps: 100_000 };

/** The sampler a model is meant for. */
export function defaultSampler(model: ScoreSource): SamplerName {
  const loss = model.training?.loss.name;
  return loss === 'ncsn' ? 'annealed' : loss === 'continuous' ? 'pc' : 'langevin';
}

/** Noise levels for annealed sampling: the model's ncsn ladder, or 10 geometric levels of its VE/VP SDE. */
export function modelSigmas(model: ScoreSource): number[] {
  const loss = model.training?.loss;
  if (loss?.name === 'ncsn') return [...loss.sigmas].sort((a, b) => b - a);
  if (loss?.name === 'continuous') {
    const sde = sdeOf(loss);
    return sigmaSchedule('geometric', sde.sigma(1), sde.sigma(sde.eps), 10);
  }
  throw new InputError(
    `annealed sampling needs noise levels: a model trained with ncsn or continuous, or --sigmas (this one: ${loss?.name ?? 'unknown'})`,
  );
}

/**
 * Draws n samples from a score or energy model with the chosen sampler; deterministic for a seed, and
 * the same whether run at once or split into blocks (options.block).
 */
export function sample(model: ScoreSource, options: SampleOptions): SampleResult {
  const o = { seed: 0, ...options };
  // A copy of the held points: the allocations below may detach the caller's view.
  if (o.hold) o.hold = { ...o.hold, points: checkPoints(o.hold.points, 'hold') };
  const name = o.sampler ?? defaultSampler(model);
  lookup(samplers, name, 'sampler');
  checkInt('n', o.n, 1, 1e9);
  checkInt('seed', o.seed, 0);
  const d = model.dim,
    { core } = model;
  const total = o.block?.total ?? o.n,
    first = o.block?.first ?? 0;
  checkInt('block.first', first, 0, total - o.n);
  if ((name === 'ode' || name === 'pc') && first % ODE_BLOCK !== 0) {
    throw new InputError(`sample: ${name} blocks must start at a multiple of ${ODE_BLOCK}, got ${first}`);
  }
  const rng = core.rng(o.seed);
  const x = initialParticles(model, o.init ?? (name === 'pc' || name === 'ode' ? 'prior' : 'gaussian'), total, first, o.n, rng, o.sde);
  const hold = o.hold ? holdBuffers(model, o.hold, o.n, first) : undefined;
  const plan = plannedSteps(model, name, o);
  const ctx = new SamplerContext(
    model,
    x,
    rng,
    total,
    first,
    plan,
    hold,
    o.recordEvery ?? 0,
    o.onProgress,
    o.progressEvery ?? Math.max(1, Math.round(plan / 100)),
  );
  try {
    if (hold)
      x.view.forEach((_, i) => {
        if (hold.mask.view[i % d]) x.view[i] = hold.values.view[i];
      });
    runSampler(ctx, name, o);
    ctx.checkFinite(`after ${plan} steps`);
    const samples = ctx.particles();
    // Held coordinates come back exactly as given (not through the standardisation round trip).
    if (o.hold) {
      const offset = o.hold.points.rows === o.n ? 0 : first;
      for (const frame of [samples, ...ctx.trajectory]) {
        for (let i = 0; i < o.n; i++) for (const c of o.hold.coords) frame[i * d + c] = o.hold.points.data[(offset + i) * d + c];
      }
    }
    return { samples, trajectory: ctx.trajectory, sampler: name, evaluations: ctx.evaluations };
  } finally {
    ctx.free();
    x.free();
    rng.free();
    hold?.mask.free();
    hold?.values.free();
  }
}

/** Steps a run of this sampler takes (ode: 1000 progress units over its time interval). */
export function plannedSteps(model: ScoreSource, name: SamplerName, o: Omit<SampleOptions, 'n'>): number {
  switch (name) {
    case 'langevin':
      return o.steps ?? langevinDefaults.steps;
    case 'annealed':
      return (o.sigmas ?? modelSigmas(model)).length * (o.steps ?? annealedDefaults.steps) + (o.denoise ? 1 : 0);
    case 'pc':
      return (o.steps ?? pcDefaults.steps) * (1 + (o.correctorSteps ?? pcDefaults.correctorSteps));
    default:
      return 1000; // ode: progress in thousandths of the time interval
  }
}

function runSampler(ctx: SamplerContext, name: SamplerName, o: SampleOptions): void {
  const model = ctx.model;
  if (name === 'langevin') {
    const steps = o.steps ?? langevinDefaults.steps,
      alpha0 = o.stepSize ?? langevinDefaults.stepSize,
      decay = o.decay ?? 1;
    checkInt('steps', steps, 0, 1e9);
    checkPositive('step size', alpha0);
    checkPositive('decay', decay);
    const sigma = o.sigma ?? model.defaultSigma;
    if (!(Number.isFinite(sigma) && sigma >= 0)) throw new InputError(`sample: sigma must be a finite number >= 0, got ${sigma}`);
    if (decay === 1) ctx.run(steps, langevinRule(alpha0), sigma);
    else for (let t = 0; t < steps; t++) ctx.run(1, langevinRule(alpha0 * decay ** t), sigma);
    return;
  }
  if (name === 'annealed') {
    // see: Song & Ermon 2019, Algorithm 1.
    const sigmas = o.sigmas ?? modelSigmas(model),
      T = o.steps ?? annealedDefaults.steps;
    const eps = o.stepSize ?? annealedDefaults.stepSizeFactor * sigmas[sigmas.length - 1] ** 2;
    sigmas.forEach((s) => checkPositive('sigma', s));
    checkInt('steps', T, 0, 1e9);
    checkPositive('step size', eps);
    const last = sigmas[sigmas.length - 1];
    for (const s of sigmas) ctx.run(T, langevinRule((eps * s * s) / (last * last)), s);
    if (o.denoise) ctx.run(1, { mode: 'affine', a: 1, b: last * last, c: 0 }, last);
    return;
  }
  const sde = o.sde ?? sdeOf(model.training?.loss);
  if (name === 'pc') {
    // see: Song et al. 2021, Algorithm 1 with reverse-diffusion predictor (eq. 46-47) and Langevin corrector.
    const N = o.steps ?? pcDefaults.steps,
      snr = o.snr ?? pcDefaults.snr,
      M = o.correctorSteps ?? pcDefaults.correctorSteps;
    checkInt('steps', N, 1, 1e7);
    checkInt('corrector steps', M, 0, 100);
    checkPositive('snr', snr);
    const dt = (1 - sde.eps) / N;
    for (let i = 0; i < N; i++) {
      const t = 1 - i * dt,
        sigma = sde.sigma(t),
        lastStep = i === N - 1;
      if (sde.kind === 've') {
        for (let m = 0; m < M; m++) ctx.run(1, { mode: 'corrector', alpha: 1, snr }, sigma);
        const g2 = sigma ** 2 - (lastStep ? 0 : sde.sigma(t - dt) ** 2);
        ctx.run(1, { mode: 'affine', a: 1, b: g2, c: lastStep && o.denoise ? 0 : Math.sqrt(g2) }, sigma);
      } else {
        // beta_i = 1 - alpha(t)^2 / alpha(t - dt)^2: the exact one-step variance, in (0, 1) for any dt.
        const beta = 1 - (sde.alpha(t) / sde.alpha(t - dt)) ** 2;
        for (let m = 0; m < M; m++) ctx.run(1, { mode: 'corrector', alpha: 1 - beta, snr }, sigma);
        ctx.run(1, { mode: 'affine', a: 2 - Math.sqrt(1 - beta), b: beta, c: lastStep && o.denoise ? 0 : Math.sqrt(beta) }, sigma);
      }
    }
    return;
  }
  // ode
  const rtol = o.rtol ?? odeDefaults.rtol,
    atol = o.atol ?? odeDefaults.atol;
  checkPositive('rtol', rtol);
  checkPositive('atol', atol);
  const held = ctx.hold ? Array.from(ctx.hold.mask.view, (v) => v !== 0) : undefined;
  const y = ctx.x.toArray();
  let last = 0;
  ctx.evaluations += solveProbabilityFlow(model, sde, y, {
    rtol,
    atol,
    maxSteps: odeDefaults.maxSteps,
    held,
    onProgress: (fraction, t) => {
      const progress = Math.round(1000 * fraction);
      if (progress > last) {
        ctx.x.set(y);
        ctx.advance(progress - last, sde.sigma(t));
        last = progress;
      }
    },
  });
  ctx.x.set(y);
}

function langevinRule(alpha: number) {
  return { mode: 'affine' as const, a: 1, b: alpha / 2, c: Math.sqrt(alpha) };
}

/** Initial particles [n, d] in standardised units: the block first..first+n-1 of `total` drawn from rng. */
function initialParticles(model: ScoreSource, init: InitSpec, total: number, first: number, n: number, rng: Rng, sde?: Sde): F32Buffer {
  const { core } = model,
    d = model.dim;
  const all = core.f32(total * d);
  try {
    if (typeof init === 'string') {
      lookup({ gaussian: 1, uniform: 1, prior: 1 }, init, 'init');
      if (init === 'uniform') rngUniform(core, rng, all, -3, 3);
      else rngNormal(core, rng, all, 0, init === 'prior' ? (sde ?? sdeOf(model.training?.loss)).prior : 1);
    } else if ('uniform' in init) {
      const [lo, hi] = init.uniform;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo))
        throw new InputError(`sample: init box needs lo < hi, got [${lo}, ${hi}]`);
      rngUniform(core, rng, all, 0, 1);
      const { mean, std } = model.normalization;
      all.set(all.view.map((u, i) => (lo + (hi - lo) * u - mean[i % d]) / std[i % d]));
    } else {
      const owned = checkPoints(init, 'init');
      if (init.cols !== d || init.rows !== total)
        throw new InputError(`sample: init has ${init.rows} points of dimension ${init.cols}, expected ${total} of dimension ${d}`);
      all.set(normalize(model.normalization, owned.data));
    }
    // Allocate before taking the view: a growing WASM memory detaches views taken earlier.
    const block = core.f32(n * d);
    block.set(all.view.subarray(first * d, (first + n) * d));
    return block;
  } finally {
    all.free();
  }
}

function holdBuffers(model: ScoreSource, hold: { coords: number[]; points: Points }, n: number, first: number) {
  const d = model.dim;
  if (hold.points.cols !== d) throw new InputError(`sample: held points have dimension ${hold.points.cols}, the model ${d}`);
  if (hold.points.rows !== n && hold.points.rows !== first + n && hold.points.rows < first + n) {
    throw new InputError(`sample: ${hold.points.rows} held points for ${n} particles`);
  }
  const mask = new Float32Array(d);
  for (const c of hold.coords) {
    if (!Number.isInteger(c) || c < 0 || c >= d) throw new InputError(`sample: held coordinate ${c} is not in 0..${d - 1}`);
    mask[c] = 1;
  }
  const rows = hold.points.rows === n ? 0 : first;
  const values = normalize(
    model.normalization,
    Array.from({ length: n * d }, (_, i) => hold.points.data[rows * d + i]),
  );
  return { mask: model.core.f32(d, mask), values: model.core.f32(n * d, values) };
}
