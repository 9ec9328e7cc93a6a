import {
  activations,
  conditionings,
  InputError,
  lookup,
  modelKinds,
  objectives,
  projections,
  type Activation,
  type Conditioning,
  type ModelKind,
  type ObjectiveName,
  type Projection,
} from '@scorefield/core-math';
import { intFlag, intListFlag, positiveFlag, sigmasFlag, strictNumber } from './flag-values.js';
import type { NoiseLevelSource, ObjectiveRequest } from './noise-levels.js';
import { lowDimensional, lrDecays, trainDefaults, type defaultLrDecay, type LrDecay, type TrainOptions } from './train.js';

/**
 * One description of a training run: what `scorefield train`'s flags, the web page's link and its training
 * worker all encode. The same run gives the same model bytes from any of them (the CLI and the page are
 * checked against each other byte for byte). Noise levels, widths, steps, batch and the conditioning left undefined are
 * chosen by the trainer (from the data, the objective).
 */
export interface RunSpec {
  /** A built-in dataset name, or the label of the data the caller supplies (a file name). */
  data: string;
  /** Points drawn from a built-in dataset (MNIST: its first `dataSize` train digits). */
  dataSize: number;
  /** MNIST (`data: 'mnist'`): the image side, 28 as stored or 14 (2x2 mean pooling). */
  imageSize: 14 | 28;
  loss: ObjectiveName;
  /** ssm, ssm-vr: the projections and how many per point. */
  projection: Projection;
  slices: number;
  /** dsm: the noise level (standardised units). */
  sigma?: number;
  /** ncsn: the levels as `schedule:max:min:levels` (e.g. `geometric:1:0.01:10`). */
  sigmas?: string;
  /** continuous: the SDE, and the VE SDE's largest and smallest noise levels. */
  sde: 've' | 'vp';
  sigmaMax?: number;
  sigmaMin?: number;
  /** Where noise levels that are not given come from. */
  noiseLevels: NoiseLevelSource;
  kind: ModelKind;
  conditioning?: Conditioning;
  /** Hidden widths (absent: the trainer's {@link defaultHidden} of the data's dimension and objective). */
  hidden?: number[];
  activation: Activation;
  steps?: number;
  /** Points per step (absent: the trainer's {@link defaultBatch} of the data's dimension and objective). */
  batch?: number;
  lr: number;
  /** Learning-rate schedule (absent: the trainer's {@link defaultLrDecay} of the objective: linear-tail for dsm). */
  lrDecay?: LrDecay;
  clipGrad?: number;
  /** Per coordinate (true), one mean and std for all (`'global'`), none (false); absent: the trainer's default. */
  standardize?: boolean | 'global';
  ema: number;
  seed: number;
}

/**
 * The run with nothing chosen: the CLI's and the page's defaults. Its objective is continuous (a VE SDE over the noise
 * levels chosen from the data, sampled by pc): with its defaults the one that met the MMD² goal on the built-in
 * datasets, where dsm's single noise level cannot move samples between far-apart modes or weigh them (2spirals,
 * pinwheel, 25gaussians, ncsn-mix; Song & Ermon 2019, section 3; docs/results, apps/web/docs/targets.md). The
 * library's Trainer keeps dsm ({@link trainDefaults}), one level and 3000 steps.
 */
export const runDefaults: Readonly<RunSpec> = Object.freeze({
  data: '8gaussians',
  dataSize: 10_000,
  imageSize: 28,
  loss: 'continuous',
  projection: 'gaussian',
  slices: 1,
  sde: 've',
  noiseLevels: trainDefaults.noiseLevels,
  kind: trainDefaults.kind,
  activation: trainDefaults.activation,
  lr: trainDefaults.lr,
  ema: trainDefaults.ema,
  seed: trainDefaults.seed,
}) as RunSpec;

/**
 * The objective of a run that names none, by the data's dimension d: {@link runDefaults}' continuous up to 4 dimensions,
 * the regime its defaults were chosen and measured on (docs/results, "Defaults"); ncsn above, whose score networks take
 * the 'mixture' skip (defaultConditioning) measured on MNIST and on CSVs of 64-784 columns (apps/cli README, "Images").
 * Above 4 dimensions continuous takes 'both', whose samples of 14x14 MNIST were noise (KID 6.7e8 against 0.03 for ncsn).
 */
export function defaultLoss(d: number): ObjectiveName {
  return lowDimensional(d) ? runDefaults.loss : 'ncsn';
}

/**
 * The flags of a run, as `scorefield train` names them; the link uses the same names. Each maps to its
 * field of {@link RunSpec}, and (for an objective's options) the losses it applies to.
 */
