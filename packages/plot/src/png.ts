/**
 * A minimal, dependency-free PNG writer for 8-bit greyscale images, used to embed pixel images in SVG figures
 * (as matplotlib's SVG backend does). The zlib stream uses stored (uncompressed) deflate blocks: no compressor
 * to trust, and a 28x28 image costs about 0.9 kB. Pure and deterministic, Node and browsers alike.
 * see: PNG specification, 2nd ed. (W3C, 2003), sections 5 (chunks) and 11.2.2 (IHDR); RFC 1950 (zlib), RFC 1951
 * section 3.2.4 (stored blocks).
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Largest stored deflate block, bytes. */
const STORED_MAX = 65535;

/**
 * Encodes `width` x `height` greyscale bytes (0 black, 255 white), rows top to bottom, as a PNG file.
 * @throws Error when the sizes are not positive whole numbers or `grey` has another length
 */
export function encodeGreyPng(grey: Uint8Array, width: number, height: number): Uint8Array {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new Error(`encodeGreyPng: width and height must be whole numbers > 0, got ${width} x ${height}`);
  }
  if (grey.length !== width * height) throw new Error(`encodeGreyPng: ${grey.length} bytes, expected ${width} x ${height}`);
  // Each row is preceded by its filter type, 0 (none).
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, colour type 0 (greyscale), deflate, adaptive filtering, no interlace
  return concat([Uint8Array.from(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', zlibStored(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A zlib stream of stored deflate blocks: header 78 01, blocks, Adler-32 (big-endian). */
function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / STORED_MAX));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const part = data.subarray(b * STORED_MAX, Math.min(data.length, (b + 1) * STORED_MAX));
    out[at] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00
    out[at + 1] = part.length & 0xff;
    out[at + 2] = part.length >>> 8;
    out[at + 3] = ~part.length & 0xff;
    out[at + 4] = (~part.length >>> 8) & 0xff;
    out.set(part, at + 5);
    at += 5 + part.length;
  }
  new DataView(out.buffer).setUint32(at, adler32(data));
  return out;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of the chunk type and data (PNG spec, annex D). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length, type, data, CRC. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = new Uint8Array(4 + data.length);
  for (let i = 0; i < 4; i++) body[i] = type.charCodeAt(i);
  body.set(data, 4);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(body, 4);
  view.setUint32(8 + data.length, crc32(body));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648, with padding), for `data:` URLs. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >>> 18) & 63] + BASE64[(n >>> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >>> 6) & 63] : '=';
    out += i + 2 < bytes.length ? BASE64[n & 63] : '=';
  }
  return out;
}
