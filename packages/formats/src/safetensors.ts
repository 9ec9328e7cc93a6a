import { excerpt, FormatError } from './errors.js';
import { LITTLE_ENDIAN } from './matrix.js';

/** Tensor element types this package reads and writes: `F32` (float32) and `F64` (float64). */
export type SafetensorsDtype = 'F32' | 'F64';

/**
 * One named tensor: `shape` lists the dimensions (`[]` for a scalar), `data` holds prod(shape)
 * elements in row-major (C) order, a Float32Array for `F32` and a Float64Array for `F64`.
 */
export interface Tensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Options of {@link decodeSafetensors}. */
export interface DecodeSafetensorsOptions {
  /** Name that starts every error message, usually the file name (default `'safetensors'`). */
  source?: string;
}

/** What {@link decodeSafetensors} returns: tensors by name and the `__metadata__` string map (`{}` when absent). */
export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Bytes per element. */
const ITEM_SIZE: Record<SafetensorsDtype, 4 | 8> = { F32: 4, F64: 8 };
/** Same cap as the reference implementation, so a corrupt length cannot make us allocate gigabytes. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

/**
 * Writes tensors as a safetensors file: an 8-byte little-endian u64 header length N, N bytes of UTF-8
 * JSON, then the little-endian tensor data. Tensors are laid out in sorted name order with no gaps,
 * so the same input always gives the same bytes; the JSON is padded with spaces to a multiple of 8
 * bytes so the data start 8-byte aligned. `metadata` is stored as `__metadata__` (omitted when empty).
 *
 * @throws {FormatError} when a shape does not match its data length, the dtype does not match the array
 *   type, a name is `__metadata__`, or a metadata value is not a string.
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const source = 'encodeSafetensors';
  const fail = (msg: string): never => {
    throw new FormatError(`${source}: ${msg}`);
  };
  const names = Object.keys(tensors).sort();
  const entries: string[] = [];
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) fail('metadata must be an object of strings');
    const keys = Object.keys(metadata).sort();
    for (const k of keys) if (typeof metadata[k] !== 'string') fail(`metadata '${excerpt(k)}' must be a string, got ${typeof metadata[k]}`);
    if (keys.length)
      entries.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  const placed: { data: Float32Array | Float64Array; begin: number }[] = [];
  for (const name of names) {
    if (name === METADATA_KEY) fail(`'${METADATA_KEY}' cannot be a tensor name`);
    const t = tensors[name];
    const label = `tensor '${excerpt(name)}'`;
    if (t === null || typeof t !== 'object') fail(`${label} is not a tensor`);
    if (t.dtype !== 'F32' && t.dtype !== 'F64') fail(`${label} has dtype ${excerpt(String(t.dtype))}; supported: F32, F64`);
    const want = t.dtype === 'F32' ? Float32Array : Float64Array;
    if (!(t.data instanceof want)) fail(`${label} has dtype ${t.dtype} but its data is not a ${want.name}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`${label} shape must be an array of non-negative integers`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) fail(`${label} has shape [${t.shape.join(', ')}] (${count} values) but ${t.data.length} values`);
    const bytes = t.data.length * ITEM_SIZE[t.dtype];
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] })}`);
    placed.push({ data: t.data, begin: offset });
    offset += bytes;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  const start = 8 + headerLength;
  for (const { data, begin } of placed) writeLittleEndian(out, view, start + begin, data);
  return out;
}

/**
 * Reads a safetensors file with strict validation of the layout: header length within the file and at
 * most 100 MB; a UTF-8 JSON object header; each entry with a `dtype` (F32 or F64), a `shape` of
 * non-negative integers and `data_offsets` [begin, end] whose span is prod(shape) * itemsize; offsets
 * that tile the data buffer exactly (no holes, no overlaps, nothing left over); `__metadata__`, when
 * present, a string-to-string map.
 *
 * @returns tensors by name with freshly allocated (aligned) data arrays, never views on `bytes`.
 * @throws {FormatError} one line starting with `opts.source`, e.g.
 *   `model.safetensors: tensor 'w' has dtype BF16; supported: F32, F64`.
 */
