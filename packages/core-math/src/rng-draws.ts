import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import { expectFinite } from './validate.js';

/** Fills `out` with U[lo, hi) draws from `rng` (one draw per element). */
export function rngUniform(core: Core, rng: Rng, out: F32Buffer, lo = 0, hi = 1): void {
  expectFinite('rngUniform', 'lo', lo);
  expectFinite('rngUniform', 'hi', hi);
  core.exports.rngUniform(rng.ptr, out.ptr, out.length, lo, hi);
}

/** Fills `out` with N(mean, std^2) draws from `rng` (Box-Muller, one draw per element). */
export function rngNormal(core: Core, rng: Rng, out: F32Buffer, mean = 0, std = 1): void {
  expectFinite('rngNormal', 'mean', mean);
  expectFinite('rngNormal', 'std', std);
  core.exports.rngNormal(rng.ptr, out.ptr, out.length, mean, std);
}

/** Fills `out` with +-1 (Rademacher) draws from `rng`. */
export function rngRademacher(core: Core, rng: Rng, out: F32Buffer): void {
  core.exports.rngRademacher(rng.ptr, out.ptr, out.length);
}
