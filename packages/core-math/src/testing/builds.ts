import { beforeAll, describe } from 'vitest';
import { loadCore, type Core } from '../core.js';

/** Runs `body` once per build (simd, scalar), with a core loaded for it. */
export function forEachBuild(body: (get: () => Core, build: 'simd' | 'scalar') => void): void {
  for (const build of ['simd', 'scalar'] as const) {
    describe(build, () => {
      let core: Core;
      beforeAll(async () => {
        core = await loadCore({ build });
      });
      body(() => core, build);
    });
  }
}

/** Both builds loaded side by side, for cross-build comparisons. */
export async function loadBoth(): Promise<{ simd: Core; scalar: Core }> {
  return { simd: await loadCore({ build: 'simd' }), scalar: await loadCore({ build: 'scalar' }) };
}
