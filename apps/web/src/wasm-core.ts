/**
 * Loads the WASM core in a worker: the SIMD build where the browser has SIMD, fetched as bytes (any MIME type
 * works); with `threads` above 1, where the page is cross-origin isolated, its threaded twin (same bits for any
 * thread count), else one thread.
 */
import { loadCore, simdSupported, threadsSupported, type Core } from '@scorefield/core-math';
import simdUrl from '@scorefield/core-math/build/simd.wasm?url';
import scalarUrl from '@scorefield/core-math/build/scalar.wasm?url';
import simdThreadsUrl from '@scorefield/core-math/build/simd-threads.wasm?url';
import scalarThreadsUrl from '@scorefield/core-math/build/scalar-threads.wasm?url';

/** Every core (at most 8) where threads can run here, else 1. */
export function allCores(): number {
  return threadsSupported() ? Math.min(8, navigator.hardwareConcurrency || 1) : 1;
}

export async function loadWasmCore(threads = 1): Promise<Core> {
  const build = simdSupported() ? 'simd' : 'scalar';
  const t = threadsSupported() ? threads : 1;
  const url = t > 1 ? (build === 'simd' ? simdThreadsUrl : scalarThreadsUrl) : build === 'simd' ? simdUrl : scalarUrl;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching the WASM core (${url}) failed with HTTP ${res.status}`);
  return loadCore({ build, bytes: new Uint8Array(await res.arrayBuffer()), threads: t });
}