export const runFlags = {
  data: { field: 'data' },
  'data-size': { field: 'dataSize' },
  'image-size': { field: 'imageSize' },
  loss: { field: 'loss' },
  projections: { field: 'projection', losses: ['ssm', 'ssm-vr'] },
  slices: { field: 'slices', losses: ['ssm', 'ssm-vr'] },
  sigma: { field: 'sigma', losses: ['dsm'] },
  sigmas: { field: 'sigmas', losses: ['ncsn'] },
  sde: { field: 'sde', losses: ['continuous'] },
  'sigma-max': { field: 'sigmaMax', losses: ['continuous'] },
  'sigma-min': { field: 'sigmaMin', losses: ['continuous'] },
  'noise-levels': { field: 'noiseLevels' },
  model: { field: 'kind' },
  conditioning: { field: 'conditioning' },
  hidden: { field: 'hidden' },
  activation: { field: 'activation' },
  steps: { field: 'steps' },
  batch: { field: 'batch' },
  lr: { field: 'lr' },
  'lr-decay': { field: 'lrDecay' },
  'clip-grad': { field: 'clipGrad' },
  standardize: { field: 'standardize' },
  ema: { field: 'ema' },
  seed: { field: 'seed' },
} as const satisfies Record<string, { field: keyof RunSpec; losses?: readonly ObjectiveName[] }>;

export type RunFlag = keyof typeof runFlags;
/** Flag values as text (absent: the default); `data` is required by the CLI, not here. */
export type RunFlags = Partial<Record<RunFlag, string>>;

/** The value `'data'`: a noise level left to the trainer (the CLI's spelling of "not given"). */
const FROM_DATA = 'data';

/**
 * The run the flags describe, every value checked by the CLI's rules (decimal numbers only, names from
 * their registries). A flag that does not apply to the loss is an input error naming both, so a typo in
 * the loss cannot silently drop an option.
 */
export function runFromFlags(flags: RunFlags): RunSpec {
  const f = (flag: RunFlag): string | undefined => (Object.hasOwn(flags, flag) ? flags[flag] : undefined);
  const d = runDefaults;
  const loss = (f('loss') ?? d.loss) as ObjectiveName;
  lookup(objectives, loss, 'loss');
  for (const [flag, spec] of Object.entries(runFlags) as [RunFlag, { losses?: readonly string[] }][]) {
    if (spec.losses && f(flag) !== undefined && !spec.losses.includes(loss))
      throw new InputError(`--${flag} applies to --loss ${spec.losses.join(' and ')}, not ${loss}`);
  }
  const pick = <T>(flag: RunFlag, table: Record<string, unknown>, what: string, fallback: T): T => {
    const v = f(flag);
    if (v === undefined) return fallback;
    lookup(table, v, what);
    return v as T;
  };
  // Noise levels may also be given as 'data': left to the trainer, as when absent.
  const optional = <T>(flag: RunFlag, read: (raw: string) => T, fromData = false): T | undefined => {
    const v = f(flag);
    return v === undefined || (fromData && v === FROM_DATA) ? undefined : read(v);
  };
  const sde = pick<'ve' | 'vp'>('sde', { ve: 1, vp: 1 }, 'sde', d.sde);
  if (sde === 'vp' && (f('sigma-max') !== undefined || f('sigma-min') !== undefined))
    throw new InputError('--sigma-max and --sigma-min apply to --sde ve (the VP SDE has a beta schedule)');
  const ema = f('ema') === undefined ? d.ema : strictNumber(f('ema'));
  if (ema === undefined || !(ema >= 0 && ema < 1)) throw new InputError(`--ema: expected a number in [0, 1), got '${f('ema')}'`);
  const run: RunSpec = {
    data: f('data') ?? d.data,
    dataSize: f('data-size') === undefined ? d.dataSize : intFlag('data-size', f('data-size'), 1, 1e8),
    imageSize: f('image-size') === undefined ? d.imageSize : lookup({ 28: 28, 14: 14 } as const, f('image-size')!, '--image-size'),
    loss,
    projection: pick('projections', projections, 'projection', d.projection),
    slices: f('slices') === undefined ? d.slices : intFlag('slices', f('slices'), 1, 4096),
    sigma: optional('sigma', (v) => positiveFlag('sigma', v), true),
    sigmas: optional('sigmas', checkedSchedule, true),
    sde,
    sigmaMax: optional('sigma-max', (v) => positiveFlag('sigma-max', v), true),
    sigmaMin: optional('sigma-min', (v) => positiveFlag('sigma-min', v), true),
    noiseLevels: pick('noise-levels', { data: 1, fixed: 1 }, '--noise-levels value', d.noiseLevels),
    kind: pick('model', modelKinds, 'model', d.kind),
    conditioning: pick<Conditioning | undefined>('conditioning', conditionings, 'conditioning', undefined),
    hidden: optional('hidden', (v) => intListFlag('hidden', v)),
    activation: pick('activation', activations, 'activation', d.activation),
    steps: optional('steps', (v) => intFlag('steps', v, 1, 1e9)),
    batch: optional('batch', (v) => intFlag('batch', v, 1, 1 << 20)),
    lr: f('lr') === undefined ? d.lr : positiveFlag('lr', f('lr')),
    lrDecay: pick<LrDecay | undefined>('lr-decay', lrDecays, 'lr decay', undefined),
    clipGrad: optional('clip-grad', (v) => positiveFlag('clip-grad', v)),
    standardize: optional('standardize', (v) => lookup({ yes: true, no: false, global: 'global' } as const, v, '--standardize value')),
    ema,
    seed: f('seed') === undefined ? d.seed : intFlag('seed', f('seed'), 0, 2 ** 32 - 1),
  };
  return withoutUndefined(run);
}

