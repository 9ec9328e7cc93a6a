import type { Core } from './core.js';
import { expectInt } from './validate.js';

/** Runs the mul+add ceiling loop (8 accumulators x 4 lanes x 2 flops per iteration) and returns its flop count. */
export function mulAddCeiling(core: Core, iterations: number): { flops: number; checksum: number } {
  expectInt('mulAddCeiling', 'iterations', iterations);
  const checksum = core.exports.mulAddCeiling(iterations, 0.999, 0.001);
  return { flops: iterations * 8 * 4 * 2, checksum };
}
