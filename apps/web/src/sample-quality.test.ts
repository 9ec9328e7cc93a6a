import { describe, expect, it } from 'vitest';
import { loadCore } from '@scorefield/core-math';
import { smearingMetrics } from '@scorefield/metrics';
import { builtinPoints } from './run-data.js';
import { EVAL_POINTS, EVAL_SEED, EVAL_TWIN_SEED, pointsReference, sampleQuality } from './sample-quality.js';

describe('sample quality, as scorefield eval measures it', () => {
  it("drawn or loaded points: eval's even and odd rows, or two disjoint random halves past 4000 points", () => {
    const pts = Float32Array.from({ length: 20 }, (_, i) => i);
    const r = pointsReference(pts);
    if (r.kind !== 'points') throw new Error('expected points');
    expect(Array.from(r.reference)).toEqual([0, 1, 4, 5, 8, 9, 12, 13, 16, 17]);
    expect(Array.from(r.twin)).toEqual([2, 3, 6, 7, 10, 11, 14, 15, 18, 19]);
    const many = Float32Array.from({ length: 2 * 10_000 }, (_, i) => Math.floor(i / 2));
    const m = pointsReference(many);
    if (m.kind !== 'points') throw new Error('expected points');
    expect([m.reference.length, m.twin.length]).toEqual([2 * EVAL_POINTS, 2 * EVAL_POINTS]);
    const ids = new Set([...m.reference.filter((_, i) => i % 2 === 0), ...m.twin.filter((_, i) => i % 2 === 0)]);
    expect(ids.size).toBe(2 * EVAL_POINTS);
  });

  it("a built-in dataset: eval's held-out draw and its twin; the data's own points score at the floor", async () => {
    const core = await loadCore({ build: 'scalar' });
    const samples = builtinPoints(core, 'gmm3', 12_345, EVAL_POINTS);
    const q = sampleQuality(core, samples, { kind: 'builtin', name: 'gmm3' });
    const ref = builtinPoints(core, 'gmm3', EVAL_SEED, EVAL_POINTS),
      twin = builtinPoints(core, 'gmm3', EVAL_TWIN_SEED, EVAL_POINTS);
    const p = (v: Float32Array) => ({ data: v, rows: v.length / 2, cols: 2 });
    const m = smearingMetrics(p(samples), p(ref), p(twin));
    expect(q.mmd).toBe(m.mmd2.value);
    expect(q.floor).toBe(m.mmd2.floor);
    // Samples drawn from the data itself: within the floor's noise; the in-mode shares alike.
    expect(Math.abs(q.mmd)).toBeLessThan(2 * Math.abs(q.floor) + 0.002);
    expect(Math.abs(q.inMode! - q.inModeFloor!)).toBeLessThan(0.05);
    // Smeared samples (the data plus wide noise) are seen.
    const smeared = samples.map((v, i) => v + 0.8 * Math.sin(7.3 * i));
    expect(sampleQuality(core, smeared, { kind: 'builtin', name: 'gmm3' }).mmd).toBeGreaterThan(10 * Math.abs(q.floor) + 0.01);
  });
});
