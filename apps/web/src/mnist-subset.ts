/**
 * The MNIST digits the page trains on: the first PAGE_DIGITS digits of @scorefield/datasets' train split (its
 * classes interleaved, so 200 of each), cut from the package's IDX files at build time (vite.config.ts) and served
 * as two static files beside the page, which the service worker caches with the rest. They are the digits
 * `scorefield train --data mnist --data-size N` reads for any N up to PAGE_DIGITS, so the page's model equals the
 * CLI's. Pure (no DOM): used by the Vite config in Node and by the page.
 */

/** Digits of the train split the page holds (the CLI's --data-size for mnist goes up to this in the page). */
export const PAGE_DIGITS = 2000;

/** The files, relative to the page (28x28 bytes as stored; the 14x14 digits are pooled from them on load). */
export const pageMnistFiles = {
  images: `mnist/train-${PAGE_DIGITS}-images.idx3-ubyte`,
  labels: `mnist/train-${PAGE_DIGITS}-labels.idx1-ubyte`,
} as const;

/**
 * The first `rows` items of an IDX file of unsigned bytes (magic 0x00 0x00 0x08 ndim, then ndim big-endian int32
 * sizes, then the data): the same header with the first size set to `rows`, and the first rows' bytes.
 * @throws Error when the bytes are not such a file or hold fewer than `rows` items
 */
export function idxHead(bytes: Uint8Array, rows: number): Uint8Array {
  const ndim = bytes[3];
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 8 || ndim < 1)
    throw new Error('idxHead: not an IDX file of unsigned bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * ndim;
  let item = 1;
  for (let k = 1; k < ndim; k++) item *= view.getUint32(4 + 4 * k);
  const n = view.getUint32(4);
  if (!(Number.isInteger(rows) && rows >= 1 && rows <= n)) throw new Error(`idxHead: asked for ${rows} of ${n} items`);
  const out = bytes.slice(0, header + rows * item);
  new DataView(out.buffer).setUint32(4, rows);
  return out;
}
