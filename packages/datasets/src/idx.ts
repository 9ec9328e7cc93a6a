import { fail } from './errors.js';

/** An IDX file of unsigned bytes: its dimensions and its data, still bytes. */
export interface ByteIdx {
  dims: number[];
  data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes (magic `00 00 08 <rank>`, big-endian u32 dimensions, then the data) without
 * converting it: the data is a view on `bytes`. `@scorefield/formats`' `parseIdx` reads any IDX file as a float
 * matrix for training; this keeps the labels as integers and the pixels as bytes, a quarter of the memory.
 * see: http://yann.lecun.com/exdb/mnist/ (file formats).
 * @param bytes the whole file
 * @param source name that starts every error message (the file name)
 * @throws {DatasetError} for another magic or element type, a truncated file or trailing bytes
 */
export function readByteIdx(bytes: Uint8Array, source: string): ByteIdx {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0) fail(source, 'not an IDX file (bad magic bytes)');
  if (bytes[2] !== 0x08) fail(source, `IDX element type 0x${bytes[2].toString(16).padStart(2, '0')}, expected 0x08 (unsigned byte)`);
  const rank = bytes[3];
  const start = 4 + 4 * rank;
  if (rank < 1 || bytes.length < start) fail(source, `truncated IDX header (${bytes.length} bytes, rank ${rank})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== size) fail(source, `${bytes.length - start} data bytes, expected ${dims.join(' x ')} = ${size}`);
  return { dims, data: bytes.subarray(start) };
}
