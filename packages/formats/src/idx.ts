import { FormatError } from './errors.js';
import { POINT_LIMITS, valueLimitMessage } from './limits.js';
import type { Matrix } from './matrix.js';

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Name that starts every error message, usually the file name (default `'idx'`). */
  source?: string;
  /** Expected point dimension (the product of the item dimensions); a different one is an error. */
  dim?: number;
  /** Most values accepted, checked from the header (default {@link POINT_LIMITS}.maxValues). */
  maxValues?: number;
}

// Element types of the IDX format: code -> [size in bytes, read one big-endian value].
const TYPES: Record<number, { name: string; size: number; read: (v: DataView, at: number) => number; scale: number }> = {
  8: { name: 'unsigned byte', size: 1, read: (v, at) => v.getUint8(at), scale: 1 / 255 },
  9: { name: 'signed byte', size: 1, read: (v, at) => v.getInt8(at), scale: 1 / 127 },
  11: { name: 'short', size: 2, read: (v, at) => v.getInt16(at), scale: 1 },
  12: { name: 'int', size: 4, read: (v, at) => v.getInt32(at), scale: 1 },
  13: { name: 'float', size: 4, read: (v, at) => v.getFloat32(at), scale: 1 },
  14: { name: 'double', size: 8, read: (v, at) => v.getFloat64(at), scale: 1 },
};

/**
 * Reads an IDX file (the format of MNIST-like datasets: magic 0x0000 TT DD, DD big-endian u32 sizes, then
 * big-endian data). Each item (everything after the first dimension) is flattened to a vector; bytes are
 * scaled to [0, 1] (unsigned) or [-1, 1] (signed), other types are read as they are.
 * see: http://yann.lecun.com/exdb/mnist/ (file formats).
 * @returns a row-major float64 {@link Matrix}: one row per item.
 * @throws {FormatError} for bad magic, an unknown type, a wrong size, truncated or trailing data, non-finite values.
 */
export function parseIdx(bytes: Uint8Array, opts: ParseIdxOptions = {}): Matrix {
  const source = opts.source ?? 'idx';
  const fail = (msg: string): never => {
    throw new FormatError(`${source}: ${msg}`);
  };
  if (bytes.length < 4) fail(`not an IDX file (${bytes.length} bytes, the header alone has at least 8)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail('not an IDX file (bad magic bytes)');
  const type = TYPES[bytes[2]];
  if (!type) fail(`unknown IDX element type 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const rank = bytes[3];
  if (rank < 1) fail('IDX file with no dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`truncated IDX header: ${rank} dimensions need ${headerBytes} bytes, found ${bytes.length}`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const rows = dims[0],
    cols = dims.slice(1).reduce((a, b) => a * b, 1);
  if (rows < 1) fail('no data rows (first dimension is 0)');
  if (cols < 1) fail(`items have size 0 (dimensions ${dims.join(' x ')})`);
  const tooMany = valueLimitMessage(BigInt(rows) * BigInt(cols), opts.maxValues ?? POINT_LIMITS.maxValues);
  if (tooMany) fail(`dimensions ${dims.join(' x ')}: ${tooMany}`);
  if (opts.dim !== undefined && cols !== opts.dim) fail(`points have dimension ${cols}, expected ${opts.dim}`);
  const expected = rows * cols * type.size,
    found = bytes.length - headerBytes;
  if (found < expected) fail(`truncated IDX file: expected ${expected} data bytes, found ${found}`);
  if (found > expected) fail(`${found - expected} bytes after the data (expected exactly ${expected})`);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    const v = type.read(view, headerBytes + i * type.size) * type.scale;
    if (!Number.isFinite(v)) fail(`item ${Math.floor(i / cols)}, value ${i % cols} (both 0-based) is ${v}, not finite`);
    data[i] = v;
  }
  return { data, rows, cols };
}
