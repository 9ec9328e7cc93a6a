import { describe, expect, it } from 'vitest';
import { animateSvgs, encodeGif, type RgbaImage } from './index.js';
import { buildPalette } from './gif.js';
import { scatterPlot } from '../scatter-plot.js';
import { decodeGif } from '../../test/gif-decode.js';

/** A frame filled by `colour(x, y)` → [r, g, b] (opaque). */
function frame(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colour(x, y);
      rgba.set([r, g, b, 255], 4 * (y * width + x));
    }
  }
  return { width, height, rgba };
}

const rgbOf = (img: RgbaImage): Uint8Array => {
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < img.rgba.length; i += 4, j += 3) out.set(img.rgba.subarray(i, i + 3), j);
  return out;
};

/** Image descriptors (0x2C) found by walking the GIF's blocks — independent of the decoder. */
function countImageDescriptors(gif: Uint8Array): number {
  let p = 13;
  if (gif[10] & 0x80) p += 3 * (2 << (gif[10] & 7));
  let n = 0;
  const skipSubBlocks = (): void => {
    while (gif[p] !== 0) p += gif[p] + 1;
    p++;
  };
  for (;;) {
    const b = gif[p++];
    if (b === 0x3b) return n;
    if (b === 0x21) {
      p++;
      skipSubBlocks();
      continue;
    }
    if (b !== 0x2c) throw new Error(`bad block ${b} at ${p - 1}`);
    n++;
    const packed = gif[p + 8];
    p += 9;
    if (packed & 0x80) p += 3 * (2 << (packed & 7));
    p++; // LZW minimum code size
    skipSubBlocks();
  }
}

// Three frames: a red square moving over a white background with a blue bar.
const W = 64,
  H = 48;
const moving = [0, 1, 2].map((k) =>
  frame(W, H, (x, y) => {
    if (x >= 10 + 12 * k && x < 22 + 12 * k && y >= 10 && y < 22) return [220, 30, 40];
    if (y >= 40) return [31, 119, 180];
    return [255, 255, 255];
  }),
);

