/**
 * The URL hash of a state: the run as RunSpec's flags under their own names (`runToFlags`: what differs
 * from the defaults, in the CLI's order), then the page's own keys (drawn points, sampling, compare,
 * autorun), so a link reproduces the run (state.ts). Drawn points are in the link (base64 of int16
 * thousandths, bit for bit); a loaded file is not. Decoding reads each run key by RunSpec's rules (the
 * CLI's) and the page's limits: every invalid value falls back to its default with a warning naming it.
 */
import { runFlags, runFromFlags, runToFlags, type RunFlag, type RunFlags } from '@scorefield/models';
import {
  defaults,
  imageMode,
  objectiveNames,
  pageFlags,
  readRunFlag,
  runFields,
  runOf,
  samplerNames,
  validateState,
  type AppState,
  type SamplerName,
} from './state.js';
import { PAGE_DIGITS } from './mnist-subset.js';

/** The keys links had before they used the flags' names, still read (never written). */
const oldKeys: Partial<Record<RunFlag, string>> = {
  'data-size': 'n',
  projections: 'proj',
  'sigma-max': 'smax',
  'sigma-min': 'smin',
  conditioning: 'cond',
  activation: 'act',
};

/** What the page's own links carry without a control for it: its runs' constant rate (state.ts, runOf). */
const pageSays = (flag: RunFlag, value: string) => flag === 'lr-decay' && value === 'none';

/** The URL hash (without '#') of a state; file data cannot be encoded (the link then says data=file). */
export function encodeState(s: AppState): string {
  const p = runToFlags(runOf(s)) as [string, string][];
  // data comes first; the drawn points follow it.
  if (s.data === 'drawn' && s.points) p.splice(1, 0, ['pts', encodePoints(s.points)]);
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
  const warnings: string[] = [];
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const bad = (key: string, raw: string, why: string) => warnings.push(`ignored ${key}=${raw}: ${why}`);

  // The run: each key checked alone (with the data, loss and SDE read before it, which runFlags lists first), then
  // the valid ones read together.
  const flags: RunFlags = {};
  for (const flag of pageFlags) {
    const key = [flag, oldKeys[flag]].find((k) => k !== undefined && q.has(k));
    if (key === undefined) continue;
    const raw = q.get(key)!;
    const read = readRunFlag(flag, raw, { data: flags.data, loss: flags.loss, sde: flags.sde });
    if ('problem' in read) bad(key, raw, read.problem);
    else flags[flag] = raw;
  }
  for (const flag of Object.keys(runFlags) as RunFlag[])
    if (!(pageFlags as readonly string[]).includes(flag) && q.has(flag) && !pageSays(flag, q.get(flag)!))
      bad(flag, q.get(flag)!, `the page trains with its default (set it with scorefield train --${flag})`);
  const run = runFromFlags(flags);
  if (run.sigmaMax !== undefined && run.sigmaMin !== undefined && run.sigmaMin >= run.sigmaMax) {
    const key = q.has('sigma-min') ? 'sigma-min' : 'smin';
    bad(key, q.get(key)!, `expected less than sigma-max (${run.sigmaMax})`);
    delete run.sigmaMin;
  }
  const s: AppState = { ...defaults, ...runFields(run) };
  if (imageMode(s) && s.dataSize > PAGE_DIGITS) {
    // Without data-size the CLI trains on every train digit (9,003); the page holds the first PAGE_DIGITS.
    warnings.push(`the page trains on the first ${PAGE_DIGITS} MNIST train digits (data-size=${PAGE_DIGITS}), not ${s.dataSize}`);
    s.dataSize = PAGE_DIGITS;
  }

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

  // The page's own keys: sampling and compare mode.
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
  oneOf('sampler', ['auto', ...samplerNames], (v: SamplerName | 'auto') => {
    s.sampler = v;
  });
  int('ssteps', 1, 100_000, (v) => {
    s.sampleSteps = v;
  });
  const alpha = q.get('alpha');
  if (alpha !== null) {
    const v = Number(alpha);
    if (alpha.trim() !== '' && Number.isFinite(v) && v > 0) s.stepSize = v;
    else bad('alpha', alpha, 'expected a finite number > 0');
  }
  int('np', 2, 20_000, (v) => {
    s.particles = v;
  });
  int('sseed', 0, 2 ** 32 - 1, (v) => {
    s.sampleSeed = v;
  });
  if (q.has('b.loss') || q.has('b.model')) {
    const compare = { loss: s.loss, kind: s.kind };
    oneOf('b.loss', objectiveNames, (v: AppState['loss']) => {
      compare.loss = v;
    });
    oneOf('b.model', ['score', 'energy'], (v: AppState['kind']) => {
      compare.kind = v;
    });
    s.compare = compare;
  }
  if (imageMode(s) && s.compare) {
    warnings.push('ignored b.loss and b.model: compare mode is for 2-D data (an image run takes every core)');
    s.compare = null;
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
