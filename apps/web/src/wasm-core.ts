/** Loads the WASM core in a worker: the SIMD build where the browser has SIMD, fetched as bytes (any MIME type works). */
import { loadCore, simdSupported, type Core } from '@scorefield/core-math';
import simdUrl from '@scorefield/core-math/build/simd.wasm?url';
import scalarUrl from '@scorefield/core-math/build/scalar.wasm?url';

export async function loadWasmCore(): Promise<Core> {
  const build = simdSupported() ? 'simd' : 'scalar';
  const url = build === 'simd' ? simdUrl : scalarUrl;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching the WASM core (${url}) failed with HTTP ${res.status}`);
  return loadCore({ build, bytes: new Uint8Array(await res.arrayBuffer()) });
}
