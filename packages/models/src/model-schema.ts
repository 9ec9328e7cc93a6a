import {
  activations,
  conditionings,
  objectives,
  projections,
  type Activation,
  type Conditioning,
  type ModelKind,
  type ObjectiveSpec,
} from '@scorefield/core-math';
import { COLUMN_NAME_RULE, isColumnName } from '@scorefield/formats';
import type { TrainingRecord } from './model.js';

/**
 * The schema of a model file's metadata (every field is a string in safetensors; most hold JSON), checked
 * field by field before anything is allocated, so a hostile or damaged file fails with one line naming
 * the field, never with a TypeError or an allocation. Unknown keys inside the JSON objects are ignored.
 */

/** Reads one value at `path`, or fails with a message naming the path. */
type Check<T> = (v: unknown, path: string) => T;

/** Thrown by the checks; decodeModel turns it into an InputError naming the file. */
export class SchemaError extends Error {}

const fail = (path: string, expected: string, v: unknown): never => {
  throw new SchemaError(`metadata ${path}: expected ${expected}, found ${describe(v)}`);
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 17)}...` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

export const integer =
  (min: number, max: number): Check<number> =>
  (v, path) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(path, `an integer between ${min} and ${max}`, v);

export const finite: Check<number> = (v, path) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a finite number', v));

export const positive: Check<number> = (v, path) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(path, 'a finite number > 0', v);

export const text: Check<string> = (v, path) => (typeof v === 'string' ? v : fail(path, 'a string', v));

export function oneOf<T extends string>(registry: Record<T, unknown>): Check<T> {
  return (v, path) =>
    typeof v === 'string' && Object.hasOwn(registry, v) ? (v as T) : fail(path, `one of ${Object.keys(registry).join(', ')}`, v);
}

export function array<T>(item: Check<T>, min: number, max: number): Check<T[]> {
  return (v, path) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return fail(path, `an array of ${min} to ${max} values`, v);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** An object with these fields (own properties only; `?`-marked checks may be absent). */
export function object<T extends Record<string, unknown>>(fields: { [K in keyof T]: Check<T[K]> }, optional: (keyof T)[] = []): Check<T> {
  return (v, path) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(path, 'a JSON object', v);
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(fields) as [string, Check<unknown>][]) {
      const has = Object.hasOwn(v, k) && (v as Record<string, unknown>)[k] !== undefined;
      if (!has) {
        if (optional.includes(k)) continue;
        return fail(`${path}.${k}`, 'a value', undefined);
      }
      out[k] = check((v as Record<string, unknown>)[k], `${path}.${k}`);
    }
    return out as T;
  };
}

/** Parses a JSON metadata string, then checks it. */
export function json<T>(check: Check<T>): Check<T> {
  return (v, path) => {
    const s = text(v, path);
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return fail(path, 'valid JSON', s);
    }
    return check(parsed, path);
  };
}

/** Widest layer and deepest network a model file may describe (the CLI's --hidden accepts the same). */
export const MAX_WIDTH = 65536;
export const MAX_LAYERS = 64;

export interface Architecture {
  kind: ModelKind;
  dims: number[];
  activation: Activation;
  conditioning: Conditioning;
}

const kinds = { 'score-mlp': 'score', 'energy-mlp': 'energy' } as const;

export const architecture: Check<Architecture> = (v, path) => {
  const a = json(
    object<{ kind: keyof typeof kinds; dims: number[]; activation: Activation; conditioning: Conditioning }>(
      {
        kind: oneOf(kinds),
        dims: array(integer(1, MAX_WIDTH), 2, MAX_LAYERS + 1),
        activation: oneOf(activations),
        conditioning: oneOf(conditionings),
      },
      ['conditioning'],
    ),
  )(v, path);
  return { kind: kinds[a.kind], dims: a.dims, activation: a.activation, conditioning: a.conditioning ?? 'none' };
};

export function normalization(d: number): Check<{ mean: number[]; std: number[]; constant?: number[] }> {
  const check = json(
    object<{ mean: number[]; std: number[]; constant: number[] }>(
      { mean: array(finite, d, d), std: array(positive, d, d), constant: array(integer(0, d - 1), 0, d) },
      ['constant'],
    ),
  );
  return (v, path) => {
    const n = check(v, path);
    return n.constant?.length ? n : { mean: n.mean, std: n.std };
  };
}

/** The data's box of a model of dimension d: d finite lower and upper values, lower <= upper. */
export function dataBox(d: number): Check<{ lower: number[]; upper: number[] }> {
  const check = json(object({ lower: array(finite, d, d), upper: array(finite, d, d) }));
  return (v, path) => {
    const b = check(v, path);
    const k = b.lower.findIndex((lo, j) => !(lo <= b.upper[j]));
    if (k >= 0) fail(`${path}.lower[${k}]`, `at most upper[${k}] (${b.upper[k]})`, b.lower[k]);
    return b;
  };
}

/** The column names of a model of dimension d: d CSV header names ({@link COLUMN_NAME_RULE}). */
export function columns(d: number): Check<string[]> {
  const name: Check<string> = (v, path) => (isColumnName(v) ? v : fail(path, `a name of ${COLUMN_NAME_RULE}`, v));
  return json(array(name, d, d));
}

/** The image shape of a model of dimension d: positive whole sides with width x height = d. */
export function imageShape(d: number): Check<{ width: number; height: number }> {
  const check = json(object({ width: integer(1, d), height: integer(1, d) }));
  return (v, path) => {
    const s = check(v, path);
    if (s.width * s.height !== d) fail(path, `width x height = ${d}, the model's dimension`, `${s.width} x ${s.height}`);
    return s;
  };
}

