/**
 * The app state that defines a run (and, in compare mode, a second run beside it): everything that
 * changes the trained bits (data, objective and its options, parametrization, network, optimiser, seed,
 * steps target) and the sampler settings. The one module that describes a run for the page, the URL
 * (url-state.ts) and the worker (trainConfig). What the state leaves out is the library's default, as for
 * `scorefield train` without the flag: noise levels chosen from the data, the steps of the objective, the
 * EMA of the weights (@scorefield/models). Pure logic (no DOM): unit-tested in state.test.ts.
 */
import {
  datasets,
  objectives,
  sigmaSchedule,
  type Activation,
  type Conditioning,
  type ModelKind,
  type ObjectiveName,
  type Projection,
  type ScheduleName,
} from '@scorefield/core-math';
import { defaultSteps, samplers, trainDefaults, type ObjectiveRequest, type SamplerName } from '@scorefield/models';
import type { TrainConfig } from './protocol.js';

export type { SamplerName };
export const samplerNames = Object.keys(samplers) as SamplerName[];

/** A run: what trains (and, with the sampler fields, what samples). */
export interface AppState {
  /** A built-in dataset name, 'drawn' (points in `points`), or 'file' (a dropped file: not in the URL). */
  data: string;
  /** Points drawn from a built-in dataset (the CLI's --data-size). */
  dataSize: number;
  /** Drawn points [x0, y0, x1, y1, ...], quantised to 1e-3 so they survive the URL bit for bit. */
  points?: Float32Array;
  loss: ObjectiveName;
  /** dsm noise level (standardised units); undefined: chosen from the data. */
  sigma?: number;
  projection: Projection;
  slices: number;
  /** ncsn noise ladder; undefined: chosen from the data. */
  ladder?: Ladder;
  sde: 've' | 'vp';
  /** The VE SDE's sigma_max and sigma_min (standardised units); undefined: chosen from the data. */
  sdeSigmaMax?: number;
  sdeSigmaMin?: number;
  kind: ModelKind;
  conditioning: Conditioning | 'auto';
  hidden: number[];
  activation: Activation;
  lr: number;
  batch: number;
  seed: number;
  /** Train exactly this many Adam steps, then stop; undefined: the library's default for the objective. */
  steps?: number;
  /** Decay of the exponential moving average of the weights that are saved and sampled (0: none). */
  ema: number;
  /** 'auto': the sampler the model is meant for (models' defaultSampler: annealed for ncsn, pc for continuous). */
  sampler: SamplerName | 'auto';
  /** Sampler steps (langevin: steps, annealed: per level, pc: predictor steps); undefined: the sampler's default. */
  sampleSteps?: number;
  /** langevin alpha / annealed eps; undefined: the sampler's default. */
  stepSize?: number;
  particles: number;
  sampleSeed: number;
  /** Compare mode: a second run on the same data with the same seed and settings but this objective and parametrization. */
  compare: CompareSpec | null;
}

/** An ncsn noise ladder: `schedule` from sigma max down to sigma min in `levels` levels (the CLI's --sigmas). */
export interface Ladder {
  schedule: ScheduleName;
  max: number;
  min: number;
  levels: number;
}

/** The ladder the ladder fields start from before one was chosen: the library's fixed one. */
export const fixedLadder: Readonly<Ladder> = Object.freeze({ schedule: 'geometric', max: 1, min: 0.01, levels: 10 });

/** The --sigmas text of a ladder. */
export const ladderText = (l: Ladder) => `${l.schedule}:${l.max}:${l.min}:${l.levels}`;

/** What the second run of compare mode changes. */
export interface CompareSpec {
  loss: ObjectiveName;
  kind: ModelKind;
}

