// Shared by the formats tests: a seeded PRNG and the Python used for the numpy cross-checks.
import { execFileSync } from 'node:child_process';

/** Seeded PRNG (mulberry32), uniform in [0, 1): the same values on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Python with numpy for the cross-checks: Debian's (what CI installs) or whatever `python3` is on PATH. */
export const python = ['/usr/bin/python3', 'python3'].find((exe) => {
  try {
    execFileSync(exe, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
export const hasNumpy = python !== undefined;
