// Every other environment (the default of "#wasm": Vite dev, esbuild, rollup, plain ES modules): the bytes
// themselves, base64 in generated modules (scripts/build-wasm.mjs writes them from build/*.wasm). One
// dynamic import per build, so a bundler that splits chunks loads only the build this engine runs.
import type { Build } from './build.js';

export async function readWasm(build: Build): Promise<Uint8Array> {
  const { base64 } = build === 'simd' ? await import('./inline-simd.js') : await import('./inline-scalar.js');
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