export function decodeSafetensors(bytes: Uint8Array, opts: DecodeSafetensorsOptions = {}): SafetensorsFile {
  const source = opts.source ?? 'safetensors';
  const fail = (msg: string): never => {
    throw new FormatError(`${source}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) return fail('expected the bytes of a safetensors file');
  if (bytes.length < 8) fail(`file is too short (${bytes.length} bytes) to hold the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES / 1e6} MB limit`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) fail(`header length ${headerLength} is larger than the file (${bytes.length} bytes)`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('header is not valid UTF-8');
  }
  // The reference implementation insists on '{' first; trailing spaces are padding.
  if (text[0] !== '{') fail('header is not a JSON object');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return fail('header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('header is not a JSON object');

  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.length - bufferStart;
  const metadata = readMetadata((header as Record<string, unknown>)[METADATA_KEY], fail);
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) continue;
    entries.push({ name, ...readEntry(name, info, bufferLength, fail) });
  }

  // Sorted by (begin, end) so zero-size tensors at a boundary are in order; each must start where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin > cursor)
      fail(`bytes ${cursor} to ${e.begin} of the data buffer belong to no tensor (a hole before tensor '${excerpt(e.name)}')`);
    if (e.begin < cursor) fail(`tensor '${excerpt(e.name)}' overlaps the previous tensor (data_offsets begin ${e.begin} < ${cursor})`);
    cursor = e.end;
  }
  if (cursor !== bufferLength) fail(`the data buffer has ${bufferLength - cursor} bytes after the last tensor that belong to no tensor`);

  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    // Copy into a fresh, aligned ArrayBuffer (not bytes.slice: on a Node Buffer that is a view).
    const raw = new Uint8Array(e.end - e.begin);
    raw.set(bytes.subarray(bufferStart + e.begin, bufferStart + e.end));
    const data = readLittleEndian(raw, e.dtype);
    defineOwn(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** Validates one header entry against the spec and the buffer size. */
function readEntry(
  name: string,
  info: unknown,
  bufferLength: number,
  fail: (msg: string) => never,
): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  const label = `tensor '${excerpt(name)}'`;
  if (info === null || typeof info !== 'object' || Array.isArray(info))
    return fail(`${label}: entry is not an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (dtype === undefined) fail(`${label}: missing 'dtype'`);
  if (shape === undefined) fail(`${label}: missing 'shape'`);
  if (offsets === undefined) fail(`${label}: missing 'data_offsets'`);
  if (typeof dtype !== 'string') return fail(`${label}: 'dtype' must be a string`);
  if (dtype !== 'F32' && dtype !== 'F64') return fail(`${label} has dtype ${excerpt(dtype)}; supported: F32, F64`);
  if (!Array.isArray(shape) || !shape.every(isCount)) return fail(`${label}: 'shape' must be an array of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
    return fail(`${label}: 'data_offsets' must be [begin, end], two non-negative integers`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${label}: data_offsets [${begin}, ${end}] has begin after end`);
  if (end > bufferLength) fail(`${label}: data_offsets [${begin}, ${end}] reach past the end of the data buffer (${bufferLength} bytes)`);
  // In float64 a huge product is inexact, but then it cannot equal a span that fits in the file anyway.
  const needed = (shape as number[]).reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
  if (end - begin !== needed)
    fail(
      `${label}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${needed}`,
    );
  return { dtype, shape: [...(shape as number[])], begin, end };
}

function readMetadata(value: unknown, fail: (msg: string) => never): Record<string, string> {
  const metadata: Record<string, string> = {};
  // The reference writer stores an absent map as null.
  if (value === undefined || value === null) return metadata;
  if (typeof value !== 'object' || Array.isArray(value)) return fail(`'${METADATA_KEY}' must be an object mapping strings to strings`);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string')
      fail(
        `'${METADATA_KEY}' value for '${excerpt(k)}' must be a string, found ` +
          `${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`,
      );
    defineOwn(metadata, k, v as string);
  }
  return metadata;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Plain assignment would treat a key named `__proto__` as the prototype; define it as an ordinary property. */
function defineOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function writeLittleEndian(out: Uint8Array, view: DataView, at: number, data: Float32Array | Float64Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const size = data.BYTES_PER_ELEMENT;
  for (let k = 0; k < data.length; k++) {
    if (size === 4) view.setFloat32(at + 4 * k, data[k], true);
    else view.setFloat64(at + 8 * k, data[k], true);
  }
}

function readLittleEndian(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array | Float64Array {
  if (LITTLE_ENDIAN) return dtype === 'F32' ? new Float32Array(raw.buffer) : new Float64Array(raw.buffer);
  const view = new DataView(raw.buffer);
  const size = ITEM_SIZE[dtype];
  const out = dtype === 'F32' ? new Float32Array(raw.length / 4) : new Float64Array(raw.length / 8);
  for (let k = 0; k < out.length; k++) out[k] = size === 4 ? view.getFloat32(4 * k, true) : view.getFloat64(8 * k, true);
  return out;
}
