// Node (the `node` condition of "#package-file"): the files beside the package (data/, assets/), read with node:fs.
import { readFile } from 'node:fs/promises';

/**
 * Reads a file that ships with this package by its path relative to the package root.
 * @param path e.g. `'data/mnist-test-images.idx3-ubyte'`
 * @throws {Error} naming the file and the build command when it is missing
 */
export async function readPackageFile(path: string): Promise<Uint8Array> {
  // From src/files/ (tests) and from dist/files/ (the built package) alike, the package root is two levels up.
  const url = new URL(`../../${path}`, import.meta.url);
  try {
    return new Uint8Array(await readFile(url));
  } catch (e) {
    throw new Error(
      `datasets: cannot read ${url.pathname} (${(e as Error).message}); in the repo, run ` +
        `'pnpm --filter @scorefield/datasets build'; in a bundle, fetch the file and pass its bytes to decodeMnist / decodeMnistClassifier`,
    );
  }
}
