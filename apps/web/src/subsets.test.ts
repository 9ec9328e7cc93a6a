import { describe, expect, it } from 'vitest';
import { disjointSubsets, randomRows, randomSubset, seededUniform } from './subsets.js';

describe('seeded random subsets', () => {
  it('draws distinct rows, the same for the same seed', () => {
    const a = randomRows(10_000, 2000, 7);
    expect(new Set(a).size).toBe(2000);
    expect(Math.max(...a)).toBeLessThan(10_000);
    expect(randomRows(10_000, 2000, 7)).toEqual(a);
    expect(randomRows(10_000, 2000, 8)).not.toEqual(a);
    expect(Array.from(randomRows(5, 9, 1)).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('does not line up with data drawn in turns (every 5th point one arm): each arm gets its share', () => {
    // Rows cycle through 5 "arms" like pinwheel's generator; an even stride of 5 would pick one arm only.
    const rows = 10_000;
    const data = Float64Array.from({ length: 2 * rows }, (_, i) => (i % 2 === 0 ? Math.floor(i / 2) % 5 : 0));
    const sub = randomSubset({ data, rows }, 2000, 3);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < sub.length; i += 2) counts[sub[i]]++;
    // Binomial(2000, 0.2): mean 400, sd 18; 5 sd either side.
    for (const c of counts) expect(Math.abs(c - 400)).toBeLessThan(90);
  });

  it('splits into two disjoint draws (a reference and its twin)', () => {
    const rows = 100;
    const data = Float64Array.from({ length: 2 * rows }, (_, i) => Math.floor(i / 2));
    const { reference, twin } = disjointSubsets({ data, rows }, 2000, 40, 1);
    expect(reference.length / 2).toBe(50);
    expect(twin.length / 2).toBe(40);
    const ids = new Set([...reference.filter((_, i) => i % 2 === 0), ...twin.filter((_, i) => i % 2 === 0)]);
    expect(ids.size).toBe(90);
  });

  it('the generator is uniform enough (mean and variance of 10^5 draws)', () => {
    const u = seededUniform(42);
    let s = 0,
      s2 = 0,
      outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = u();
      if (!(x >= 0 && x < 1)) outside++;
      s += x;
      s2 += x * x;
    }
    expect(outside).toBe(0);
    expect(s / 1e5).toBeCloseTo(0.5, 2);
    expect(s2 / 1e5 - (s / 1e5) ** 2).toBeCloseTo(1 / 12, 2);
  });
});
