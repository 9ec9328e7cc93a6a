import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { decodeMnist, loadMnist, MNIST_FILES } from './mnist.js';
import { readPackageFile } from '#package-file';

/** Digits per class in the `mnist` package (10,000 in all). */
const PER_CLASS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const TEST_PER_CLASS = PER_CLASS.map((n) => Math.floor(n / 10));

/** Class c's digits as the `mnist` package stores them: round(byte / 255, 3), 784 per digit. */
function packageDigits(c: number): number[] {
  const dir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  return JSON.parse(readFileSync(join(dir, 'src', 'digits', `${c}.json`), 'utf8')).data;
}

/** Bitwise equality of two typed arrays (much faster than toEqual on 10^5+ elements). */
function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function counts(labels: Uint8Array): number[] {
  const out = new Array(10).fill(0);
  for (const c of labels) out[c]++;
  return out;
}

/** A pair of IDX files (images [n, 28, 28], labels [n]) made by hand. */
function idxPair(images: Uint8Array, labels: number[], dims = [labels.length, 28, 28]): [Uint8Array, Uint8Array] {
  const file = (shape: number[], data: Uint8Array) => {
    const out = new Uint8Array(4 + 4 * shape.length + data.length);
    const v = new DataView(out.buffer);
    out.set([0, 0, 8, shape.length]);
    shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
    out.set(data, 4 + 4 * shape.length);
    return out;
  };
  return [file(dims, images), file([labels.length], Uint8Array.from(labels))];
}

