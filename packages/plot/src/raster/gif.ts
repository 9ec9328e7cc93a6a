/**
 * Animated GIF encoding, pure TypeScript: one global palette (≤ 256 colours) chosen by a
 * variance-minimising median cut over all frames, exact nearest-colour mapping without
 * dithering (figures are flat colours and thin lines; dither noise would shimmer from frame to
 * frame), LZW compression, and per-frame sub-rectangles holding only what changed.
 */
import type { RgbaImage } from './render.js';

/** Options of {@link encodeGif}. */
export interface GifOptions {
  /**
   * Time each frame is shown, ms. GIF stores hundredths of a second, so this is rounded to
   * 10 ms; values under 20 ms become 20 ms (browsers slow shorter delays down to 100 ms).
   */
  delayMs: number;
  /** Repeat forever (default true; a NETSCAPE2.0 loop extension). `false` plays once. */
  loop?: boolean;
}

const MAX_SIDE = 65535;

/**
 * Encode frames as an animated GIF89a.
 *
 * - One global colour table for the whole animation, so a colour never flickers between
 *   frames. It is built from a sample of the pixels of every frame (at most ~2 M pixels in
 *   all); figures with at most 256 distinct colours keep them exactly.
 * - Alpha is composited onto white (GIF has no partial transparency).
 * - Frame 1 is stored whole; every later frame stores only the bounding box of the pixels
 *   that differ from the previous frame (disposal "do not dispose"), which keeps animations
 *   whose axes and labels stay put small.
 * @param frames images of identical size; `rgba` holds `width·height·4` bytes
 * @param opts delay per frame and looping
 * @returns the GIF file bytes
 * @throws Error for no frames, frames of different sizes, a wrong `rgba` length or a bad delay
 */
export function encodeGif(frames: RgbaImage[], opts: GifOptions): Uint8Array {
  if (!Array.isArray(frames) || frames.length === 0) throw new Error('encodeGif: need at least one frame');
  const { width, height } = frames[0];
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= MAX_SIDE && height <= MAX_SIDE)) {
    throw new Error(`encodeGif: frame size must be whole numbers in 1…${MAX_SIDE}, got ${width} × ${height}`);
  }
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) {
      throw new Error(
        `encodeGif: frame ${i} is ${f.width} × ${f.height} but frame 0 is ${width} × ${height}; all frames must have the same size`,
      );
    }
    if (f.rgba.length !== width * height * 4) {
      throw new Error(
        `encodeGif: frame ${i} has ${f.rgba.length} bytes of RGBA, expected ${width} × ${height} × 4 = ${width * height * 4}`,
      );
    }
  });
  if (!(Number.isFinite(opts?.delayMs) && opts.delayMs >= 0))
    throw new Error(`encodeGif: delayMs must be a non-negative number, got ${opts?.delayMs}`);
  const delay = Math.min(65535, Math.max(2, Math.round(opts.delayMs / 10)));

  const rgb = frames.map((f) => toRgbOnWhite(f.rgba));
  const palette = buildPalette(rgb, width * height);
  const mapper = new NearestColour(palette);
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(2, palette.length / 3))));
  const tableSize = 1 << bits;

  const out = new ByteWriter();
  out.ascii('GIF89a');
  out.u16(width);
  out.u16(height);
  out.byte(0x80 | ((bits - 1) << 4) | (bits - 1)); // global table, colour resolution, table size
  out.byte(0);
  out.byte(0); // background index, pixel aspect
  for (let i = 0; i < tableSize * 3; i++) out.byte(i < palette.length ? palette[i] : 0);
  if (opts.loop !== false) {
    out.byte(0x21);
    out.byte(0xff);
    out.byte(11);
    out.ascii('NETSCAPE2.0');
    out.byte(3);
    out.byte(1);
    out.u16(0);
    out.byte(0); // loop count 0 = forever
  }

  let prev: Uint8Array | undefined;
  const lzw = new LzwEncoder();
  for (const frame of rgb) {
    const idx = mapper.mapImage(frame);
    let x0 = 0,
      y0 = 0,
      x1 = width - 1,
      y1 = height - 1;
    if (prev) {
      const box = diffBox(prev, idx, width, height);
      if (box) ({ x0, y0, x1, y1 } = box);
      else {
        x1 = 0;
        y1 = 0;
      } // identical frame: re-store one pixel to keep the timing
    }
    const w = x1 - x0 + 1,
      h = y1 - y0 + 1;
    const sub = w === width && h === height ? idx : crop(idx, width, x0, y0, w, h);
    // Graphic control extension: disposal 1 (leave the frame in place), no transparency.
    out.byte(0x21);
    out.byte(0xf9);
    out.byte(4);
    out.byte(1 << 2);
    out.u16(delay);
    out.byte(0);
    out.byte(0);
    // Image descriptor, no local colour table, not interlaced.
    out.byte(0x2c);
    out.u16(x0);
    out.u16(y0);
    out.u16(w);
    out.u16(h);
    out.byte(0);
    lzw.encode(sub, Math.max(2, bits), out);
    prev = idx;
  }
  out.byte(0x3b);
  return out.bytes();
}

