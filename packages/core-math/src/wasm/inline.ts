// Every other environment (the default of "#wasm": Vite dev, esbuild, rollup, plain ES modules): the bytes
// themselves, base64 in generated modules (scripts/build-wasm.mjs writes them from build/*.wasm). One
// dynamic import per build, so a bundler that splits chunks loads only the build this engine runs.
import type { WasmFile } from './build.js';

const modules: Record<WasmFile, () => Promise<{ base64: string }>> = {
  simd: () => import('./inline-simd.js'),
  scalar: () => import('./inline-scalar.js'),
  'simd-threads': () => import('./inline-simd-threads.js'),
  'scalar-threads': () => import('./inline-scalar-threads.js'),
};

export async function readWasm(build: WasmFile): Promise<Uint8Array> {
  const { base64 } = await modules[build]();
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
