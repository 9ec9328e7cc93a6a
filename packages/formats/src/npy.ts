import { excerpt, FormatError } from './errors.js';
import { checkMatrix, LITTLE_ENDIAN, type Matrix, type MatrixLike } from './matrix.js';
import { POINT_LIMITS, valueLimitMessage } from './limits.js';
import { parsePyLiteral, pyRepr, type PyValue } from './py-literal.js';

/** Options of {@link parseNpy}. */
export interface ParseNpyOptions {
  /** Name that starts every error message, usually the file name (default `'npy'`). */
  source?: string;
  /** Expected point dimension (number of columns); a different one is an error. */
  dim?: number;
  /** Most values (rows x columns) accepted, checked from the header (default {@link POINT_LIMITS}.maxValues). */
  maxValues?: number;
}

/** Element type written by {@link encodeNpy}: `'f4'` float32 or `'f8'` float64 (both little-endian). */
export type NpyDtype = 'f4' | 'f8';

/** `\x93NUMPY`, the first six bytes of every .npy file. */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy aligns the data start to this many bytes (since numpy 1.x; older files used 16). */
const HEADER_ALIGN = 64;

/** Byte order and item size for each accepted `descr`; `=` (native) and `|` are read as little-endian. */
const DTYPES: Record<string, { size: 4 | 8; little: boolean }> = {
  '<f4': { size: 4, little: true },
  '=f4': { size: 4, little: true },
  '|f4': { size: 4, little: true },
  '>f4': { size: 4, little: false },
  '<f8': { size: 8, little: true },
  '=f8': { size: 8, little: true },
  '|f8': { size: 8, little: true },
  '>f8': { size: 8, little: false },
};

/**
 * Reads a NumPy .npy file (format versions 1.0, 2.0 and 3.0) holding a 2-D float32 or float64 array
 * of points (rows = points, cols = dimension), in C or Fortran order and either byte order.
 *
 * @returns a row-major float64 {@link Matrix} (Fortran-order files are transposed into row-major).
 * @throws {FormatError} for anything else, never a RangeError or TypeError: bad magic, an unsupported
 *   version, a malformed header, a dtype other than float32/float64, a shape that is not 2-D, zero rows,
 *   truncated or trailing data, non-finite values (`row R, column C (both 0-based): value NaN is not finite`), or a
 *   dimension other than `opts.dim`.
 */
export function parseNpy(bytes: Uint8Array, opts: ParseNpyOptions = {}): Matrix {
  const source = opts.source ?? 'npy';
  const fail = (msg: string): never => {
    throw new FormatError(`${source}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) return fail('expected the bytes of a .npy file');
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (bad magic bytes)');

  const major = bytes[6],
    minor = bytes[7];
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0)
    fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail(`truncated .npy header: expected ${8 + lengthBytes} bytes, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) fail(`truncated .npy header: expected ${dataStart} bytes, found ${bytes.length}`);

  const header = decodeHeader(bytes.subarray(8 + lengthBytes, dataStart), major, fail);
  const { descr, fortranOrder, shape } = readHeaderDict(parsePyLiteral(header, source), fail);

  const dtype = typeof descr === 'string' && Object.hasOwn(DTYPES, descr) ? DTYPES[descr] : undefined;
  if (!dtype) return fail(`unsupported dtype ${excerpt(pyRepr(descr), 40)} (expected float32 or float64)`);
  if (shape.length !== 2)
    fail(`expected a 2-D array (points x dimensions), found shape ${excerpt(pyRepr({ type: 'tuple', items: shape }), 40)}`);
  const [rows, cols] = shape;
  if (rows === 0) fail('no data rows');
  if (cols === 0) fail('points have dimension 0');
  if (opts.dim !== undefined && cols !== opts.dim) fail(`points have dimension ${cols}, expected ${opts.dim}`);

  // BigInt so absurd shapes from a corrupt header still give an exact, finite number in the message.
  const tooMany = valueLimitMessage(BigInt(rows) * BigInt(cols), opts.maxValues ?? POINT_LIMITS.maxValues);
  if (tooMany) fail(`shape (${rows}, ${cols}): ${tooMany}`);
  const expected = BigInt(rows) * BigInt(cols) * BigInt(dtype.size);
  const found = bytes.length - dataStart;
  if (BigInt(found) < expected) fail(`truncated .npy file: expected ${expected} data bytes, found ${found}`);
  if (BigInt(found) > expected)
    fail(`${BigInt(found) - expected} unexpected bytes after the data (expected ${expected} data bytes, found ${found})`);

  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) {
    const at = dataStart + k * dtype.size;
    const v = dtype.size === 4 ? view.getFloat32(at, dtype.little) : view.getFloat64(at, dtype.little);
    // Element k sits at (i, j) = (k / cols, k % cols) in C order, (k % rows, k / rows) in Fortran order.
    const i = fortranOrder ? k % rows : Math.floor(k / cols);
    const j = fortranOrder ? Math.floor(k / rows) : k % cols;
    if (!Number.isFinite(v)) fail(`row ${i}, column ${j} (both 0-based): value ${v} is not finite`);
    data[i * cols + j] = v;
  }
  return { data, rows, cols };
}