describe('loadMnist', () => {
  it('splits the 10,000 digits per class: every 10th digit of each class is the test split', async () => {
    const train = await loadMnist();
    const test = await loadMnist({ split: 'test' });
    expect([train.rows, test.rows]).toEqual([9003, 997]);
    expect(counts(test.labels)).toEqual(TEST_PER_CLASS);
    expect(counts(train.labels)).toEqual(PER_CLASS.map((n, c) => n - TEST_PER_CLASS[c]));
    for (const set of [train, test]) {
      expect(set).toMatchObject({ cols: 784, width: 28, height: 28, classes: 10 });
      expect(set.data).toBeInstanceOf(Float32Array);
      expect(set.data.length).toBe(set.rows * 784);
    }
  });

  it('holds MNIST bytes / 255 in [0, 1], digit for digit the mnist package (classes interleaved, in package order)', async () => {
    const [train, test] = await Promise.all([loadMnist(), loadMnist({ split: 'test' })]);
    let min = 1;
    let max = 0;
    let notByte = 0; // values that are not float32(byte / 255)
    for (const v of train.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (v !== Math.fround(Math.round(v * 255) / 255)) notByte++;
    }
    expect([min, max, notByte]).toEqual([0, 1, 0]);
    // The first 10 k digits of a split hold k of each class, in class order, up to the smallest class (5: 86 test digits).
    expect(Array.from(test.labels.subarray(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(counts(test.labels.subarray(0, 860))).toEqual(new Array(10).fill(86));
    // Within class c, test rank k is package digit 10 k + 9 and train rank k is package digit k + floor(k / 9).
    for (const c of [3, 5]) {
      const raw = packageDigits(c);
      expect(raw.length).toBe(PER_CLASS[c] * 784);
      const check = (set: typeof train, row: number, digit: number) => {
        expect(set.labels[row]).toBe(c);
        for (let p = 0; p < 784; p++) expect(Math.abs(set.data[row * 784 + p] - raw[digit * 784 + p])).toBeLessThanOrEqual(0.0005 + 1e-7);
      };
      check(train, c, 0);
      check(train, 10 * 8 + c, 8);
      check(train, 10 * 9 + c, 10);
      check(train, 10 * 700 + c, 777);
      check(test, c, 9);
      check(test, 10 * 85 + c, 859);
    }
  });

  it('is deterministic, and limit keeps the first digits', async () => {
    const a = await loadMnist({ split: 'test' });
    const b = await loadMnist({ split: 'test' });
    expect(sameBits(b.data, a.data)).toBe(true);
    expect(sameBits(b.labels, a.labels)).toBe(true);
    const head = await loadMnist({ split: 'test', limit: 25 });
    expect(head.rows).toBe(25);
    expect(sameBits(head.data, a.data.subarray(0, 25 * 784))).toBe(true);
    expect(head.labels).toEqual(a.labels.subarray(0, 25));
    expect((await loadMnist({ split: 'test', limit: 5000 })).rows).toBe(997);
  });

  it('pools 2x2 blocks to 14x14 with imageSize 14', async () => {
    const full = await loadMnist({ split: 'test', limit: 30 });
    const half = await loadMnist({ split: 'test', limit: 30, imageSize: 14 });
    expect(half).toMatchObject({ rows: 30, cols: 196, width: 14, height: 14 });
    expect(half.labels).toEqual(full.labels);
    for (let r = 0; r < 30; r++) {
      for (let y = 0; y < 14; y++) {
        for (let x = 0; x < 14; x++) {
          const at = (yy: number, xx: number) => full.data[r * 784 + yy * 28 + xx];
          const mean = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
          expect(half.data[r * 196 + y * 14 + x]).toBeCloseTo(mean, 6);
        }
      }
    }
    // exact on a hand-made digit: the block sums 0, 255, 1020 and 1 give 0, 0.25, 1 and 1/1020
    const bytes = new Uint8Array(784);
    bytes.set([255, 0], 28 * 0 + 2);
    bytes.set([255, 255], 28 * 0 + 4);
    bytes.set([255, 255], 28 * 1 + 4);
    bytes[6] = 1;
    const [images, labels] = idxPair(bytes, [7]);
    const pooled = decodeMnist(images, labels, { imageSize: 14 });
    expect(Array.from(pooled.data.subarray(0, 4))).toEqual([0, 0.25, 1, 1 / 1020].map(Math.fround));
    expect(Array.from(pooled.labels)).toEqual([7]);
  });

  it('refuses bad options and files with one line', async () => {
    const [images, labels] = idxPair(new Uint8Array(2 * 784), [1, 2]);
    const bad: [() => unknown, string][] = [
      [() => decodeMnist(images, labels, { imageSize: 7 as 14 }), 'decodeMnist: imageSize must be 28 or 14, got 7'],
      [() => decodeMnist(images, labels, { limit: 0 }), 'decodeMnist: limit must be a whole number >= 1, got 0'],
      [() => decodeMnist(labels, labels), 'MNIST images: shape 2, expected n x 28 x 28'],
      [() => decodeMnist(images, idxPair(new Uint8Array(784), [1])[1]), 'MNIST labels: shape 1, expected 2 labels'],
      [() => decodeMnist(...idxPair(new Uint8Array(784), [10])), 'MNIST labels: label 10 at 0 is not a digit 0-9'],
      [() => decodeMnist(images.subarray(0, images.length - 1), labels), 'MNIST images: 1567 data bytes, expected 2 x 28 x 28 = 1568'],
      [() => decodeMnist(Uint8Array.from([0, 0, 13, 1, 0, 0, 0, 0]), labels), 'MNIST images: IDX element type 0x0d, expected 0x08'],
      [() => decodeMnist(new Uint8Array(3), labels), 'MNIST images: not an IDX file (bad magic bytes)'],
      [
        () => decodeMnist(...idxPair(new Uint8Array(2 * 196), [1, 2], [2, 14, 14])),
        'MNIST images: shape 2 x 14 x 14, expected n x 28 x 28',
      ],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrow(DatasetError);
      expect(f).toThrow(message);
    }
    await expect(loadMnist({ split: 'validation' as 'test' })).rejects.toThrow(
      "loadMnist: split must be 'train' or 'test', got validation",
    );
    await expect(loadMnist({ imageSize: 32 as 28 })).rejects.toThrow('loadMnist: imageSize must be 28 or 14, got 32');
  });

  it('names the build command when the data files are missing', async () => {
    await expect(readPackageFile('data/no-such-file')).rejects.toThrow(
      /data\/no-such-file .*run 'pnpm --filter @scorefield\/datasets build'/,
    );
    expect(Object.keys(MNIST_FILES)).toEqual(['train', 'test']);
  });
});
