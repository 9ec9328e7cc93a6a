import { InputError, lookup, rngNormal, rngUniform, type F32Buffer, type Rng } from '@scorefield/core-math';
import type { ScoreSource } from '../score-source.js';
import { normalize } from '../normalization.js';
import { checkPoints, type Points } from '../points.js';
import { sdeOf, type Sde } from '../sde.js';
import { adaptive } from './adaptive.js';
import { annealed } from './annealed.js';
import { SamplerContext, checkInt } from './context.js';
import { dpm } from './dpm.js';
import { dpmSde } from './dpm-sde.js';
import { langevin } from './langevin.js';
import { pc } from './predictor-corrector.js';
import { ode } from './probability-flow.js';
import type { InitSpec, SampleOptions, SamplerSettings, SamplerSpec } from './spec.js';
import { stationarity, type Stationarity, type SteinSums } from './stationarity.js';

export { adaptiveDefaults, solveReverseSdeAdaptive, type AdaptiveSdeOptions, type AdaptiveSettings } from './adaptive.js';
export { dpmDefaults, logSnrTimes, solveProbabilityFlowDpm, type DpmSettings } from './dpm.js';
export { dpmSdeDefaults, solveReverseSdeDpm, type DpmSdeSettings } from './dpm-sde.js';
export { annealedDefaults, annealedStepFactor, annealedVarianceRatio, modelSigmas, type AnnealedSettings } from './annealed.js';
export { langevinDefaults, langevinSchemes, modelBlur, modelCurvature, type LangevinScheme, type LangevinSettings } from './langevin.js';
export { pcDefaults, defaultCorrectorSteps, type PcSettings } from './predictor-corrector.js';
export { odeDefaults, type OdeSettings } from './probability-flow.js';
export type { InitSpec, SampleOptions, SamplerSettings, SamplerSpec } from './spec.js';
export { denoiseDefaults } from './spec.js';
export { stationarity, STEIN_TOLERANCE, type Stationarity, type SteinSums } from './stationarity.js';

/** The samplers by name; one step convention: x <- x + (alpha/2) s(x) + sqrt(alpha) z for every Langevin step. */
export const samplers = { langevin, annealed, pc, ode, adaptive, dpm, 'dpm-sde': dpmSde } satisfies Record<string, SamplerSpec>;
export type SamplerName = keyof typeof samplers;

/** Result of {@link sample}: particles in data units [n, d], the recorded trajectory, and the work done. */
export interface SampleResult {
  samples: Float32Array;
  trajectory: Float32Array[];
  sampler: SamplerName;
  /** The settings the run used, every default filled in. */
  settings: SamplerSettings;
  /** Score evaluations per particle. */
  evaluations: number;
  /** Stein sums of the particles before any final denoising step (merge blocks, then call {@link stationarity}). */
  stein: SteinSums;
  /** Whether the particles of this run (or block) have settled into the model's law ({@link stationarity}). */
  stationarity: Stationarity;
}

/** The sampler a model is meant for. */
export function defaultSampler(model: ScoreSource): SamplerName {
  const loss = model.training?.loss.name;
  return loss === 'ncsn' ? 'annealed' : loss === 'continuous' ? 'pc' : 'langevin';
}

/** The sampler named by `name` (a miss lists the valid names). */
function samplerOf(name: string): SamplerSpec {
  return lookup<SamplerSpec>(samplers, name, 'sampler');
}

/** The settings a run of this sampler would use on this model: the options with every default filled in. */
export function samplerSettings(model: ScoreSource, name: string, o: Omit<SampleOptions, 'n'>): SamplerSettings {
  return samplerOf(name).settings(model, { n: 1, ...o });
}

/** Steps a run of this sampler takes (ode: 1000 progress units over its time interval). */
export function plannedSteps(model: ScoreSource, name: string, o: Omit<SampleOptions, 'n'>): number {
  const spec = samplerOf(name);
  return spec.steps(spec.settings(model, { n: 1, ...o }));
}

