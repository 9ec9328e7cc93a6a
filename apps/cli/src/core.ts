import { loadCore, type Core } from '@scorefield/core-math';

const cores = new Map<number, Promise<Core>>();

/**
 * The WASM core, loaded once per process and thread count (SIMD where available; SCOREFIELD_BUILD=scalar forces
 * scalar). With threads > 1 its kernels split each pass over that many threads, with the bits of one thread.
 */
export function getCore(threads = 1): Promise<Core> {
  const build = process.env.SCOREFIELD_BUILD as 'simd' | 'scalar' | 'auto' | undefined;
  let core = cores.get(threads);
  if (!core) cores.set(threads, (core = loadCore({ build: build || 'auto', threads })));
  return core;
}
