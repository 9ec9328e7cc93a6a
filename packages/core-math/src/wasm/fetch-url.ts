// Production browser bundles (the `production` condition of "#wasm": Vite build, webpack 5). Each URL is a
// literal `new URL(..., import.meta.url)` so that the bundler emits the .wasm file and rewrites the URL.
import type { WasmFile } from './build.js';

const urls: Record<WasmFile, () => URL> = {
  simd: () => new URL('../../build/simd.wasm', import.meta.url),
  scalar: () => new URL('../../build/scalar.wasm', import.meta.url),
  'simd-threads': () => new URL('../../build/simd-threads.wasm', import.meta.url),
  'scalar-threads': () => new URL('../../build/scalar-threads.wasm', import.meta.url),
};

export async function readWasm(build: WasmFile): Promise<Uint8Array> {
  const url = urls[build]();
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`core-math: fetching ${url} failed (${(e as Error).message}); or pass loadCore({ bytes })`);
  }
  if (!res.ok) {
    throw new Error(
      `core-math: fetching ${url} failed with HTTP ${res.status}; did the bundler emit the .wasm? or pass loadCore({ bytes })`,
    );
  }
  return new Uint8Array(await res.arrayBuffer());
}