/** RGB (3 bytes a pixel) with alpha composited onto white. */
function toRgbOnWhite(rgba: Uint8Array): Uint8Array {
  const n = rgba.length >> 2;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const a = rgba[i + 3];
    if (a === 255) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    } else {
      const k = 255 - a;
      rgb[j] = Math.round((rgba[i] * a + 255 * k) / 255);
      rgb[j + 1] = Math.round((rgba[i + 1] * a + 255 * k) / 255);
      rgb[j + 2] = Math.round((rgba[i + 2] * a + 255 * k) / 255);
    }
  }
  return rgb;
}

/** A colour cell of the median cut: distinct colours `[start, end)` of the shared arrays. */
interface Cell {
  start: number;
  end: number;
  sse: number;
}

/**
 * Palette of at most 256 colours as `[r0, g0, b0, r1, …]`. Colours are counted exactly (24 bit);
 * with ≤ 256 distinct colours they are the palette, otherwise cells of colours are split, the
 * one with the largest squared error first, at the cut that minimises the error of the halves.
 */
export function buildPalette(frames: Uint8Array[], pixelsPerFrame: number, maxColours = 256): number[] {
  const budget = 2_000_000;
  const stride = Math.max(1, Math.ceil((pixelsPerFrame * frames.length) / budget));
  const counts = new Map<number, number>();
  for (const rgb of frames) {
    for (let p = 0; p < pixelsPerFrame; p += stride) {
      const key = (rgb[3 * p] << 16) | (rgb[3 * p + 1] << 8) | rgb[3 * p + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  // Sorted keys: the palette does not depend on Map insertion order.
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const n = keys.length;
  const col = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const w = new Float64Array(n);
  keys.forEach((k, i) => {
    col[0][i] = k >> 16;
    col[1][i] = (k >> 8) & 255;
    col[2][i] = k & 255;
    w[i] = counts.get(k)!;
  });
  if (n <= maxColours) {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(col[0][i], col[1][i], col[2][i]);
    return out;
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const sse = (s: number, e: number): number => {
    let W = 0;
    const S = [0, 0, 0];
    let Q = 0;
    for (let i = s; i < e; i++) {
      const o = order[i],
        wi = w[o];
      W += wi;
      for (let c = 0; c < 3; c++) {
        const v = col[c][o];
        S[c] += wi * v;
        Q += wi * v * v;
      }
    }
    return W > 0 ? Q - (S[0] * S[0] + S[1] * S[1] + S[2] * S[2]) / W : 0;
  };
  const cells: Cell[] = [{ start: 0, end: n, sse: sse(0, n) }];
  while (cells.length < maxColours) {
    let best = -1;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i].end - cells[i].start > 1 && cells[i].sse > 0 && (best < 0 || cells[i].sse > cells[best].sse)) best = i;
    }
    if (best < 0) break;
    const cell = cells[best];
    // Split along the channel with the widest weighted spread.
    let axis = 0,
      spread = -1;
    for (let c = 0; c < 3; c++) {
      let W = 0,
        S = 0,
        Q = 0;
      for (let i = cell.start; i < cell.end; i++) {
        const o = order[i],
          v = col[c][o];
        W += w[o];
        S += w[o] * v;
        Q += w[o] * v * v;
      }
      const varc = Q - (S * S) / W;
      if (varc > spread) {
        spread = varc;
        axis = c;
      }
    }
    const seg = Array.from(order.subarray(cell.start, cell.end)).sort((a, b) => col[axis][a] - col[axis][b] || a - b);
    order.set(seg, cell.start);
    // Prefix sums along the sorted segment; pick the cut minimising SSE(left) + SSE(right).
    const m = seg.length;
    const pw = new Float64Array(m + 1),
      pq = new Float64Array(m + 1);
    const ps = [new Float64Array(m + 1), new Float64Array(m + 1), new Float64Array(m + 1)];
    for (let i = 0; i < m; i++) {
      const o = seg[i],
        wi = w[o];
      pw[i + 1] = pw[i] + wi;
      let q = 0;
      for (let c = 0; c < 3; c++) {
        const v = col[c][o];
        ps[c][i + 1] = ps[c][i] + wi * v;
        q += wi * v * v;
      }
      pq[i + 1] = pq[i] + q;
    }
    const part = (a: number, b: number): number => {
      const W = pw[b] - pw[a];
      if (W <= 0) return 0;
      let s2 = 0;
      for (let c = 0; c < 3; c++) {
        const s = ps[c][b] - ps[c][a];
        s2 += s * s;
      }
      return pq[b] - pq[a] - s2 / W;
    };
    let cut = 1,
      bestErr = Infinity;
    for (let i = 1; i < m; i++) {
      if (col[axis][seg[i]] === col[axis][seg[i - 1]]) continue; // keep equal values together
      const err = part(0, i) + part(i, m);
      if (err < bestErr) {
        bestErr = err;
        cut = i;
      }
    }
    if (bestErr === Infinity) cut = m >> 1;
    const mid = cell.start + cut;
    cells.splice(best, 1, { start: cell.start, end: mid, sse: part(0, cut) }, { start: mid, end: cell.end, sse: part(cut, m) });
  }
  // Weighted mean of each cell.
  let centres: number[] = [];
  for (const cell of cells) {
    let W = 0;
    const S = [0, 0, 0];
    for (let i = cell.start; i < cell.end; i++) {
      const o = order[i];
      W += w[o];
      for (let c = 0; c < 3; c++) S[c] += w[o] * col[c][o];
    }
    centres.push(S[0] / W, S[1] / W, S[2] / W);
  }
  // A few weighted k-means steps from the median cut: colours move to the nearest centre,
  // centres to the mean of their colours (bounded work: skipped for huge colour counts).
  if (n * cells.length <= 20_000_000) centres = refine(col, w, centres, 4);
  return centres.map((v) => Math.min(255, Math.max(0, Math.round(v))));
}

/** Lloyd iterations over weighted colours; a centre that loses all its colours stays put. */
function refine(col: Float64Array[], w: Float64Array, centres: number[], iterations: number): number[] {
  const n = w.length,
    k = centres.length / 3;
  let c = centres.slice();
  for (let it = 0; it < iterations; it++) {
    const S = new Float64Array(3 * k),
      W = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const r = col[0][i],
        g = col[1][i],
        b = col[2][i];
      let best = 0,
        bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const dr = c[3 * j] - r,
          dg = c[3 * j + 1] - g,
          db = c[3 * j + 2] - b;
        const d = dr * dr + dg * dg + db * db;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      W[best] += w[i];
      S[3 * best] += w[i] * r;
      S[3 * best + 1] += w[i] * g;
      S[3 * best + 2] += w[i] * b;
    }
    const next = c.slice();
    for (let j = 0; j < k; j++) if (W[j] > 0) for (let q = 0; q < 3; q++) next[3 * j + q] = S[3 * j + q] / W[j];
    c = next;
  }
  return c;
}