/**
 * Draws n samples from a score or energy model with the chosen sampler; deterministic for a seed, and
 * the same whether run at once or split into blocks (options.block).
 */
export function sample(model: ScoreSource, options: SampleOptions): SampleResult {
  const o = { seed: 0, ...options };
  // A copy of the held points: the allocations below may detach the caller's view.
  if (o.hold) o.hold = { ...o.hold, points: checkPoints(o.hold.points, 'hold') };
  o.hold = holdConstants(model, o.hold, o.n);
  const name = (o.sampler ?? defaultSampler(model)) as SamplerName;
  const spec = samplerOf(name);
  checkInt('n', o.n, 1, 1e9);
  checkInt('seed', o.seed, 0);
  const settings = spec.settings(model, o);
  const d = model.dim,
    { core } = model;
  const total = o.block?.total ?? o.n,
    first = o.block?.first ?? 0;
  checkInt('block.first', first, 0, total - o.n);
  if (first % spec.blockMultiple !== 0) {
    throw new InputError(`sample: ${name} blocks must start at a multiple of ${spec.blockMultiple}, got ${first}`);
  }
  return core.scope((scope) => {
    const rng = scope.rng(o.seed);
    const x = scope.adopt(initialParticles(model, o.init ?? spec.init, total, first, o.n, rng, o.sde));
    const hold = o.hold ? holdBuffers(model, o.hold, o.n, first) : undefined;
    if (hold) for (const buf of [hold.mask, hold.values]) scope.adopt(buf);
    const plan = spec.steps(settings);
    const ctx = scope.adopt(
      new SamplerContext(
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
      ),
    );
    if (hold)
      x.view.forEach((_, i) => {
        if (hold.mask.view[i % d]) x.view[i] = hold.values.view[i];
      });
    const sigma = spec.run(ctx, settings, o);
    ctx.checkFinite(`after ${plan} steps`);
    const stein = ctx.steinSums(sigma);
    spec.finish?.(ctx, settings, o);
    ctx.checkFinite(`after ${plan} steps`);
    const samples = ctx.particles();
    // Held coordinates come back exactly as given (not through the standardisation round trip).
    if (o.hold) {
      const offset = o.hold.points.rows === o.n ? 0 : first;
      for (const frame of [samples, ...ctx.trajectory]) {
        for (let i = 0; i < o.n; i++) for (const c of o.hold.coords) frame[i * d + c] = o.hold.points.data[(offset + i) * d + c];
      }
    }
    return {
      samples,
      trajectory: ctx.trajectory,
      sampler: name,
      settings,
      evaluations: ctx.evaluations,
      stein,
      stationarity: stationarity(stein),
    };
  });
}

/** Initial particles [n, d] in standardised units: the block first..first+n-1 of `total` drawn from rng. */
function initialParticles(model: ScoreSource, init: InitSpec, total: number, first: number, n: number, rng: Rng, sde?: Sde): F32Buffer {
  const { core } = model,
    d = model.dim;
  return core.scope((scope) => {
    const all = scope.f32(total * d);
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
    const block = scope.f32(n * d);
    block.set(all.view.subarray(first * d, (first + n) * d));
    return block;
  });
}

/**
 * The hold of a run with the coordinates that were constant in the training data added, at their value: the
 * data say nothing about the score there, so a sampler would only add noise (a pixel that is always 0 stays 0).
 * They are held as inpainting holds given coordinates, and come back exactly as recorded in the model.
 */
function holdConstants(model: ScoreSource, hold: SampleOptions['hold'], n: number): SampleOptions['hold'] {
  const d = model.dim,
    { constant = [], mean } = model.normalization;
  const extra = constant.filter((c) => !hold?.coords.includes(c));
  if (!extra.length || (hold && hold.points.cols !== d)) return hold; // a wrong hold is refused with its own message
  const rows = hold?.points.rows ?? n;
  const data = hold ? Float64Array.from(hold.points.data) : new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) for (const c of extra) data[i * d + c] = mean[c];
  return { coords: [...(hold?.coords ?? []), ...extra], points: { data, rows, cols: d } };
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
