// Node (the `node` condition of "#wasm"): the .wasm files beside the package, read with node:fs.
import { readFile } from 'node:fs/promises';
import type { WasmFile } from './build.js';

const urls: Record<WasmFile, URL> = {
  simd: new URL('../../build/simd.wasm', import.meta.url),
  scalar: new URL('../../build/scalar.wasm', import.meta.url),
  'simd-threads': new URL('../../build/simd-threads.wasm', import.meta.url),
  'scalar-threads': new URL('../../build/scalar-threads.wasm', import.meta.url),
};

export async function readWasm(build: WasmFile): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(urls[build]));
  } catch (e) {
    throw new Error(
      `core-math: cannot read ${urls[build].pathname} (${(e as Error).message}); in the repo, run ` +
        `'pnpm --filter @scorefield/core-math build'; in a bundle for Node, pass loadCore({ bytes })`,
    );
  }
}
