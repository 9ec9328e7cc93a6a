/**
 * The app state that defines a run, and its URL-hash encoding. Everything that changes the trained bits
 * (data, objective and its options, parametrization, network, optimiser, seed, steps target) is in the
 * hash, so a link reproduces the same run; sampler settings are there too so the same samples come out.
 * Pure logic (no DOM): unit-tested in state.test.ts.
 */
import {
  activations,
  conditionings,
  datasets,
  objectives,
  projections,
  schedules,
  sigmaSchedule,
  type Activation,
  type Conditioning,
  type ModelKind,
  type ObjectiveName,
  type ObjectiveSpec,
  type Projection,
  type ScheduleName,
} from '@scorefield/core-math';
import { samplers, type SamplerName } from '@scorefield/models';

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
  /** dsm noise level (standardised units). */
  sigma: number;
  projection: Projection;
  slices: number;
  /** ncsn noise ladder: schedule, sigma max, sigma min, levels. */
  schedule: ScheduleName;
  sigmaMax: number;
  sigmaMin: number;
  levels: number;
  sde: 've' | 'vp';
  kind: ModelKind;
  conditioning: Conditioning | 'auto';
  hidden: number[];
  activation: Activation;
  lr: number;
  batch: number;
  seed: number;
  /** Train exactly this many Adam steps, then stop. */
  steps: number;
  sampler: SamplerName;
  /** Sampler steps (langevin: steps, annealed: per level, pc: predictor steps); undefined: the sampler's default. */
  sampleSteps?: number;
  /** langevin alpha / annealed eps; undefined: the sampler's default. */
  stepSize?: number;
  particles: number;
  sampleSeed: number;
}

/** The defaults are the CLI's (`scorefield train`), so the default page trains the CLI's default model. */
export const defaults: Readonly<AppState> = Object.freeze({
  data: '8gaussians',
  dataSize: 10_000,
  loss: 'dsm',
  sigma: 0.1,
  projection: 'gaussian',
  slices: 1,
  schedule: 'geometric',
  sigmaMax: 1,
  sigmaMin: 0.01,
  levels: 10,
  sde: 've',
  kind: 'score',
  conditioning: 'auto',
  hidden: [128, 128, 128],
  activation: 'silu',
  lr: 1e-3,
  batch: 128,
  seed: 0,
  steps: 3000,
  sampler: 'langevin',
  particles: 1000,
  sampleSeed: 1,
}) as AppState;

export const datasetNames = Object.keys(datasets);
export const objectiveNames = Object.keys(objectives) as ObjectiveName[];

