import { describe, expect, it } from 'vitest';
import { crc32, inflateSync } from 'node:zlib';
import { base64, encodeGreyPng } from './png.js';

/** The chunks of a PNG file, each CRC checked with node's zlib (an independent implementation). */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array }[] = [];
  for (let p = 8; p < png.length; ) {
    const len = v.getUint32(p);
    expect(v.getUint32(p + 8 + len)).toBe(crc32(png.subarray(p + 4, p + 8 + len)));
    out.push({ type: String.fromCharCode(...png.subarray(p + 4, p + 8)), data: png.subarray(p + 8, p + 8 + len) });
    p += 12 + len;
  }
  return out;
}

/** Pixels back from a greyscale PNG of filter-0 rows, through zlib's inflate (which checks the Adler-32). */
function decode(png: Uint8Array): { width: number; height: number; grey: Uint8Array } {
  const c = chunks(png);
  expect(c.map((k) => k.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = new DataView(c[0].data.buffer, c[0].data.byteOffset, 13);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  expect([...c[0].data.subarray(8)]).toEqual([8, 0, 0, 0, 0]);
  const raw = inflateSync(c[1].data);
  expect(raw.length).toBe(height * (width + 1));
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0);
    grey.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, grey };
}

describe('encodeGreyPng', () => {
  it('round-trips through an independent inflate, small and across several stored blocks', () => {
    for (const [w, h] of [
      [1, 1],
      [3, 2],
      [28, 28],
      [300, 500], // 150,500 bytes of rows: three stored blocks
    ]) {
      const grey = Uint8Array.from({ length: w * h }, (_, i) => (i * 37 + (i >> 7)) & 255);
      expect(decode(encodeGreyPng(grey, w, h))).toEqual({ width: w, height: h, grey });
    }
  });

  it('refuses bad sizes', () => {
    expect(() => encodeGreyPng(new Uint8Array(4), 2, 3)).toThrow('encodeGreyPng: 4 bytes, expected 2 x 3');
    expect(() => encodeGreyPng(new Uint8Array(0), 0, 0)).toThrow('encodeGreyPng: width and height must be whole numbers > 0, got 0 x 0');
  });
});

describe('base64', () => {
  it('matches Buffer for every padding case', () => {
    for (let n = 0; n < 10; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + 250) & 255);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