/** Nearest palette entry (squared RGB distance), memoised per exact colour. */
class NearestColour {
  private readonly cache = new Map<number, number>();
  constructor(private readonly palette: number[]) {}

  nearest(r: number, g: number, b: number): number {
    const key = (r << 16) | (g << 8) | b;
    let idx = this.cache.get(key);
    if (idx !== undefined) return idx;
    let best = Infinity;
    idx = 0;
    const p = this.palette;
    for (let i = 0; i < p.length; i += 3) {
      const dr = p[i] - r,
        dg = p[i + 1] - g,
        db = p[i + 2] - b;
      const d = dr * dr + dg * dg + db * db;
      if (d < best) {
        best = d;
        idx = i / 3;
        if (d === 0) break;
      }
    }
    this.cache.set(key, idx);
    return idx;
  }

  mapImage(rgb: Uint8Array): Uint8Array {
    const n = rgb.length / 3;
    const out = new Uint8Array(n);
    let lastKey = -1,
      lastIdx = 0;
    for (let p = 0, j = 0; p < n; p++, j += 3) {
      const key = (rgb[j] << 16) | (rgb[j + 1] << 8) | rgb[j + 2];
      if (key !== lastKey) {
        lastKey = key;
        lastIdx = this.nearest(rgb[j], rgb[j + 1], rgb[j + 2]);
      }
      out[p] = lastIdx;
    }
    return out;
  }
}

