/** Which compiled binary to run. */
export type Build = 'simd' | 'scalar';

/** A binary file: a build, single-thread or threaded (shared imported memory and atomics, see src/threads.ts). */
export type WasmFile = Build | `${Build}-threads`;

/**
 * Where the .wasm bytes come from. `import { readWasm } from '#wasm'` picks one of three modules by
 * export condition (package.json "imports"), so that each environment works with no configuration:
 * - `node`: read-file.ts reads build/<build>.wasm next to the package with node:fs (the only Node-only code);
 * - `production` (Vite build, webpack 5): fetch-url.ts fetches `new URL('../../build/<build>.wasm',
 *   import.meta.url)`, which these bundlers see, emit as an asset and rewrite;
 * - anything else (Vite dev, whose dependency pre-bundling moves modules away from their .wasm; esbuild,
 *   which does not follow `new URL`; rollup; plain ES modules in a page): inline.ts, the bytes in a module.
 */
export type ReadWasm = (file: WasmFile) => Promise<Uint8Array>;
