/**
 * The training worker's MNIST digits: the page's files (mnist-subset.ts) fetched once, then decoded at the run's
 * image size and number of digits exactly as `scorefield train --data mnist` loads them (@scorefield/datasets'
 * decodeMnist on the same bytes). Runs in the worker, and in Node for the tests (with another fetch).
 */
import { decodeMnist } from '@scorefield/datasets';
import type { MnistSource } from './protocol.js';
import { mnistKey, type RunData } from './run-data.js';

export type FetchBytes = (url: string) => Promise<Uint8Array>;

/** The data set's name in the model file, as the CLI writes it. */
export const MNIST_NAME = 'mnist';

const fetched = new Map<string, Promise<Uint8Array>>();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The digits of a source (`previous` when it holds them already); the files are fetched once per worker. */
export async function loadMnistRunData(src: MnistSource, previous: RunData | null, get: FetchBytes = fetchBytes): Promise<RunData> {
  const key = mnistKey(src);
  if (previous?.key === key) return previous;
  const once = (url: string) => {
    let p = fetched.get(url);
    if (!p) {
      p = get(url);
      fetched.set(url, p);
      p.catch(() => fetched.delete(url)); // a failed fetch is tried again by the next run
    }
    return p;
  };
  const [images, labels] = await Promise.all([once(src.images), once(src.labels)]);
  const set = decodeMnist(images, labels, { imageSize: src.imageSize, limit: src.limit });
  if (set.rows < src.limit) throw new Error(`the page's MNIST file holds ${set.rows} digits, not ${src.limit}`);
  const { data, rows, cols, width, height } = set;
  return { key, name: MNIST_NAME, points: { data, rows, cols }, exact: false, image: { width, height } };
}
