/**
 * Test helper: a small, strict GIF89a decoder (global/local colour tables, graphic control and
 * application extensions, LZW, disposal 0/1), independent of the encoder under test. Frames are
 * composited onto a canvas, so each decoded frame is the full picture a viewer would show.
 */

export interface DecodedGif {
  width: number;
  height: number;
  /** Global colour table, `[r0, g0, b0, …]` (empty when absent). */
  palette: number[];
  /** A NETSCAPE2.0 loop extension was present; its loop count (0 = forever). */
  loop?: number;
  /** Image descriptors (0x2C) met, in order, with their rectangle and delay (1/100 s). */
  images: { left: number; top: number; width: number; height: number; delayCs: number; disposal: number }[];
  /** Full canvas after each image, RGB (3 bytes a pixel). */
  frames: Uint8Array[];
}

export function decodeGif(bytes: Uint8Array): DecodedGif {
  let p = 0;
  const u8 = (): number => {
    if (p >= bytes.length) throw new Error(`GIF truncated at ${p}`);
    return bytes[p++];
  };
  const u16 = (): number => u8() | (u8() << 8);
  const ascii = (n: number): string => String.fromCharCode(...bytes.subarray(p, (p += n)));
  const subBlocks = (): Uint8Array => {
    const parts: number[] = [];
    for (;;) {
      const n = u8();
      if (n === 0) break;
      for (let i = 0; i < n; i++) parts.push(u8());
    }
    return Uint8Array.from(parts);
  };

  const sig = ascii(6);
  if (sig !== 'GIF89a' && sig !== 'GIF87a') throw new Error(`not a GIF: ${JSON.stringify(sig)}`);
  const width = u16(),
    height = u16();
  const packed = u8();
  u8();
  u8();
  const palette: number[] = [];
  if (packed & 0x80) {
    const size = 2 << (packed & 7);
    for (let i = 0; i < size * 3; i++) palette.push(u8());
  }
  const out: DecodedGif = { width, height, palette, images: [], frames: [] };
  const canvas = new Uint8Array(width * height * 3).fill(255);
  let delayCs = 0,
    disposal = 0,
    transparent = -1;
  for (;;) {
    const b = u8();
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = u8();
      if (label === 0xf9) {
        const data = subBlocks();
        disposal = (data[0] >> 2) & 7;
        transparent = data[0] & 1 ? data[3] : -1;
        delayCs = data[1] | (data[2] << 8);
      } else if (label === 0xff) {
        const n = u8();
        const id = ascii(n);
        const data = subBlocks();
        if (id === 'NETSCAPE2.0' && data[0] === 1) out.loop = data[1] | (data[2] << 8);
      } else {
        subBlocks();
      }
      continue;
    }
    if (b !== 0x2c) throw new Error(`unexpected block 0x${b.toString(16)} at ${p - 1}`);
    const left = u16(),
      top = u16(),
      w = u16(),
      h = u16();
    const ip = u8();
    let table = palette;
    if (ip & 0x80) {
      table = [];
      const size = 2 << (ip & 7);
      for (let i = 0; i < size * 3; i++) table.push(u8());
    }
    if (ip & 0x40) throw new Error('interlaced frames are not expected');
    const minCode = u8();
    const indices = lzwDecode(subBlocks(), minCode, w * h);
    if (left + w > width || top + h > height) throw new Error('frame outside the canvas');
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = indices[y * w + x];
        if (k === transparent) continue;
        if (3 * k + 2 >= table.length) throw new Error(`index ${k} outside the colour table`);
        const o = ((top + y) * width + left + x) * 3;
        canvas[o] = table[3 * k];
        canvas[o + 1] = table[3 * k + 1];
        canvas[o + 2] = table[3 * k + 2];
      }
    }
    out.images.push({ left, top, width: w, height: h, delayCs, disposal });
    out.frames.push(canvas.slice());
    delayCs = 0;
    transparent = -1;
    disposal = 0;
  }
  if (p !== bytes.length) throw new Error(`${bytes.length - p} bytes after the trailer`);
  return out;
}

function lzwDecode(data: Uint8Array, minCode: number, count: number): Uint8Array {
  const clear = 1 << minCode,
    eoi = clear + 1;
  const out = new Uint8Array(count);
  let n = 0;
  const prefix = new Int32Array(4096),
    suffix = new Uint8Array(4096),
    length = new Int32Array(4096);
  for (let i = 0; i < clear; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
  }
  let size = minCode + 1,
    next = eoi + 1,
    prev = -1;
  let bit = 0;
  const read = (): number => {
    let v = 0;
    for (let i = 0; i < size; i++, bit++) {
      const byte = data[bit >> 3];
      if (byte === undefined) throw new Error('LZW data ran out before the end code');
      v |= ((byte >> (bit & 7)) & 1) << i;
    }
    return v;
  };
  const write = (code: number): number => {
    const len = length[code];
    if (n + len > count) throw new Error('LZW data longer than the frame');
    let c = code;
    for (let i = len - 1; i >= 0; i--) {
      out[n + i] = suffix[c];
      c = prefix[c];
    }
    const first = out[n];
    n += len;
    return first;
  };
  for (;;) {
    const code = read();
    if (code === clear) {
      size = minCode + 1;
      next = eoi + 1;
      prev = -1;
      continue;
    }
    if (code === eoi) break;
    if (prev < 0) {
      write(code);
      prev = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = write(code);
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = first;
        length[next] = length[prev] + 1;
        next++;
      }
    } else if (code === next) {
      // KwKwK: the new entry is prev + first(prev).
      let c = prev;
      while (prefix[c] >= 0) c = prefix[c];
      prefix[next] = prev;
      suffix[next] = suffix[c];
      length[next] = length[prev] + 1;
      next++;
      write(code);
    } else {
      throw new Error(`LZW code ${code} beyond the table (${next})`);
    }
    if (next === 1 << size && size < 12) size++;
    prev = code;
  }
  if (n !== count) throw new Error(`LZW gave ${n} pixels, expected ${count}`);
  return out;
}
