/**
 * The app state that defines a run (and, in compare mode, a second run beside it): everything that
 * changes the trained bits (data, objective and its options, parametrization, network, optimiser, seed,
 * steps target) and the sampler settings. The run part is described by models' RunSpec (`runOf`), the one
 * description `scorefield train`'s flags, the link (url-state.ts) and the worker share; what the state
 * leaves out is RunSpec's default, as for `scorefield train` without the flag: noise levels chosen from the
 * data, the steps of the objective. Pure logic (no DOM): unit-tested in state.test.ts.
 */
import { datasets, InputError, objectives, type Conditioning, type ObjectiveName, type ScheduleName } from '@scorefield/core-math';
import {
  defaultBatch,
  defaultHidden,
  defaultLrDecay,
  defaultSteps,
  runDefaults,
  runFromFlags,
  runObjective,
  runToCliArgs,
  samplers,
  type ObjectiveRequest,
  type RunFlag,
  type RunFlags,
  type RunSpec,
  type SamplerName,
} from '@scorefield/models';
import { PAGE_DIGITS } from './mnist-subset.js';

export type { SamplerName };
export const samplerNames = Object.keys(samplers) as SamplerName[];

/** A run: what trains (and, with the sampler fields, what samples). */
export interface AppState {
  /** A built-in dataset name, 'drawn' (points in `points`), or 'file' (a dropped file: not in the URL). */
  data: string;
  /** Points drawn from a built-in dataset (the CLI's --data-size; mnist: its first digits, at most PAGE_DIGITS here). */
  dataSize: number;
  /** mnist: the image side (the CLI's --image-size; the page picks 14 with mnist, RunSpec's default is 28). */
  imageSize: RunSpec['imageSize'];
  /** Drawn points [x0, y0, x1, y1, ...], quantised to 1e-3 so they survive the URL bit for bit. */
  points?: Float32Array;
  loss: ObjectiveName;
  /** dsm noise level (standardised units); undefined: chosen from the data. */
  sigma?: number;
  projection: RunSpec['projection'];
  slices: number;
  /** ncsn noise ladder; undefined: chosen from the data. */
  ladder?: Ladder;
  sde: 've' | 'vp';
  /** The VE SDE's sigma_max and sigma_min (standardised units); undefined: chosen from the data. */
  sdeSigmaMax?: number;
  sdeSigmaMin?: number;
  kind: RunSpec['kind'];
  conditioning: Conditioning | 'auto';
  /** Hidden widths; undefined: the library's default for the data (defaultHidden of the page's 2-D data). */
  hidden?: number[];
  activation: RunSpec['activation'];
  lr: number;
  /** Points per step; undefined: the library's default for the objective (defaultBatch of the page's 2-D data). */
  batch?: number;
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

/** The ladder of a --sigmas text that RunSpec accepted (so its four parts are there and are numbers). */
export function ladderOf(text: string): Ladder {
  const [schedule, max, min, levels] = text.split(':');
  return { schedule: schedule as ScheduleName, max: Number(max), min: Number(min), levels: Number(levels) };
}

/** What the second run of compare mode changes. */
export interface CompareSpec {
  loss: ObjectiveName;
  kind: RunSpec['kind'];
}

/** The fields of the state that describe the run (the rest are the sampler's and compare mode's). */
type RunFields = Omit<AppState, 'points' | 'sampler' | 'sampleSteps' | 'stepSize' | 'particles' | 'sampleSeed' | 'compare'>;

/**
 * The run of a state, as models' RunSpec describes it for `scorefield train`, the link and the trainer.
 * What the page does not set (where noise levels come from, lr decay, clipping, standardisation) is
 * RunSpec's default; options of other objectives stay in the state (for switching back) but RunSpec's
 * writers and the trainer use only the chosen objective's.
 */
export function runOf(s: AppState): RunSpec {
  const run: RunSpec = {
    ...runDefaults,
    data: s.data,
    dataSize: s.dataSize,
    // Only mnist has an image size; the state keeps its choice for switching back.
    imageSize: s.data === MNIST ? s.imageSize : runDefaults.imageSize,
    loss: s.loss,
    projection: s.projection,
    slices: s.slices,
    ...(s.sigma !== undefined && { sigma: s.sigma }),
    ...(s.ladder && { sigmas: ladderText(s.ladder) }),
    sde: s.sde,
    ...(s.sdeSigmaMax !== undefined && { sigmaMax: s.sdeSigmaMax }),
    ...(s.sdeSigmaMin !== undefined && { sigmaMin: s.sdeSigmaMin }),
    kind: s.kind,
    ...(s.conditioning !== 'auto' && { conditioning: s.conditioning }),
    ...(s.hidden !== undefined && { hidden: s.hidden }),
    activation: s.activation,
    ...(s.steps !== undefined && { steps: s.steps }),
    ...(s.batch !== undefined && { batch: s.batch }),
    lr: s.lr,
    ema: s.ema,
    seed: s.seed,
  };
  // A page run has no fixed end (its steps target moves, and at the target the page trains on), so a learning-rate
  // schedule over the run's length (dsm's default, linear-tail) cannot apply: the page trains at a constant rate, and
  // its command says so (--lr-decay none), so the CLI still makes the page's bytes.
  return defaultLrDecay(runObjective(run)) === 'none' ? run : { ...run, lrDecay: 'none' };
}

/** The state's run fields for a run: the inverse of {@link runOf} on what the page sets. */
export function runFields(run: RunSpec): RunFields {
  return {
    data: run.data,
    dataSize: run.dataSize,
    imageSize: run.imageSize,
    loss: run.loss,
    projection: run.projection,
    slices: run.slices,
    ...(run.sigma !== undefined && { sigma: run.sigma }),
    ...(run.sigmas !== undefined && { ladder: ladderOf(run.sigmas) }),
    sde: run.sde,
    ...(run.sigmaMax !== undefined && { sdeSigmaMax: run.sigmaMax }),
    ...(run.sigmaMin !== undefined && { sdeSigmaMin: run.sigmaMin }),
    kind: run.kind,
    conditioning: run.conditioning ?? 'auto',
    ...(run.hidden !== undefined && { hidden: [...run.hidden] }),
    activation: run.activation,
    ...(run.steps !== undefined && { steps: run.steps }),
    ...(run.batch !== undefined && { batch: run.batch }),
    lr: run.lr,
    ema: run.ema,
    seed: run.seed,
  };
}

/** The defaults are RunSpec's, as `scorefield train` has them, so the default page trains the CLI's default model. */
export const defaults: Readonly<AppState> = Object.freeze({
  ...runFields(runDefaults),
  sampler: 'auto',
  particles: 1000,
  sampleSeed: 1,
  compare: null,
}) as AppState;

export const datasetNames = Object.keys(datasets);
/** The image data set (`scorefield train --data mnist`): the page's image mode. */
export const MNIST = 'mnist';
/** The image side the page picks with mnist: 14x14 trains live in a few minutes (28x28 is selectable). */
export const PAGE_IMAGE_SIZE = 14;

/** Image mode samples an 8 x 8 grid of images (and shows as many training digits). */
export const GRID_IMAGES = 64;

/** True when the state trains on images (mnist): the view is a grid of images, not a plane. */
export function imageMode(s: Pick<AppState, 'data'>): boolean {
  return s.data === MNIST;
}

/** The dimension of the state's data: 2, or the pixels of an image. */
export function dimOf(s: Pick<AppState, 'data' | 'imageSize'>): number {
  return imageMode(s) ? s.imageSize * s.imageSize : 2;
}

/**
 * The state after the data picker moved from `prev.data` to `next.data`. Picking mnist starts from the page's
 * image size and every digit it holds, and from ncsn (the grid forms as annealed Langevin runs; dsm's one noise level
 * and plain Langevin do not make digits, and continuous models of images, the page's 2-D default, are not measured);
 * compare mode is off
 * (image runs take both cores). Leaving mnist for a 2-D dataset draws that dataset's default number of points.
 */
export function withData(prev: AppState, next: AppState): AppState {
  if (next.data === prev.data) return next;
  if (imageMode(next))
    return {
      ...next,
      imageSize: PAGE_IMAGE_SIZE,
      dataSize: PAGE_DIGITS,
      loss: 'ncsn',
      conditioning: next.loss === 'ncsn' ? next.conditioning : 'auto',
      compare: null,
    };
  return imageMode(prev) ? { ...next, dataSize: defaults.dataSize } : next;
}
export const objectiveNames = Object.keys(objectives) as ObjectiveName[];

/** The run flags the page sets (in the link, the controls); the others are RunSpec's defaults. */
export const pageFlags = [
  'data',
  'data-size',
  'image-size',
  'loss',
  'projections',
  'slices',
  'sigma',
  'sigmas',
  'sde',
  'sigma-max',
  'sigma-min',
  'model',
  'conditioning',
  'hidden',
  'activation',
  'steps',
  'batch',
  'lr',
  'ema',
  'seed',
] as const satisfies readonly RunFlag[];
export type PageFlag = (typeof pageFlags)[number];

/** Limits of the page beyond RunSpec's (what its view, memory and controls are made for), with why. */
const pageLimits: Partial<Record<PageFlag, [ok: (run: RunSpec) => boolean, why: string | ((run: RunSpec) => string)]>> = {
  data: [
    (r) => datasetNames.includes(r.data) || r.data === MNIST || r.data === 'drawn' || r.data === 'file',
    `expected one of ${datasetNames.join(', ')}, ${MNIST}, drawn`,
  ],
  'data-size': [
    (r) => (r.data === MNIST ? r.dataSize >= GRID_IMAGES && r.dataSize <= PAGE_DIGITS : r.dataSize >= 2 && r.dataSize <= 1_000_000),
    (r) =>
      r.data === MNIST
        ? `expected an integer between ${GRID_IMAGES} and ${PAGE_DIGITS} (the MNIST digits the page holds)`
        : 'expected an integer between 2 and 1000000',
  ],
  hidden: [
    (r) => r.hidden!.length <= 8 && r.hidden!.every((w) => w <= 1024),
    'expected at most 8 comma-separated widths between 1 and 1024',
  ],
  batch: [(r) => r.batch! <= 65_536, 'expected an integer between 1 and 65536'],
  steps: [(r) => r.steps! <= 10_000_000, 'expected an integer between 1 and 10000000'],
};

/**
 * A run flag's value read on this page: the run it gives (with `context`'s flags, e.g. the loss it is an
 * option of), or what is wrong with it: RunSpec's rules (the CLI's: decimal numbers only, names from their
 * registries, only options of the loss), then the page's own limits.
 */
export function readRunFlag(flag: PageFlag, raw: string, context: RunFlags = {}): { run: RunSpec } | { problem: string } {
  let run: RunSpec;
  try {
    run = runFromFlags({ ...context, [flag]: raw });
  } catch (e) {
    if (e instanceof InputError) return { problem: e.message.replace(/^--[a-z-]+: /, '') };
    throw e;
  }
  const limit = pageLimits[flag];
  if (!limit || limit[0](run)) return { run };
  return { problem: typeof limit[1] === 'string' ? limit[1] : limit[1](run) };
}

/** The objective with its options, as `scorefield train` builds it from the same flags (RunSpec's runObjective). */
export function objectiveSpec(s: AppState): ObjectiveRequest {
  return runObjective(runOf(s));
}

/** The steps target of a state: its own, or the library's default for its objective. */
export function stepsOf(s: AppState): number {
  const run = runOf(s);
  return run.steps ?? defaultSteps(runObjective(run), dimOf(s));
}

/** Points per step of a state: its own, or the library's default for its data's dimension and its objective. */
export function batchOf(s: AppState): number {
  return s.batch ?? defaultBatch(runObjective(runOf(s)), dimOf(s), s.kind);
}

/** The hidden widths of a state: its own, or the library's default for its data's dimension and its objective. */
export function hiddenOf(s: AppState): number[] {
  return s.hidden ?? defaultHidden(dimOf(s), runObjective(runOf(s)));
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
    adaptive: s.loss === 'continuous' ? null : 'needs a model trained with continuous (VE/VP)',
    dpm: s.loss === 'continuous' ? null : 'needs a model trained with continuous (VE/VP)',
    'dpm-sde': s.loss === 'continuous' ? null : 'needs a model trained with continuous (VE/VP)',
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

/** The settings that differ between two states, said briefly ("seed 3 → 4, lr 0.001 → 0.003"). */
export function describeChange(a: AppState, b: AppState): string {
  const show = (s: AppState): Record<string, string> => ({
    data: s.data,
    [imageMode(s) ? 'digits' : 'training points']: String(s.dataSize),
    'image size': imageMode(s) ? String(s.imageSize) : '',
    loss: s.loss,
    σ: s.loss === 'dsm' ? (s.sigma?.toString() ?? 'from the data') : '',
    projections: s.loss.startsWith('ssm') ? `${s.projection} × ${s.slices}` : '',
    'noise levels': s.loss === 'ncsn' ? (s.ladder ? ladderText(s.ladder) : 'from the data') : '',
    SDE: s.loss === 'continuous' ? s.sde : '',
    'σ max': s.loss === 'continuous' && s.sde === 've' ? (s.sdeSigmaMax?.toString() ?? 'from the data') : '',
    'σ min': s.loss === 'continuous' && s.sde === 've' ? (s.sdeSigmaMin?.toString() ?? 'from the data') : '',
    model: s.kind,
    conditioning: s.conditioning,
    hidden: hiddenOf(s).join(','),
    activation: s.activation,
    lr: String(s.lr),
    batch: String(batchOf(s)),
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

/**
 * `scorefield train ...` for this state: RunSpec's arguments in the CLI's order, only what differs from the
 * defaults. Built-in datasets, or a loaded file by its name; null for drawn points (not on the command line).
 */
export function cliCommand(s: AppState, out = 'model.safetensors', fileName?: string): string | null {
  return cliWords(s, out, fileName)?.join(' ') ?? null;
}

/**
 * The words of {@link cliCommand}, each as the shell reads it (quoted when it must be): the page prints each
 * word unbroken, so the command wraps between arguments only (never inside `--out`).
 */
export function cliWords(s: AppState, out = 'model.safetensors', fileName?: string): string[] | null {
  const builtin = Object.hasOwn(datasets, s.data) || imageMode(s);
  const data = builtin ? s.data : s.data === 'file' ? fileName : undefined;
  if (data === undefined) return null;
  // A file has no points drawn: --data-size does not apply to it.
  const args = runToCliArgs({ ...runOf(s), data, dataSize: builtin ? s.dataSize : runDefaults.dataSize });
  return ['scorefield', 'train', ...args, '--out', out].map(shellWord);
}

/** A word for a POSIX shell: as it is when it is safe, in single quotes otherwise (a file name with spaces). */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

/** A conditioning that the objective cannot train, or null. */
export function validateState(s: AppState): string | null {
  if (!noiseConditional(s) && s.loss !== 'dsm' && s.conditioning !== 'auto' && s.conditioning !== 'none') {
    return `${s.loss} trains an unconditional model; conditioning must be none, not ${s.conditioning}`;
  }
  return null;
}
