import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadMnist, MNIST_FILES } from '@scorefield/datasets';
import { describe, expect, it } from 'vitest';
import { loadMnistRunData } from './image-data.js';
import { idxHead, PAGE_DIGITS } from './mnist-subset.js';

const require = createRequire(import.meta.url);
const files: Record<string, Uint8Array> = {
  'https://page/images': idxHead(new Uint8Array(readFileSync(require.resolve(`@scorefield/datasets/${MNIST_FILES.train.images}`))), 2000),
  'https://page/labels': idxHead(new Uint8Array(readFileSync(require.resolve(`@scorefield/datasets/${MNIST_FILES.train.labels}`))), 2000),
};

describe("the training worker's MNIST digits", () => {
  const fetched: string[] = [];
  const get = async (url: string) => {
    fetched.push(url);
    if (url.includes('offline')) throw new Error('Failed to fetch');
    return files[url];
  };
  const src = { kind: 'mnist' as const, images: 'https://page/images', labels: 'https://page/labels', imageSize: 14 as const, limit: 500 };

  it("are the CLI's digits (--data mnist --data-size N --image-size S), fetched once per worker", async () => {
    const d = await loadMnistRunData(src, null, get);
    const cli = await loadMnist({ imageSize: 14, limit: 500 });
    expect(d).toMatchObject({ key: 'mnist:14:500', name: 'mnist', exact: false, image: { width: 14, height: 14 } });
    expect(d.points.rows).toBe(500);
    expect(d.points.cols).toBe(196);
    expect(Buffer.from((d.points.data as Float32Array).buffer).equals(Buffer.from(cli.data.buffer))).toBe(true);
    expect(await loadMnistRunData(src, d, get)).toBe(d); // the same run's data again: kept
    const big = await loadMnistRunData({ ...src, imageSize: 28, limit: PAGE_DIGITS }, d, get);
    expect(big.points).toMatchObject({ rows: PAGE_DIGITS, cols: 784 });
    expect(fetched).toEqual(['https://page/images', 'https://page/labels']);
  });

  it('a failed fetch fails the run and is tried again by the next', async () => {
    const offline = { ...src, images: 'https://offline/images' };
    await expect(loadMnistRunData(offline, null, get)).rejects.toThrow(/Failed to fetch/);
    await expect(loadMnistRunData(offline, null, get)).rejects.toThrow(/Failed to fetch/);
    expect(fetched.filter((u) => u.includes('offline'))).toHaveLength(2);
  });
});