function diffBox(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  height: number,
): { x0: number; y0: number; x1: number; y1: number } | undefined {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1,
      last = -1;
    for (let x = 0; x < width; x++)
      if (a[row + x] !== b[row + x]) {
        first = x;
        break;
      }
    if (first < 0) continue;
    for (let x = width - 1; x >= first; x--)
      if (a[row + x] !== b[row + x]) {
        last = x;
        break;
      }
    if (y < y0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return x1 < 0 ? undefined : { x0, y0, x1, y1 };
}

function crop(idx: Uint8Array, width: number, x0: number, y0: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) out.set(idx.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
  return out;
}

/** A growable byte buffer. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private n = 0;

  byte(v: number): void {
    if (this.n === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }

  u16(v: number): void {
    this.byte(v & 255);
    this.byte((v >> 8) & 255);
  }

  ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** GIF-flavoured LZW (variable code width up to 12 bits, clear code when the table is full). */
class LzwEncoder {
  // Dictionary: code of (prefix code, next index) at prefix·256 + index; 0 = absent.
  private readonly table = new Uint16Array(4096 * 256);

  encode(indices: Uint8Array, minCodeSize: number, out: ByteWriter): void {
    const clear = 1 << minCodeSize,
      eoi = clear + 1;
    const table = this.table;
    table.fill(0);
    let codeSize = minCodeSize + 1;
    let next = eoi + 1;
    // Bit packer into 255-byte sub-blocks.
    const block = new Uint8Array(255);
    let blockLen = 0,
      acc = 0,
      accBits = 0;
    out.byte(minCodeSize);
    const flushBlock = (): void => {
      if (blockLen === 0) return;
      out.byte(blockLen);
      for (let i = 0; i < blockLen; i++) out.byte(block[i]);
      blockLen = 0;
    };
    const emit = (code: number): void => {
      acc |= code << accBits;
      accBits += codeSize;
      while (accBits >= 8) {
        block[blockLen++] = acc & 255;
        if (blockLen === 255) flushBlock();
        acc >>>= 8;
        accBits -= 8;
      }
    };
    emit(clear);
    let cur = indices[0];
    for (let i = 1; i < indices.length; i++) {
      const k = indices[i];
      const key = cur * 256 + k;
      const code = table[key];
      if (code !== 0) {
        cur = code;
        continue;
      }
      emit(cur);
      if (next === 4096) {
        emit(clear);
        table.fill(0);
        codeSize = minCodeSize + 1;
        next = eoi + 1;
      } else {
        if (next >= 1 << codeSize) codeSize++;
        table[key] = next++;
      }
      cur = k;
    }
    emit(cur);
    emit(eoi);
    if (accBits > 0) {
      block[blockLen++] = acc & 255;
      if (blockLen === 255) flushBlock();
    }
    flushBlock();
    out.byte(0); // block terminator
  }
}
