import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { createRng } from './rng.js';
import { meanSd } from './testing/gaussian.js';

/** Independent transcription of mulberry32 (as in core-math's test reference). */
function reference(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createRng', () => {
  it('uniform() is mulberry32', () => {
    for (const seed of [0, 1, 42, 0xffffffff, -1]) {
      const a = createRng(seed);
      const b = reference(seed);
      for (let i = 0; i < 100; i++) expect(a.uniform()).toBe(b());
    }
  });

  it('reduces the seed modulo 2^32 and is deterministic', () => {
    expect(createRng(2 ** 32 + 5).uniform()).toBe(createRng(5).uniform());
    const a = createRng(7);
    const b = createRng(7);
    for (let i = 0; i < 10; i++) expect(a.normal()).toBe(b.normal());
  });

  it('normal() has mean 0 and variance 1', () => {
    const r = createRng(3);
    const v = Array.from({ length: 100_000 }, () => r.normal());
    const { mean, sd } = meanSd(v);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(v.length));
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createRng(1.5)).toThrow(MetricError);
    expect(() => createRng(Number.NaN)).toThrow('createRng: seed must be a safe integer, got NaN');
  });
});