describe('encodeGif', () => {
  it('writes GIF89a with a global palette, one image per frame and a loop extension', () => {
    const gif = encodeGif(moving, { delayMs: 120 });
    expect(String.fromCharCode(...gif.subarray(0, 6))).toBe('GIF89a');
    expect(gif[gif.length - 1]).toBe(0x3b);
    expect(gif[6] | (gif[7] << 8)).toBe(W);
    expect(gif[8] | (gif[9] << 8)).toBe(H);
    expect(gif[10] & 0x80).toBe(0x80); // global colour table
    expect(countImageDescriptors(gif)).toBe(3);
    expect(Buffer.from(gif).includes(Buffer.from('NETSCAPE2.0'))).toBe(true);
    const dec = decodeGif(gif);
    expect(dec.loop).toBe(0); // forever
    expect(dec.images).toHaveLength(3);
    expect(dec.images.map((i) => i.delayCs)).toEqual([12, 12, 12]);
  });
  it('round-trips exactly when there are at most 256 colours', () => {
    const dec = decodeGif(encodeGif(moving, { delayMs: 100 }));
    dec.frames.forEach((f, i) => expect(Buffer.from(f).equals(Buffer.from(rgbOf(moving[i]))), `frame ${i}`).toBe(true));
  });
  it('keeps one global palette: no local colour tables, each colour has one index in every frame', () => {
    const gif = encodeGif(moving, { delayMs: 100 });
    const dec = decodeGif(gif);
    // Local-table flag clear in every image descriptor: the walk above would have found them.
    expect(dec.palette.length).toBeGreaterThanOrEqual(3 * 3);
    const red = [220, 30, 40];
    const slots = [];
    for (let k = 0; k < dec.palette.length; k += 3)
      if (dec.palette[k] === red[0] && dec.palette[k + 1] === red[1] && dec.palette[k + 2] === red[2]) slots.push(k / 3);
    expect(slots).toHaveLength(1);
    // The same palette results whatever the frame order (sorted colour counting).
    expect(encodeGif([...moving].reverse(), { delayMs: 100 }).subarray(13, 13 + dec.palette.length)).toEqual(
      gif.subarray(13, 13 + dec.palette.length),
    );
  });
  it('stores later frames as the changed rectangle only, and an unchanged frame as one pixel', () => {
    const dec = decodeGif(encodeGif([moving[0], moving[1], moving[1]], { delayMs: 100 }));
    expect(dec.images[0]).toMatchObject({ left: 0, top: 0, width: W, height: H });
    expect(dec.images[1]).toMatchObject({ left: 10, top: 10, width: 24, height: 12, disposal: 1 });
    expect(dec.images[2]).toMatchObject({ width: 1, height: 1 });
    expect(Buffer.from(dec.frames[2]).equals(Buffer.from(rgbOf(moving[1])))).toBe(true);
  });
  it('quantises many colours to 256 with small error, the same palette for every frame', () => {
    // Smooth 2-D gradients, shifted per frame: ~8000 distinct colours in all.
    const frames = [0, 1, 2, 3].map((k) => frame(96, 64, (x, y) => [Math.min(255, x * 2 + k * 20), y * 4, 128]));
    const dec = decodeGif(encodeGif(frames, { delayMs: 50 }));
    expect(dec.palette.length).toBe(256 * 3);
    let err = 0,
      count = 0;
    dec.frames.forEach((f, i) => {
      const ref = rgbOf(frames[i]);
      for (let j = 0; j < f.length; j++) {
        err += Math.abs(f[j] - ref[j]);
        count++;
      }
    });
    expect(err / count).toBeLessThan(3); // mean absolute error per channel, of 255
  });
  it('handles noise that fills the LZW table many times (clear codes)', () => {
    let s = 7;
    const rnd = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s >>> 24;
    };
    const colours = Array.from({ length: 200 }, (_, i) => [i, (i * 7) & 255, (i * 13) & 255] as [number, number, number]);
    const noisy = frame(300, 200, () => colours[rnd() % 200]);
    const dec = decodeGif(encodeGif([noisy], { delayMs: 100 }));
    expect(Buffer.from(dec.frames[0]).equals(Buffer.from(rgbOf(noisy)))).toBe(true);
  });
  it('encodes tiny and single-colour frames', () => {
    const one = frame(1, 1, () => [10, 20, 30]);
    const dec = decodeGif(encodeGif([one], { delayMs: 0, loop: false }));
    expect([...dec.frames[0]]).toEqual([10, 20, 30]);
    expect(dec.loop).toBeUndefined();
    expect(dec.images[0].delayCs).toBe(2); // shortest delay browsers honour
  });
  it('composites transparency onto white', () => {
    const img: RgbaImage = { width: 2, height: 1, rgba: Uint8Array.from([0, 0, 0, 0, 255, 0, 0, 128]) };
    const dec = decodeGif(encodeGif([img], { delayMs: 100 }));
    expect([...dec.frames[0]]).toEqual([255, 255, 255, 255, 127, 127]);
  });
  it('refuses bad frames and options', () => {
    expect(() => encodeGif([], { delayMs: 100 })).toThrow(/at least one frame/);
    expect(() => encodeGif([moving[0], frame(10, 10, () => [0, 0, 0])], { delayMs: 100 })).toThrow(/frame 1 is 10 × 10/);
    expect(() => encodeGif([{ width: 2, height: 2, rgba: new Uint8Array(3) }], { delayMs: 100 })).toThrow(/RGBA/);
    expect(() => encodeGif(moving, { delayMs: -1 })).toThrow(/delayMs/);
  });
});

describe('buildPalette', () => {
  it('keeps up to 256 distinct colours exactly, sorted', () => {
    const rgb = Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 255, 255, 10, 20, 30]);
    expect(buildPalette([rgb], 4)).toEqual([0, 0, 0, 10, 20, 30, 255, 255, 255]);
  });
});

describe('animateSvgs', () => {
  it('renders SVG frames into an animated GIF of the scaled size', async () => {
    const R: [number, number] = [-3, 3];
    const data = Array.from({ length: 400 }, (_, i) => Math.sin(i * 1.3) * 2);
    const svgs = [0, 1, 2].map((k) =>
      scatterPlot({
        title: 'Langevin sampling',
        xRange: R,
        yRange: R,
        data,
        samples: Array.from({ length: 100 }, (_, i) => Math.cos(i * 0.7 + k) * (1 + k / 2)),
        note: `step ${k}/2`,
      }),
    );
    const gif = await animateSvgs(svgs, { delayMs: 200, scale: 0.5 });
    const dec = decodeGif(gif);
    expect([dec.width, dec.height]).toEqual([360, 360]);
    expect(dec.images).toHaveLength(3);
    expect(dec.loop).toBe(0);
    // The frames differ (the samples move) but share the layout: the first later frame is a sub-rectangle.
    expect(dec.images[1].width * dec.images[1].height).toBeLessThan(360 * 360);
    await expect(animateSvgs([], { delayMs: 100 })).rejects.toThrow(/at least one/);
    await expect(animateSvgs([svgs[0], 'nope'], { delayMs: 100 })).rejects.toThrow(/frame 1/);
  });
});
