/** Which compiled binary to run. */
export type Build = 'simd' | 'scalar';

/** Reads a build's .wasm bytes next to this package, in Node (fs) or a browser (fetch). */
export async function readWasm(build: Build): Promise<Uint8Array> {
  const url = new URL(`../build/${build}.wasm`, import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises');
    try {
      return new Uint8Array(await readFile(url));
    } catch (e) {
      throw new Error(`core-math: ${url.pathname} is missing; run 'pnpm --filter @scorefield/core-math build' (${(e as Error).message})`);
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`core-math: fetching ${url} failed with HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
