// Browsers and workers (the default condition of "#package-file"): the files fetched beside the module, which works
// where the package is served as it is (a dev server, a CDN). Bundlers emit only files named by a literal
// `new URL(..., import.meta.url)`, so a bundled app imports the file's URL itself (e.g. Vite's
// `@scorefield/datasets/data/<file>?url`), fetches it and passes the bytes to decodeMnist / decodeMnistClassifier.

/**
 * Fetches a file that ships with this package by its path relative to the package root.
 * @param path e.g. `'data/mnist-test-images.idx3-ubyte'`
 * @throws {Error} naming the URL when the fetch fails
 */
export async function readPackageFile(path: string): Promise<Uint8Array> {
  const url = new URL(`../../${path}`, import.meta.url);
  const hint = 'or fetch the file yourself and pass its bytes to decodeMnist / decodeMnistClassifier';
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`datasets: fetching ${url} failed (${(e as Error).message}); ${hint}`);
  }
  if (!res.ok) throw new Error(`datasets: fetching ${url} failed with HTTP ${res.status}; ${hint}`);
  return new Uint8Array(await res.arrayBuffer());
}
