/**
 * The settings form: fills the selects, writes a state into the controls (syncControls) and reads the
 * controls back into a state (readControls), marking the invalid ones. What a change means (a new run,
 * a new target, only the sampler) is `controlKinds`.
 */
import { activations, conditionings, projections, schedules, type ObjectiveName } from '@scorefield/core-math';
import { runFlags, runFromFlags, type RunFlags, type RunSpec, type SamplerName } from '@scorefield/models';
import type { Elements, ElementName } from './elements.js';
import { PAGE_DIGITS } from './mnist-subset.js';
import {
  datasetNames,
  fixedLadder,
  GRID_IMAGES,
  hiddenOf,
  imageMode,
  ladderOf,
  MNIST,
  objectiveNames,
  readRunFlag,
  samplerAvailability,
  stepsOf,
  batchOf,
  validateState,
  type AppState,
  type Ladder,
  type PageFlag,
} from './state.js';

/** What changing a control does: start a new run ('data', 'train'), move the steps target, or only the sampler. */
export type ChangeKind = 'data' | 'train' | 'target' | 'sampler';

export const controlKinds: Partial<Record<ElementName, ChangeKind>> = {
  data: 'data',
  dataSize: 'data',
  imageSize: 'data',
  lossName: 'train',
  sigma: 'train',
  levelsFrom: 'train',
  sdeSigmaMax: 'train',
  sdeSigmaMin: 'train',
  ema: 'train',
  projection: 'train',
  slices: 'train',
  schedule: 'train',
  sigmaMax: 'train',
  sigmaMin: 'train',
  levels: 'train',
  sde: 'train',
  kind: 'train',
  conditioning: 'train',
  hidden: 'train',
  activation: 'train',
  lr: 'train',
  batch: 'train',
  seed: 'train',
  steps: 'target',
  sampler: 'sampler',
  sampleSteps: 'sampler',
  stepSize: 'sampler',
  particles: 'sampler',
  sampleSeed: 'sampler',
  compare: 'train',
  lossB: 'train',
  kindB: 'train',
};

const objectiveLabels: Record<string, string> = {
  esm: 'esm: exact score matching',
  ssm: 'ssm: sliced',
  'ssm-vr': 'ssm-vr: sliced, variance reduced',
  dsm: 'dsm: denoising',
  ncsn: 'ncsn: multi-level denoising',
  continuous: 'continuous: VE/VP SDE',
};

export function setOptions(sel: HTMLSelectElement, items: [string, string][]): void {
  sel.replaceChildren(...items.map(([value, text]) => new Option(text, value)));
}

/** Fills the selects whose options come from the library. */
export function fillSelects(el: Elements): void {
  const same = (names: string[]): [string, string][] => names.map((n) => [n, n]);
  const losses = objectiveNames.map((n): [string, string] => [n, objectiveLabels[n] ?? n]);
  setOptions(el.lossName, losses);
  setOptions(el.lossB, losses);
  setOptions(el.projection, same(Object.keys(projections)));
  setOptions(el.schedule, same(Object.keys(schedules)));
  setOptions(el.conditioning, [['auto', 'default for the loss'], ...same(Object.keys(conditionings))]);
  setOptions(el.activation, same(Object.keys(activations)));
}

/** What the controls offer besides the state: drawn or loaded data, and what the model has. */
export interface Choices {
  /** Points have been drawn (or the state carries some). */
  drawn: boolean;
  /** The name of a loaded file, if any. */
  file?: string;
  /** The rows of the loaded file, if any. */
  fileRows?: number;
  /** The data the view shows of the current run: how many points it draws of how many it trains on. */
  shown?: { points: number; rows: number };
  /** The sampler the current model is meant for (known once the worker built it). */
  autoSampler?: SamplerName;
  /** The noise levels the trainer chose from the data ('' when none). */
  chosen: string;
  /** The ladder the ladder fields show when a ladder of one's own is first picked: the one the data gave, if any. */
  ladderSeed: Ladder;
}

const samplerLabels: Record<SamplerName, string> = {
  langevin: 'Langevin',
  annealed: 'annealed Langevin',
  pc: 'predictor-corrector',
  ode: 'probability-flow ODE',
  adaptive: 'adaptive reverse SDE',
  dpm: 'DPM-Solver-2 (ODE)',
  'dpm-sde': 'SDE-DPM-Solver++(2M)',
};