/** The defaults are the library's, as `scorefield train` has them, so the default page trains the CLI's default model. */
export const defaults: Readonly<AppState> = Object.freeze({
  data: '8gaussians',
  dataSize: 10_000,
  loss: trainDefaults.loss.name,
  projection: 'gaussian',
  slices: 1,
  sde: 've',
  kind: trainDefaults.kind,
  conditioning: 'auto',
  hidden: trainDefaults.hidden,
  activation: trainDefaults.activation,
  lr: trainDefaults.lr,
  batch: trainDefaults.batch,
  seed: trainDefaults.seed,
  ema: trainDefaults.ema,
  sampler: 'auto',
  particles: 1000,
  sampleSeed: 1,
  compare: null,
}) as AppState;

export const datasetNames = Object.keys(datasets);
export const objectiveNames = Object.keys(objectives) as ObjectiveName[];

/**
 * The objective with its options, built exactly as the CLI builds it from its flags (same keys, same order,
 * same numbers); noise levels left out are chosen from the data by the trainer.
 */
export function objectiveSpec(s: AppState): ObjectiveRequest {
  switch (s.loss) {
    case 'ssm':
    case 'ssm-vr':
      return { name: s.loss, projection: s.projection, slices: s.slices };
    case 'dsm':
      return s.sigma === undefined ? { name: 'dsm' } : { name: 'dsm', sigma: s.sigma };
    case 'ncsn':
      return s.ladder
        ? { name: 'ncsn', sigmas: sigmaSchedule(s.ladder.schedule, s.ladder.max, s.ladder.min, s.ladder.levels) }
        : { name: 'ncsn' };
    case 'continuous':
      return {
        name: 'continuous',
        sde: s.sde,
        ...(s.sde === 've' && s.sdeSigmaMax !== undefined && { sigmaMax: s.sdeSigmaMax }),
        ...(s.sde === 've' && s.sdeSigmaMin !== undefined && { sigmaMin: s.sdeSigmaMin }),
      };
    default:
      return { name: 'esm' };
  }
}

/** The steps target of a state: its own, or the library's default for its objective. */
export function stepsOf(s: AppState): number {
  return s.steps ?? defaultSteps(objectiveSpec(s));
}

/** True when the objective trains a noise-conditional model (ncsn, continuous). */
export function noiseConditional(s: AppState): boolean {
  return s.loss === 'ncsn' || s.loss === 'continuous';
}

/** Which samplers fit the model this state trains, and why not where they do not. */
export function samplerAvailability(s: AppState): Record<SamplerName, string | null> {
  return {
    langevin: null,
    annealed: noiseConditional(s) ? null : 'needs a noise-conditional model (ncsn or continuous)',
    pc: s.loss === 'continuous' ? null : 'needs a model trained with continuous (VE/VP)',
    ode: s.loss === 'continuous' ? null : 'needs a model trained with continuous (VE/VP)',
  };
}

/** The sampler to ask for: the chosen one if it fits the model; undefined (the model's default sampler) otherwise. */
export function effectiveSampler(s: AppState): SamplerName | undefined {
  return s.sampler !== 'auto' && samplerAvailability(s)[s.sampler] === null ? s.sampler : undefined;
}

/**
 * The runs of a state: the run, and in compare mode the second one (its conditioning back to the default if
 * the first's does not fit it).
 */
export function runStates(s: AppState): AppState[] {
  if (!s.compare) return [s];
  const b: AppState = { ...s, loss: s.compare.loss, kind: s.compare.kind, compare: null };
  if (validateState(b) !== null) b.conditioning = 'auto';
  return [{ ...s, compare: null }, b];
}

/** What the worker trains for this state: exactly the options `scorefield train` passes for the same flags. */
export function trainConfig(s: AppState): TrainConfig {
  return {
    hidden: s.hidden,
    activation: s.activation,
    loss: objectiveSpec(s),
    kind: s.kind,
    conditioning: s.conditioning === 'auto' ? undefined : s.conditioning,
    batch: s.batch,
    lr: s.lr,
    seed: s.seed,
    steps: s.steps,
    ema: s.ema,
  };
}