/** The flags of a run that differ from {@link runDefaults}, in the CLI's order (data and loss always). */
export function runToFlags(run: RunSpec): [RunFlag, string][] {
  const d = runDefaults,
    out: [RunFlag, string][] = [];
  const applies = (flag: RunFlag) => {
    const losses = (runFlags[flag] as { losses?: readonly string[] }).losses;
    // The VE SDE's levels only: runFromFlags refuses them beside --sde vp.
    if ((flag === 'sigma-max' || flag === 'sigma-min') && run.sde !== 've') return false;
    return !losses || losses.includes(run.loss);
  };
  for (const flag of Object.keys(runFlags) as RunFlag[]) {
    const v = run[runFlags[flag].field];
    if (v === undefined || !applies(flag)) continue;
    const text = Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
    const def = d[runFlags[flag].field];
    const defText =
      def === undefined ? undefined : Array.isArray(def) ? def.join(',') : typeof def === 'boolean' ? (def ? 'yes' : 'no') : String(def);
    if (flag === 'data' || flag === 'loss' || text !== defText) out.push([flag, text]);
  }
  return out;
}

/** `scorefield train` arguments for a run (without the verb and --out). */
export function runToCliArgs(run: RunSpec): string[] {
  return runToFlags(run).flatMap(([flag, v]) => [`--${flag}`, v]);
}

/** A run as link parameters (the flags that differ from the defaults, under the flags' names). */
export function runToUrlState(run: RunSpec): URLSearchParams {
  return new URLSearchParams(runToFlags(run));
}

/** The run of a link's parameters (other parameters are left to the caller), by the CLI's rules. */
export function runFromUrlState(params: URLSearchParams): RunSpec {
  const flags: RunFlags = {};
  for (const flag of Object.keys(runFlags) as RunFlag[]) {
    const v = params.get(flag);
    if (v !== null) flags[flag] = v;
  }
  return runFromFlags(flags);
}

/** The objective of a run with its options; noise levels not given are left for the trainer to choose. */
export function runObjective(run: RunSpec): ObjectiveRequest {
  switch (run.loss) {
    case 'ssm':
    case 'ssm-vr':
      return { name: run.loss, projection: run.projection, slices: run.slices };
    case 'dsm':
      return run.sigma === undefined ? { name: 'dsm' } : { name: 'dsm', sigma: run.sigma };
    case 'ncsn':
      return run.sigmas === undefined ? { name: 'ncsn' } : { name: 'ncsn', sigmas: sigmasFlag(run.sigmas) };
    case 'continuous':
      return {
        name: 'continuous',
        sde: run.sde,
        ...(run.sde === 've' && run.sigmaMax !== undefined && { sigmaMax: run.sigmaMax }),
        ...(run.sde === 've' && run.sigmaMin !== undefined && { sigmaMin: run.sigmaMin }),
      };
    default:
      return { name: 'esm' };
  }
}

/** The trainer's options for a run (the data is the caller's: built-in names are drawn with `dataSize` and `seed`). */
export function runToTrainOptions(run: RunSpec): TrainOptions & { seed: number } {
  return {
    ...(run.hidden !== undefined && { hidden: run.hidden }),
    activation: run.activation,
    ...(run.steps !== undefined && { steps: run.steps }),
    ...(run.batch !== undefined && { batch: run.batch }),
    lr: run.lr,
    ...(run.lrDecay !== undefined && { lrDecay: run.lrDecay }),
    ...(run.clipGrad !== undefined && { clipGrad: run.clipGrad }),
    ...(run.standardize !== undefined && { standardize: run.standardize }),
    loss: runObjective(run),
    noiseLevels: run.noiseLevels,
    ema: run.ema,
    kind: run.kind,
    conditioning: run.conditioning,
    seed: run.seed,
  };
}

/** A --sigmas schedule text, checked (the levels are built from it when the run trains). */
function checkedSchedule(text: string): string {
  sigmasFlag(text);
  return text;
}

function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