/** The objective with its options, built exactly as the CLI builds it from its flags (same keys, same order, same numbers). */
export function objectiveSpec(s: AppState): ObjectiveSpec {
  switch (s.loss) {
    case 'ssm':
    case 'ssm-vr':
      return { name: s.loss, projection: s.projection, slices: s.slices };
    case 'dsm':
      return { name: 'dsm', sigma: s.sigma };
    case 'ncsn':
      return { name: 'ncsn', sigmas: sigmaSchedule(s.schedule, s.sigmaMax, s.sigmaMin, s.levels) };
    case 'continuous':
      return { name: 'continuous', sde: s.sde };
    default:
      return { name: 'esm' };
  }
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

/** The sampler to use: the chosen one if it fits the model, else langevin. */
export function effectiveSampler(s: AppState): SamplerName {
  return samplerAvailability(s)[s.sampler] === null ? s.sampler : 'langevin';
}

/** `scorefield train ...` for this state (built-in datasets only: drawn and file data are not on the command line). */
export function cliCommand(s: AppState, out = 'model.safetensors'): string | null {
  if (!Object.hasOwn(datasets, s.data)) return null;
  const f: string[] = ['scorefield train', `--data ${s.data}`];
  if (s.dataSize !== defaults.dataSize) f.push(`--data-size ${s.dataSize}`);
  f.push(`--loss ${s.loss}`);
  if (s.loss === 'dsm') f.push(`--sigma ${s.sigma}`);
  if (s.loss === 'ssm' || s.loss === 'ssm-vr') f.push(`--projections ${s.projection}`, `--slices ${s.slices}`);
  if (s.loss === 'ncsn') f.push(`--sigmas ${s.schedule}:${s.sigmaMax}:${s.sigmaMin}:${s.levels}`);
  if (s.loss === 'continuous') f.push(`--sde ${s.sde}`);
  f.push(`--model ${s.kind}`);
  if (s.conditioning !== 'auto') f.push(`--conditioning ${s.conditioning}`);
  f.push(
    `--hidden ${s.hidden.join(',')}`,
    `--activation ${s.activation}`,
    `--steps ${s.steps}`,
    `--batch ${s.batch}`,
    `--lr ${s.lr}`,
    `--seed ${s.seed}`,
    `--out ${out}`,
  );
  return f.join(' ');
}

/** The URL hash (without '#') of a state; file data cannot be encoded (the link then says data=file). */
export function encodeState(s: AppState): string {
  const p: [string, string][] = [['data', s.data]];
  if (s.data === 'drawn' && s.points) p.push(['pts', encodePoints(s.points)]);
  if (s.dataSize !== defaults.dataSize) p.push(['n', String(s.dataSize)]);
  p.push(['loss', s.loss]);
  if (s.loss === 'dsm') p.push(['sigma', String(s.sigma)]);
  if (s.loss === 'ssm' || s.loss === 'ssm-vr') p.push(['proj', s.projection], ['slices', String(s.slices)]);
  if (s.loss === 'ncsn') p.push(['sigmas', `${s.schedule}:${s.sigmaMax}:${s.sigmaMin}:${s.levels}`]);
  if (s.loss === 'continuous') p.push(['sde', s.sde]);
  p.push(['model', s.kind]);
  if (s.conditioning !== 'auto') p.push(['cond', s.conditioning]);
  p.push(
    ['hidden', s.hidden.join(',')],
    ['act', s.activation],
    ['lr', String(s.lr)],
    ['batch', String(s.batch)],
    ['seed', String(s.seed)],
    ['steps', String(s.steps)],
  );
  if (s.sampler !== defaults.sampler) p.push(['sampler', s.sampler]);
  if (s.sampleSteps !== undefined) p.push(['ssteps', String(s.sampleSteps)]);
  if (s.stepSize !== undefined) p.push(['alpha', String(s.stepSize)]);
  if (s.particles !== defaults.particles) p.push(['np', String(s.particles)]);
  if (s.sampleSeed !== defaults.sampleSeed) p.push(['sseed', String(s.sampleSeed)]);
  // Keep commas, colons and dots readable; escape the rest.
  return p.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':')}`).join('&');
}

/** Result of {@link decodeState}: the state (defaults where a value is missing or invalid) and what was ignored. */
export interface Decoded {
  state: AppState;
  warnings: string[];
  /** `autorun=1`: start training as soon as the page is ready. */
  autorun: boolean;
}

/** Parses a URL hash (with or without '#'); every invalid value falls back to its default with a warning. */
export function decodeState(hash: string): Decoded {
  const s: AppState = { ...defaults, hidden: [...defaults.hidden] };
  const warnings: string[] = [];
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const bad = (key: string, raw: string, why: string) => warnings.push(`ignored ${key}=${raw}: ${why}`);
  const oneOf = <T extends string>(key: string, valid: readonly string[], set: (v: T) => void) => {
    const raw = q.get(key);
    if (raw === null) return;
    if (valid.includes(raw)) set(raw as T);
    else bad(key, raw, `expected one of ${valid.join(', ')}`);
  };
  const int = (key: string, min: number, max: number, set: (v: number) => void) => {
    const raw = q.get(key);
    if (raw === null) return;
    const v = Number(raw);
    if (raw.trim() !== '' && Number.isInteger(v) && v >= min && v <= max) set(v);
    else bad(key, raw, `expected an integer between ${min} and ${max}`);
  };
  const positive = (key: string, set: (v: number) => void) => {
    const raw = q.get(key);
    if (raw === null) return;
    const v = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(v) && v > 0) set(v);
    else bad(key, raw, 'expected a finite number > 0');
  };

  oneOf('data', [...datasetNames, 'drawn', 'file'], (v) => {
    s.data = v;
  });
  if (s.data === 'drawn') {
    const raw = q.get('pts');
    const pts = raw === null ? null : decodePoints(raw);
    if (pts && pts.length >= 4) s.points = pts;
    else {
      if (raw !== null) bad('pts', raw.slice(0, 20), 'not a list of drawn points');
      s.data = defaults.data;
    }
  }
  if (s.data === 'file') {
    warnings.push('the link named a dropped file, which a link cannot carry; drop the file again (showing the default dataset)');
    s.data = defaults.data;
  }
  int('n', 2, 1_000_000, (v) => {
    s.dataSize = v;
  });
  oneOf('loss', objectiveNames, (v: ObjectiveName) => {
    s.loss = v;
  });
  positive('sigma', (v) => {
    s.sigma = v;
  });
  oneOf('proj', Object.keys(projections), (v: Projection) => {
    s.projection = v;
  });
  int('slices', 1, 4096, (v) => {
    s.slices = v;
  });
  const sig = q.get('sigmas');
  if (sig !== null) {
    const [name, max, min, levels] = sig.split(':');
    const nMax = Number(max),
      nMin = Number(min),
      nLevels = Number(levels);
    if (
      sig.split(':').length === 4 &&
      name in schedules &&
      Number.isFinite(nMax) &&
      Number.isFinite(nMin) &&
      nMin > 0 &&
      nMax > nMin &&
      Number.isInteger(nLevels) &&
      nLevels >= 2 &&
      nLevels <= 10_000
    ) {
      Object.assign(s, { schedule: name as ScheduleName, sigmaMax: nMax, sigmaMin: nMin, levels: nLevels });
    } else bad('sigmas', sig, 'expected schedule:max:min:levels, e.g. geometric:1:0.01:10');
  }
  oneOf('sde', ['ve', 'vp'], (v: 've' | 'vp') => {
    s.sde = v;
  });
  oneOf('model', ['score', 'energy'], (v: ModelKind) => {
    s.kind = v;
  });
  oneOf('cond', ['auto', ...Object.keys(conditionings)], (v: Conditioning | 'auto') => {
    s.conditioning = v;
  });
  const hidden = q.get('hidden');
  if (hidden !== null) {
    const h = parseHidden(hidden);
    if (h) s.hidden = h;
    else bad('hidden', hidden, 'expected comma-separated widths between 1 and 1024');
  }
  oneOf('act', Object.keys(activations), (v: Activation) => {
    s.activation = v;
  });
  positive('lr', (v) => {
    s.lr = v;
  });
  int('batch', 1, 65_536, (v) => {
    s.batch = v;
  });
  int('seed', 0, 2 ** 32 - 1, (v) => {
    s.seed = v;
  });
  int('steps', 1, 10_000_000, (v) => {
    s.steps = v;
  });
  oneOf('sampler', samplerNames, (v: SamplerName) => {
    s.sampler = v;
  });
  int('ssteps', 1, 100_000, (v) => {
    s.sampleSteps = v;
  });
  positive('alpha', (v) => {
    s.stepSize = v;
  });
  int('np', 2, 20_000, (v) => {
    s.particles = v;
  });
  int('sseed', 0, 2 ** 32 - 1, (v) => {
    s.sampleSeed = v;
  });
  const problem = validateState(s);
  if (problem) {
    warnings.push(`${problem} (using the default conditioning)`);
    s.conditioning = 'auto';
  }
  return { state: s, warnings, autorun: q.get('autorun') === '1' };
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

/** Rounds a coordinate to the 1e-3 grid drawn points live on (so encode/decode is exact). */
export function quantize(v: number): number {
  return Math.max(-32.767, Math.min(32.767, Math.round(v * 1000) / 1000));
}

/** Drawn points as base64url of little-endian int16 thousandths. */
export function encodePoints(points: Float32Array): string {
  const bytes = new Uint8Array(points.length * 2);
  const view = new DataView(bytes.buffer);
  points.forEach((v, i) => view.setInt16(2 * i, Math.round(quantize(v) * 1000), true));
  let bin = '';
  bytes.forEach((b) => {
    bin += String.fromCharCode(b);
  });
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Inverse of {@link encodePoints}; null when the text is not such a list. */
export function decodePoints(text: string): Float32Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  let bin: string;
  try {
    bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  if (bin.length % 4 !== 0) return null;
  const view = new DataView(Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer);
  return Float32Array.from({ length: bin.length / 2 }, (_, i) => view.getInt16(2 * i, true) / 1000);
}
