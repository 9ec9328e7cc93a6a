import { fail } from './errors.js';
import * as detMath from '@scorefield/core-math/det-math';

/** A small deterministic random stream; see {@link createRng}. */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number;
  /** Standard normal N(0, 1) (Box-Muller, both values of each pair used). */
  normal(): number;
}

/**
 * A seeded PRNG: mulberry32 (Tommy Ettinger's 32-bit state generator) for uniforms and the
 * Box-Muller transform for normals. Not cryptographic, period 2^32, plenty for drawing projection
 * directions and test data. The same seed always gives the same stream, on every platform.
 *
 * `seed` must be a safe integer; it is reduced modulo 2^32 (so `seed` and `seed + 2^32` coincide).
 * see: https://gist.github.com/tommyettinger/46a874533244883189143505d203312c (mulberry32)
 * see: Box & Muller (1958), Ann. Math. Statist. 29(2) 610-611.
 */
export function createRng(seed: number, fn = 'createRng'): Rng {
  if (!Number.isSafeInteger(seed)) fail(fn, `seed must be a safe integer, got ${String(seed)}`);
  // seed mod 2^32 without precision loss for large |seed|
  let a = Number(BigInt.asUintN(32, BigInt(seed))) | 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const u1 = 1 - uniform(); // in (0, 1]: log is finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * detMath.log(u1));
    spare = r * detMath.sin(2 * Math.PI * u2);
    hasSpare = true;
    return r * detMath.cos(2 * Math.PI * u2);
  };
  return { uniform, normal };
}