/**
 * Writes points as a NumPy .npy file: format version 1.0, C order, little-endian `'<f4'` (default) or
 * `'<f8'`. The header is padded with spaces and ends in `\n` so that the data start at a multiple of
 * 64 bytes, as numpy itself writes. `np.load` reads the result.
 *
 * @param m row-major points; `data` may be any array-like of numbers (converted to the dtype, so
 *   float32 rounds values and overflows large ones to Infinity).
 * @throws {FormatError} when `m` is inconsistent.
 */
export function encodeNpy(m: MatrixLike, dtype: NpyDtype = 'f4'): Uint8Array {
  checkMatrix(m, 'encodeNpy');
  return encodeNpyArray(m.data, [m.rows, m.cols], dtype);
}

/**
 * Writes an array of any shape (C order) as a NumPy .npy file, e.g. a trajectory [frames, particles, d].
 * @throws {FormatError} when the shape does not match the data length.
 */
export function encodeNpyArray(data: ArrayLike<number>, shape: number[], dtype: NpyDtype = 'f4'): Uint8Array {
  if (shape.every((n) => Number.isInteger(n) && n >= 0) && shape.reduce((a, b) => a * b, 1) !== data.length) {
    throw new FormatError(`encodeNpy: shape (${shape.join(', ')}) does not hold ${data.length} values`);
  }
  const header = encodeNpyHeader(shape, dtype);
  const size = dtype === 'f4' ? 4 : 8;
  const out = new Uint8Array(header.length + data.length * size);
  out.set(header, 0);
  const start = header.length;
  const values = dtype === 'f4' ? Float32Array.from(data) : Float64Array.from(data);
  if (LITTLE_ENDIAN) out.set(new Uint8Array(values.buffer), start);
  else {
    const view = new DataView(out.buffer);
    for (let k = 0; k < values.length; k++) {
      if (size === 4) view.setFloat32(start + 4 * k, values[k], true);
      else view.setFloat64(start + 8 * k, values[k], true);
    }
  }
  return out;
}

/**
 * The header of a .npy file (format 1.0, C order, little-endian) for an array of `shape`: write it, then
 * the prod(shape) values, to stream a large array to a file without holding it whole.
 * @throws {FormatError} for a dtype other than 'f4'/'f8' or a shape that is not non-negative integers.
 */
export function encodeNpyHeader(shape: number[], dtype: NpyDtype = 'f4'): Uint8Array {
  const source = 'encodeNpy';
  if (dtype !== 'f4' && dtype !== 'f8') throw new FormatError(`${source}: dtype must be 'f4' or 'f8', got ${excerpt(String(dtype))}`);
  if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw new FormatError(`${source}: shape (${shape.join(', ')}) is not a shape`);
  const dict = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const preamble = MAGIC.length + 2 + 2; // magic, version, u16 header length
  const pad = HEADER_ALIGN - ((preamble + dict.length + 1) % HEADER_ALIGN);
  const header = `${dict}${' '.repeat(pad % HEADER_ALIGN)}\n`;
  const out = new Uint8Array(preamble + header.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  return out;
}

/** Header text: latin-1 in versions 1.0 and 2.0, UTF-8 in 3.0 (which exists for non-ASCII field names). */
function decodeHeader(raw: Uint8Array, major: number, fail: (msg: string) => never): string {
  if (major === 3) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail('.npy header is not valid UTF-8');
    }
  }
  let s = '';
  for (let i = 0; i < raw.length; i++) s += String.fromCharCode(raw[i]);
  return s;
}

/** Checks the header dict has exactly numpy's three keys with the right types. */
function readHeaderDict(v: PyValue, fail: (msg: string) => never): { descr: PyValue; fortranOrder: boolean; shape: number[] } {
  if (v === null || typeof v !== 'object' || v.type !== 'dict') return fail(`.npy header is not a dict: ${excerpt(pyRepr(v), 40)}`);
  const keys = v.entries.map(([k]) => k);
  const want = ['descr', 'fortran_order', 'shape'];
  if (keys.length !== 3 || !want.every((w) => keys.includes(w))) {
    fail(
      `.npy header must have exactly the keys 'descr', 'fortran_order', 'shape'; found ` +
        `${excerpt(keys.map(pyRepr).join(', ') || 'none', 60)}`,
    );
  }
  const get = (key: string): PyValue => v.entries.find(([k]) => k === key)![1];
  const fortran = get('fortran_order');
  if (typeof fortran !== 'boolean') fail(`.npy header 'fortran_order' must be True or False, found ${excerpt(pyRepr(fortran), 40)}`);
  const shape = get('shape');
  if (
    shape === null ||
    typeof shape !== 'object' ||
    shape.type !== 'tuple' ||
    !shape.items.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  ) {
    return fail(`.npy header 'shape' must be a tuple of non-negative integers, found ${excerpt(pyRepr(shape), 40)}`);
  }
  return { descr: get('descr'), fortranOrder: fortran as boolean, shape: shape.items as number[] };
}