/** A file name that fits the data picker: its start and its end (with the extension) around an ellipsis. */
export function shortName(name: string, max = 22): string {
  if ([...name].length <= max) return name;
  const chars = [...name],
    tail = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, max - 1 - tail).join('')}…${chars.slice(-tail).join('')}`;
}

/**
 * The data size field: what the run trains on, by the data's kind. A built-in dataset's points are drawn from it
 * (the CLI's --data-size; the field sets them); a file trains on its rows and drawn data on the drawn points (the
 * field shows how many, disabled). The hint says how many the view shows (a seeded random subset past 2000).
 */
export function dataSizeField(s: AppState, choices: Pick<Choices, 'fileRows' | 'shown'>): { label: string; value: string; hint: string } {
  const n = (x: number) => x.toLocaleString('en-US');
  const shown = choices.shown;
  if (imageMode(s))
    return { label: `Digits (the first of the train split, at most ${n(PAGE_DIGITS)})`, value: String(s.dataSize), hint: '' };
  let label: string, rows: number | undefined;
  if (datasetNames.includes(s.data)) [label, rows] = [`Training points (sampled from ${s.data})`, s.dataSize];
  else if (s.data === 'file') [label, rows] = ["Training points (the file's rows)", choices.fileRows];
  else [label, rows] = ['Training points (drawn on the view)', s.points ? s.points.length / 2 : undefined];
  const hint =
    rows !== undefined && shown?.rows === rows
      ? shown.points >= rows
        ? `The view shows all ${n(rows)}.`
        : `The view shows a random ${n(shown.points)} of the ${n(rows)}.`
      : '';
  return { label, value: rows === undefined ? '' : String(rows), hint };
}

/**
 * Writes `s` into the controls. The control that has focus keeps what it shows: the user may be typing in
 * it, and a worker message that syncs the page must not overwrite that (its change event reads it).
 */
export function syncControls(el: Elements, s: AppState, choices: Choices): void {
  const write = (e: HTMLInputElement | HTMLSelectElement, value: string) => {
    if (e !== document.activeElement && e.value !== value) e.value = value;
  };
  const items: [string, string][] = datasetNames.map((n) => [n, n]);
  items.push([MNIST, 'mnist (digit images)']);
  items.push(['drawn', s.points || choices.drawn ? 'drawn points' : 'drawn points (draw on the view)']);
  if (choices.file) items.push(['file', `file: ${shortName(choices.file)}`]);
  const dataSel = el.data;
  if (dataSel.options.length !== items.length || [...dataSel.options].some((o, i) => o.value !== items[i][0] || o.text !== items[i][1])) {
    setOptions(dataSel, items);
    dataSel.value = s.data;
  }
  write(dataSel, s.data);
  // The whole name of a loaded file, which the option may shorten to fit.
  dataSel.title = s.data === 'file' && choices.file ? `file: ${choices.file}` : '';
  const images = imageMode(s);
  const size = dataSizeField(s, choices);
  write(el.dataSize, size.value);
  el.dataSize.disabled = !datasetNames.includes(s.data) && !images;
  el.dataSize.min = images ? String(GRID_IMAGES) : '2';
  el.dataSize.max = images ? String(PAGE_DIGITS) : '1000000';
  if (el.dataSizeLabel.textContent !== size.label) el.dataSizeLabel.textContent = size.label;
  el.dataSizeHint.hidden = !size.hint;
  if (el.dataSizeHint.textContent !== size.hint) el.dataSizeHint.textContent = size.hint;
  el.imageSizeField.hidden = !images;
  write(el.imageSize, String(s.imageSize));
  el.dataHint.hidden = images;
  write(el.lossName, s.loss);
  write(el.sigma, s.sigma === undefined ? '' : String(s.sigma));
  write(el.projection, s.projection);
  write(el.slices, String(s.slices));
  write(el.levelsFrom, s.ladder ? 'ladder' : 'data');
  el.ladderFields.hidden = !s.ladder;
  const ladder = s.ladder ?? choices.ladderSeed;
  write(el.schedule, ladder.schedule);
  write(el.sigmaMax, String(ladder.max));
  write(el.sigmaMin, String(ladder.min));
  write(el.levels, String(ladder.levels));
  el.veFields.hidden = s.sde !== 've';
  write(el.sdeSigmaMax, s.sdeSigmaMax === undefined ? '' : String(s.sdeSigmaMax));
  write(el.sdeSigmaMin, s.sdeSigmaMin === undefined ? '' : String(s.sdeSigmaMin));
  el.chosen.hidden = !choices.chosen;
  el.chosen.textContent = choices.chosen ? `Chosen from the data: ${choices.chosen}.` : '';
  write(el.sde, s.sde);
  write(el.kind, s.kind);
  write(el.conditioning, s.conditioning);
  const unconditional = s.loss === 'esm' || s.loss === 'ssm' || s.loss === 'ssm-vr';
  for (const o of el.conditioning.options) o.disabled = unconditional && o.value !== 'auto' && o.value !== 'none';
  // Blank: the library's default for the data.
  write(el.hidden, s.hidden?.join(',') ?? '');
  el.hidden.placeholder = `${hiddenOf(s).join(',')} (the default)`;
  write(el.activation, s.activation);
  write(el.lr, String(s.lr));
  write(el.batch, s.batch === undefined ? '' : String(s.batch));
  el.batch.placeholder = `${batchOf(s)} (the default for ${s.loss})`;
  write(el.seed, String(s.seed));
  write(el.steps, s.steps === undefined ? '' : String(s.steps));
  el.steps.placeholder = `${stepsOf(s)} (the default for ${s.loss})`;
  write(el.ema, String(s.ema));
  write(el.sampler, s.sampler);
  const avail = samplerAvailability(s);
  for (const o of el.sampler.options) {
    if (o.value === 'auto') {
      // Short enough to show whole in the select; what "auto" means in its title.
      o.text = choices.autoSampler ? `auto: ${samplerLabels[choices.autoSampler]}` : "auto: the model's own";
      o.title = "the sampler the model is meant for, with the library's settings for it";
      continue;
    }
    const why = avail[o.value as SamplerName];
    o.disabled = why !== null;
    o.title = why ?? '';
  }
  // Blank: the library's default for the model (steps and step size depend on the model and sampler).
  write(el.sampleSteps, s.sampleSteps === undefined ? '' : String(s.sampleSteps));
  write(el.stepSize, s.stepSize === undefined ? '' : String(s.stepSize));
  write(el.particles, String(s.particles));
  el.particles.disabled = images;
  el.particles.title = images ? `image mode samples the ${GRID_IMAGES} images of its 8 × 8 grid` : '';
  el.compare.disabled = images;
  el.compare.title = images ? 'image mode trains one run at a time (each takes every core)' : '';
  write(el.sampleSeed, String(s.sampleSeed));
  // The objective's options, for the run and for the compared one.
  const losses = [s.loss, ...(s.compare ? [s.compare.loss] : [])];
  for (const div of el.controls.querySelectorAll<HTMLElement>('[data-for]'))
    div.hidden = !div.dataset.for!.split(' ').some((l) => losses.includes(l as AppState['loss']));
  el.compare.checked = !!s.compare;
  el.compareOptions.hidden = !s.compare;
  write(el.lossB, s.compare?.loss ?? s.loss);
  write(el.kindB, s.compare?.kind ?? s.kind);
}

/** The controls read into a state based on `current`, and the names of the invalid ones (marked aria-invalid). */
export function readControls(el: Elements, current: AppState): { state: AppState; invalid: ElementName[] } {
  const s: AppState = { ...current };
  const invalid: ElementName[] = [];
  const mark = (name: ElementName, valid: boolean) => {
    el[name].setAttribute('aria-invalid', String(!valid));
    if (!valid) invalid.push(name);
  };
  const num = (
    name: ElementName & keyof Elements,
    check: (v: number) => boolean,
    set: (v: number | undefined) => void,
    optional = false,
  ) => {
    const raw = (el[name] as HTMLInputElement).value.trim(),
      v = Number(raw);
    const blank = optional && raw === '';
    const valid = blank || (raw !== '' && check(v));
    mark(name, valid);
    if (valid) set(blank ? undefined : v);
  };
  const int = (min: number, max: number) => (v: number) => Number.isInteger(v) && v >= min && v <= max;
  const pos = (v: number) => Number.isFinite(v) && v > 0;
  // The run's values by RunSpec's rules (the CLI's) and the page's limits (state.ts, readRunFlag), each read as
  // an option of a loss it applies to: the fields of the other objectives keep their values for switching back.
  const contextOf = (flag: PageFlag): RunFlags => ({
    data: el.data.value,
    loss: (runFlags[flag] as { losses?: readonly ObjectiveName[] }).losses?.[0],
  });
  const read = (flag: PageFlag, raw: string) => readRunFlag(flag, raw, contextOf(flag));
  const run = (name: ElementName & keyof Elements, flag: PageFlag, set: (r: RunSpec) => void, optional = false) => {
    // No run value has a space in it: '32, 32' is the widths 32,32.
    const raw = (el[name] as HTMLInputElement).value.replace(/\s+/g, '');
    const r = optional && raw === '' ? { run: runFromFlags(contextOf(flag)) } : read(flag, raw);
    mark(name, 'run' in r);
    if ('run' in r) set(r.run);
  };
  s.data = el.data.value;
  // A new dataset: its number of points is the app's to choose (state.ts, withData), not the old field's.
  // A file's or drawn points' field shows their number (disabled): it is not the run's data-size.
  if (s.data === current.data && !el.dataSize.disabled) run('dataSize', 'data-size', (r) => (s.dataSize = r.dataSize));
  else mark('dataSize', true);
  s.imageSize = Number(el.imageSize.value) === 28 ? 28 : 14;
  s.loss = el.lossName.value as AppState['loss'];
  run('sigma', 'sigma', (r) => (s.sigma = r.sigma), true);
  s.projection = el.projection.value as AppState['projection'];
  run('slices', 'slices', (r) => (s.slices = r.slices));
  if (el.levelsFrom.value === 'ladder') {
    // Each end read as --sigma reads a noise level, then the ladder as --sigmas reads it: a problem it names
    // is the levels' (the ends are numbers by then), any other is the ends' order, marked on sigma min.
    const l: Ladder = { ...(current.ladder ?? fixedLadder), schedule: el.schedule.value as Ladder['schedule'] };
    run('sigmaMax', 'sigma', (r) => (l.max = r.sigma!));
    run('sigmaMin', 'sigma', (r) => (l.min = r.sigma!));
    const ladder = read('sigmas', `${l.schedule}:${l.max}:${l.min}:${el.levels.value.replace(/\s+/g, '')}`);
    const levelsProblem = 'problem' in ladder && /levels/.test(ladder.problem);
    mark('levels', !levelsProblem);
    if ('problem' in ladder && !levelsProblem && !invalid.includes('sigmaMin')) mark('sigmaMin', false);
    s.ladder = 'run' in ladder ? ladderOf(ladder.run.sigmas!) : l;
  } else s.ladder = undefined;
  run('sdeSigmaMax', 'sigma-max', (r) => (s.sdeSigmaMax = r.sigmaMax), true);
  run('sdeSigmaMin', 'sigma-min', (r) => (s.sdeSigmaMin = r.sigmaMin), true);
  if (s.sdeSigmaMax !== undefined && s.sdeSigmaMin !== undefined && s.sdeSigmaMin >= s.sdeSigmaMax && !invalid.includes('sdeSigmaMin'))
    mark('sdeSigmaMin', false);
  s.sde = el.sde.value as AppState['sde'];
  s.kind = el.kind.value as AppState['kind'];
  s.conditioning = el.conditioning.value as AppState['conditioning'];
  run('hidden', 'hidden', (r) => (s.hidden = r.hidden), true);
  s.activation = el.activation.value as AppState['activation'];
  run('lr', 'lr', (r) => (s.lr = r.lr));
  run('batch', 'batch', (r) => (s.batch = r.batch), true);
  run('seed', 'seed', (r) => (s.seed = r.seed));
  run('steps', 'steps', (r) => (s.steps = r.steps), true);
  run('ema', 'ema', (r) => (s.ema = r.ema));
  s.sampler = el.sampler.value as AppState['sampler'];
  num('sampleSteps', int(1, 100_000), (v) => (s.sampleSteps = v), true);
  num('stepSize', pos, (v) => (s.stepSize = v), true);
  num('particles', int(2, 20_000), (v) => (s.particles = v!));
  num('sampleSeed', int(0, 2 ** 32 - 1), (v) => (s.sampleSeed = v!));
  // Turned on: the second run starts with another objective (it is there to compare one).
  const fresh = !current.compare && el.compare.checked;
  const other = (l: AppState['loss']): AppState['loss'] => (l === 'dsm' ? 'ncsn' : l === 'ncsn' ? 'continuous' : 'dsm');
  s.compare = el.compare.checked
    ? { loss: fresh ? other(s.loss) : (el.lossB.value as AppState['loss']), kind: fresh ? s.kind : (el.kindB.value as AppState['kind']) }
    : null;
  if (validateState(s) !== null) s.conditioning = 'auto';
  return { state: s, invalid };
}
