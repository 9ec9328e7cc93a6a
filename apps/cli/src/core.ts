import { loadCore, type Core } from '@scorefield/core-math';

let core: Promise<Core> | undefined;

/** The WASM core, loaded once per process (SIMD where available; SCOREFIELD_BUILD=scalar forces scalar). */
export function getCore(): Promise<Core> {
  const build = process.env.SCOREFIELD_BUILD as 'simd' | 'scalar' | 'auto' | undefined;
  core ??= loadCore({ build: build || 'auto' });
  return core;
}
