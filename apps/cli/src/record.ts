import { InputError } from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors } from '@scorefield/formats';
import type { ScoreModel } from '@scorefield/models';
import { dataRange, gridPoints, type Range } from '@scorefield/plot';

/** Field snapshots recorded during training (`train --record-every K`), for `animate --kind training`. */
export interface FieldRecord {
  xRange: Range;
  yRange: Range;
  side: number;
  steps: number[];
  /** Per frame: the score on the grid [side * side, 2], data units. */
  fields: Float32Array[];
  /** Per frame, energy models only: E on the grid [side * side]. */
  energies: Float32Array[];
  title: string;
}

/** Where the snapshots of a model file go. */
export function recordPath(modelPath: string): string {
  return `${modelPath.replace(/\.safetensors$/i, '')}.record.safetensors`;
}

/** A new record over the range of the training data (2-D models only). */
export function newRecord(data: ArrayLike<number>, side: number, title: string): FieldRecord {
  const range = dataRange([data], 0.1);
  return { xRange: range.x, yRange: range.y, side, steps: [], fields: [], energies: [], title };
}

/** Adds the model's field now (at `step`). */
export function snapshot(record: FieldRecord, model: ScoreModel, step: number): void {
  const points = gridPoints(record.xRange, record.yRange, record.side, record.side),
    rows = record.side ** 2;
  record.steps.push(step);
  record.fields.push(model.score({ data: points, rows, cols: 2 }));
  if (model.spec.kind === 'energy') record.energies.push(model.energy({ data: points, rows, cols: 2 }));
}

export function encodeRecord(r: FieldRecord): Uint8Array {
  const frames = r.steps.length,
    g = r.side ** 2;
  const flat = (xs: Float32Array[], per: number) => {
    const out = new Float32Array(frames * per);
    xs.forEach((x, i) => out.set(x, i * per));
    return out;
  };
  return encodeSafetensors(
    {
      steps: { dtype: 'F32', shape: [frames], data: Float32Array.from(r.steps) },
      fields: { dtype: 'F32', shape: [frames, g, 2], data: flat(r.fields, 2 * g) },
      ...(r.energies.length ? { energies: { dtype: 'F32' as const, shape: [frames, g], data: flat(r.energies, g) } } : {}),
    },
    {
      format: 'scorefield-field-record',
      format_version: '1',
      range: JSON.stringify({ x: r.xRange, y: r.yRange, side: r.side }),
      title: r.title,
    },
  );
}

export function decodeRecord(bytes: Uint8Array, source: string): FieldRecord {
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  const fail = (msg: string): never => {
    throw new InputError(`${source}: ${msg}`);
  };
  if (metadata.format !== 'scorefield-field-record') fail('not a field record written by `scorefield train --record-every`');
  let range: { x: Range; y: Range; side: number };
  try {
    range = JSON.parse(metadata.range ?? '');
  } catch {
    return fail("metadata 'range' is not valid JSON");
  }
  const isRange = (r: unknown) => Array.isArray(r) && r.length === 2 && r.every(Number.isFinite) && r[0] < r[1];
  if (range === null || typeof range !== 'object' || !isRange(range.x) || !isRange(range.y) || !Number.isInteger(range.side))
    fail("metadata 'range' must be {x: [lo, hi], y: [lo, hi], side}");
  if (range.side < 2 || range.side > 1000) fail(`metadata 'range': side must be an integer between 2 and 1000, got ${range.side}`);
  const steps = tensors.steps?.data,
    fields = tensors.fields?.data;
  if (!steps || !fields || fields.length !== steps.length * 2 * range.side ** 2) fail('tensors steps/fields do not match');
  const g = range.side ** 2;
  if (steps.length < 1) fail('no frames');
  if (tensors.energies && tensors.energies.data.length !== steps.length * g) fail('tensor energies does not match the steps');
  if (![steps, fields, tensors.energies?.data ?? []].every((a) => a.every(Number.isFinite))) fail('the snapshots hold NaN or Inf');
  const split = (x: ArrayLike<number> | undefined, per: number) =>
    x ? Array.from({ length: steps!.length }, (_, i) => Float32Array.from(Array.prototype.slice.call(x, i * per, (i + 1) * per))) : [];
  return {
    xRange: range.x,
    yRange: range.y,
    side: range.side,
    steps: Array.from(steps!),
    fields: split(fields, 2 * g),
    energies: split(tensors.energies?.data, g),
    title: metadata.title ?? '',
  };
}
