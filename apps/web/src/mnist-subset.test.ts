import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeMnist, loadMnist, MNIST_FILES } from '@scorefield/datasets';
import { describe, expect, it } from 'vitest';
import { idxHead, PAGE_DIGITS } from './mnist-subset.js';

const require = createRequire(import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(require.resolve(`@scorefield/datasets/${path}`)));

describe("the page's MNIST digits", () => {
  const images = idxHead(read(MNIST_FILES.train.images), PAGE_DIGITS);
  const labels = idxHead(read(MNIST_FILES.train.labels), PAGE_DIGITS);

  it('are 1.5 MB of 28x28 bytes and 2 kB of labels', () => {
    expect(images.length).toBe(16 + PAGE_DIGITS * 784);
    expect(labels.length).toBe(8 + PAGE_DIGITS);
  });

  it.each([14, 28] as const)('decode at %i px to exactly the digits `--data mnist --data-size N` trains on (N <= %i)', async (size) => {
    for (const limit of [PAGE_DIGITS, 64]) {
      const page = decodeMnist(images, labels, { imageSize: size, limit });
      const cli = await loadMnist({ split: 'train', imageSize: size, limit });
      expect(page.rows).toBe(limit);
      expect(page.cols).toBe(size * size);
      expect(Buffer.from(page.data.buffer).equals(Buffer.from(cli.data.buffer))).toBe(true);
      expect(Array.from(page.labels)).toEqual(Array.from(cli.labels));
    }
  });

  it('hold 200 digits of each class', () => {
    const counts = new Array(10).fill(0);
    for (const c of decodeMnist(images, labels).labels) counts[c]++;
    expect(counts).toEqual(new Array(10).fill(PAGE_DIGITS / 10));
  });

  it('refuses what is not an IDX file of bytes, or too few items', () => {
    expect(() => idxHead(Uint8Array.of(0, 0, 13, 1, 0, 0, 0, 1, 0, 0, 0, 0), 1)).toThrow(/not an IDX file of unsigned bytes/);
    expect(() => idxHead(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9), 3)).toThrow(/asked for 3 of 2 items/);
    expect(Array.from(idxHead(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9), 1))).toEqual([0, 0, 8, 1, 0, 0, 0, 1, 7]);
  });
});
