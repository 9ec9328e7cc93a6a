/**
 * Reads a file that ships with this package (data/ or assets/), in Node (fs) or in a browser or worker (fetch), by
 * its path relative to the package root. Bundlers see the `new URL(..., import.meta.url)` pattern only with a
 * literal path, so callers that bundle for the browser import the file's URL themselves (e.g. Vite's
 * `@scorefield/datasets/data/<file>?url`), fetch it and pass the bytes to the decoding functions.
 * @param path e.g. `'data/mnist-test-images.idx3-ubyte'`
 * @throws {Error} naming the file and the build command when it is missing, or the HTTP status when a fetch fails
 */
export async function readPackageFile(path: string): Promise<Uint8Array> {
  // From src/ (tests) and from dist/ (the built package) alike, the package root is one level up.
  const url = new URL(`../${path}`, import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises');
    try {
      return new Uint8Array(await readFile(url));
    } catch (e) {
      throw new Error(`datasets: cannot read ${url.pathname}; run 'pnpm --filter @scorefield/datasets build' (${(e as Error).message})`);
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`datasets: fetching ${url} failed with HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