/** The settings that differ between two states, said briefly ("seed 3 → 4, lr 0.001 → 0.003"). */
export function describeChange(a: AppState, b: AppState): string {
  const show = (s: AppState): Record<string, string> => ({
    data: s.data,
    'points drawn': String(s.dataSize),
    loss: s.loss,
    σ: s.loss === 'dsm' ? (s.sigma?.toString() ?? 'from the data') : '',
    projections: s.loss.startsWith('ssm') ? `${s.projection} × ${s.slices}` : '',
    'noise levels': s.loss === 'ncsn' ? (s.ladder ? ladderText(s.ladder) : 'from the data') : '',
    SDE: s.loss === 'continuous' ? s.sde : '',
    'σ max': s.loss === 'continuous' && s.sde === 've' ? (s.sdeSigmaMax?.toString() ?? 'from the data') : '',
    'σ min': s.loss === 'continuous' && s.sde === 've' ? (s.sdeSigmaMin?.toString() ?? 'from the data') : '',
    model: s.kind,
    conditioning: s.conditioning,
    hidden: s.hidden.join(','),
    activation: s.activation,
    lr: String(s.lr),
    batch: String(s.batch),
    seed: String(s.seed),
    'steps target': String(stepsOf(s)),
    EMA: String(s.ema),
    compare: s.compare ? `${s.compare.loss} ${s.compare.kind}` : 'off',
  });
  const x = show(a),
    y = show(b);
  const changed = Object.keys(x).filter((k) => x[k] !== y[k] && (x[k] || y[k]));
  if (a.data === 'drawn' && b.data === 'drawn' && a.points !== b.points) changed.push('drawn points');
  return changed.map((k) => (k === 'drawn points' ? k : `${k} ${x[k] || '–'} → ${y[k] || '–'}`)).join(', ') || 'reset';
}

/** `scorefield train ...` for this state (built-in datasets only: drawn and file data are not on the command line). */
export function cliCommand(s: AppState, out = 'model.safetensors'): string | null {
  if (!Object.hasOwn(datasets, s.data)) return null;
  const f: string[] = ['scorefield train', `--data ${s.data}`];
  if (s.dataSize !== defaults.dataSize) f.push(`--data-size ${s.dataSize}`);
  f.push(`--loss ${s.loss}`);
  const spec = objectiveSpec(s);
  if (spec.name === 'dsm' && spec.sigma !== undefined) f.push(`--sigma ${spec.sigma}`);
  if (spec.name === 'ssm' || spec.name === 'ssm-vr') f.push(`--projections ${spec.projection}`, `--slices ${spec.slices}`);
  if (s.loss === 'ncsn' && s.ladder) f.push(`--sigmas ${ladderText(s.ladder)}`);
  if (spec.name === 'continuous') {
    f.push(`--sde ${spec.sde}`);
    if (spec.sigmaMax !== undefined) f.push(`--sigma-max ${spec.sigmaMax}`);
    if (spec.sigmaMin !== undefined) f.push(`--sigma-min ${spec.sigmaMin}`);
  }
  f.push(`--model ${s.kind}`);
  if (s.conditioning !== 'auto') f.push(`--conditioning ${s.conditioning}`);
  f.push(`--hidden ${s.hidden.join(',')}`, `--activation ${s.activation}`);
  if (s.steps !== undefined) f.push(`--steps ${s.steps}`);
  f.push(`--batch ${s.batch}`, `--lr ${s.lr}`);
  if (s.ema !== defaults.ema) f.push(`--ema ${s.ema}`);
  f.push(`--seed ${s.seed}`, `--out ${out}`);
  return f.join(' ');
}

/** A conditioning that the objective cannot train, or null. */
export function validateState(s: AppState): string | null {
  if (!noiseConditional(s) && s.loss !== 'dsm' && s.conditioning !== 'auto' && s.conditioning !== 'none') {
    return `${s.loss} trains an unconditional model; conditioning must be none, not ${s.conditioning}`;
  }
  return null;
}

/** Hidden widths from 'W,W,...'; null when invalid. */
export function parseHidden(text: string): number[] | null {
  const parts = text.split(',');
  const widths = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  return widths.length >= 1 && widths.length <= 8 && widths.every((w) => Number.isInteger(w) && w >= 1 && w <= 1024) ? widths : null;
}