const sdeParams = ['sigmaMin', 'sigmaMax', 'betaMin', 'betaMax', 'eps'] as const;

/** An objective as stored by encodeModel: its name and the options that name takes. */
export const loss: Check<ObjectiveSpec> = json((v, path) => {
  const { name } = object({ name: oneOf(objectives) })(v, path);
  const o = v as Record<string, unknown>;
  switch (name) {
    case 'ssm':
    case 'ssm-vr':
      return {
        name,
        ...object({ projection: oneOf(projections), slices: integer(1, 4096) }, ['projection', 'slices'])(o, path),
      };
    case 'dsm':
      return { name, sigma: object({ sigma: positive })(o, path).sigma };
    case 'ncsn':
      return { name, sigmas: object({ sigmas: array(positive, 1, 10_000) })(o, path).sigmas };
    case 'continuous':
      return {
        name,
        ...object(
          { sde: oneOf({ ve: 1, vp: 1 }), ...Object.fromEntries(sdeParams.map((k) => [k, positive])) } as {
            sde: Check<'ve' | 'vp'>;
          } & Record<(typeof sdeParams)[number], Check<number>>,
          [...sdeParams],
        )(o, path),
      };
    default:
      return { name: 'esm' };
  }
});

/** `seed` and `steps`: decimal integers. */
const decimal =
  (max: number): Check<number> =>
  (v, path) => {
    const s = text(v, path);
    return /^\d{1,16}$/.test(s) && Number(s) <= max ? Number(s) : fail(path, `a decimal integer up to ${max}`, s);
  };

const training = json(
  object<{ batch: number; lr: number; data: string | null; lrDecay: 'cosine' | 'linear-tail'; ema: number; lossAverage: number }>(
    {
      batch: integer(1, 2 ** 31),
      lr: positive,
      data: (v, path) => (v === null ? null : text(v, path)),
      lrDecay: oneOf({ cosine: 1, 'linear-tail': 1 }),
      ema: (v, path) => (typeof v === 'number' && v >= 0 && v < 1 ? v : fail(path, 'a number in [0, 1)', v)),
      lossAverage: finite,
    },
    ['data', 'lrDecay', 'ema', 'lossAverage'],
  ),
);

const curve = json(object({ every: integer(1, Number.MAX_SAFE_INTEGER), values: array(finite, 0, 1_000_000) }));

/** The training record of a model file (present when metadata 'loss' is). */
export function trainingRecord(m: Record<string, string>): TrainingRecord {
  const t = training(m.training ?? '{}', "'training'");
  const c = m.loss_curve === undefined ? undefined : curve(m.loss_curve, "'loss_curve'");
  return {
    loss: loss(m.loss, "'loss'"),
    seed: decimal(2 ** 32 - 1)(m.seed, "'seed'"),
    steps: decimal(Number.MAX_SAFE_INTEGER)(m.steps, "'steps'"),
    batch: t.batch,
    lr: t.lr,
    data: t.data ?? undefined,
    ...(t.lrDecay ? { lrDecay: t.lrDecay } : {}),
    ...(t.ema !== undefined ? { ema: t.ema } : {}),
    ...(t.lossAverage !== undefined ? { lossAverage: t.lossAverage } : {}),
    ...(c ? { curve: c } : {}),
  };
}
