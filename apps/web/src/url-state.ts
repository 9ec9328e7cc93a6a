/**
 * The URL hash of a state: every setting that defines the run (and the sampling), so a link reproduces it
 * (state.ts). Drawn points are in the link (base64 of int16 thousandths, bit for bit); a loaded file is
 * not. Every invalid value falls back to its default with a warning naming it.
 */
import {
  activations,
  conditionings,
  projections,
  schedules,
  type Activation,
  type Conditioning,
  type ModelKind,
  type ObjectiveName,
  type Projection,
  type ScheduleName,
} from '@scorefield/core-math';
import {
  datasetNames,
  ladderText,
  defaults,
  objectiveNames,
  parseHidden,
  samplerNames,
  validateState,
  type AppState,
  type SamplerName,
} from './state.js';

/** The URL hash (without '#') of a state; file data cannot be encoded (the link then says data=file). */
export function encodeState(s: AppState): string {
  const p: [string, string][] = [['data', s.data]];
  if (s.data === 'drawn' && s.points) p.push(['pts', encodePoints(s.points)]);
  if (s.dataSize !== defaults.dataSize) p.push(['n', String(s.dataSize)]);
  p.push(['loss', s.loss]);
  // Noise levels and steps left out of the link are the library's defaults (chosen from the data; the objective's steps).
  if (s.loss === 'dsm' && s.sigma !== undefined) p.push(['sigma', String(s.sigma)]);
  if (s.loss === 'ssm' || s.loss === 'ssm-vr') p.push(['proj', s.projection], ['slices', String(s.slices)]);
  if (s.loss === 'ncsn' && s.ladder) p.push(['sigmas', ladderText(s.ladder)]);
  if (s.loss === 'continuous') p.push(['sde', s.sde]);
  if (s.loss === 'continuous' && s.sde === 've' && s.sdeSigmaMax !== undefined) p.push(['smax', String(s.sdeSigmaMax)]);
  if (s.loss === 'continuous' && s.sde === 've' && s.sdeSigmaMin !== undefined) p.push(['smin', String(s.sdeSigmaMin)]);
  p.push(['model', s.kind]);
  if (s.conditioning !== 'auto') p.push(['cond', s.conditioning]);
  p.push(['hidden', s.hidden.join(',')], ['act', s.activation], ['lr', String(s.lr)], ['batch', String(s.batch)], ['seed', String(s.seed)]);
  if (s.steps !== undefined) p.push(['steps', String(s.steps)]);
  if (s.ema !== defaults.ema) p.push(['ema', String(s.ema)]);
  if (s.sampler !== defaults.sampler) p.push(['sampler', s.sampler]);
  if (s.sampleSteps !== undefined) p.push(['ssteps', String(s.sampleSteps)]);
  if (s.stepSize !== undefined) p.push(['alpha', String(s.stepSize)]);
  if (s.particles !== defaults.particles) p.push(['np', String(s.particles)]);
  if (s.sampleSeed !== defaults.sampleSeed) p.push(['sseed', String(s.sampleSeed)]);
  if (s.compare) p.push(['b.loss', s.compare.loss], ['b.model', s.compare.kind]);
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
      s.ladder = { schedule: name as ScheduleName, max: nMax, min: nMin, levels: nLevels };
    } else bad('sigmas', sig, 'expected schedule:max:min:levels, e.g. geometric:1:0.01:10');
  }
  oneOf('sde', ['ve', 'vp'], (v: 've' | 'vp') => {
    s.sde = v;
  });
  positive('smax', (v) => {
    s.sdeSigmaMax = v;
  });
  positive('smin', (v) => {
    s.sdeSigmaMin = v;
  });
  if (s.sdeSigmaMax !== undefined && s.sdeSigmaMin !== undefined && s.sdeSigmaMin >= s.sdeSigmaMax) {
    bad('smin', String(s.sdeSigmaMin), `expected less than smax (${s.sdeSigmaMax})`);
    s.sdeSigmaMin = undefined;
  }
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
  const ema = q.get('ema');
  if (ema !== null) {
    const v = Number(ema);
    if (ema.trim() !== '' && v >= 0 && v < 1) s.ema = v;
    else bad('ema', ema, 'expected a number in [0, 1)');
  }
  oneOf('sampler', ['auto', ...samplerNames], (v: SamplerName | 'auto') => {
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
  if (q.has('b.loss') || q.has('b.model')) {
    const compare = { loss: s.loss, kind: s.kind };
    oneOf('b.loss', objectiveNames, (v: ObjectiveName) => {
      compare.loss = v;
    });
    oneOf('b.model', ['score', 'energy'], (v: ModelKind) => {
      compare.kind = v;
    });
    s.compare = compare;
  }
  const problem = validateState(s);
  if (problem) {
    warnings.push(`${problem} (using the default conditioning)`);
    s.conditioning = 'auto';
  }
  return { state: s, warnings, autorun: q.get('autorun') === '1' };
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
