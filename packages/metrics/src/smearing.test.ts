import { describe, expect, it } from 'vitest';
import { inModeShare } from './in-mode-share.js';
import { MMD_BANDWIDTHS, mmd2 } from './mmd.js';
import { createRng } from './rng.js';
import { smearingMetrics } from './smearing.js';
import { standardizedMmd2 } from './standardized-mmd.js';
import { gaussianPoints, meanSd, pts } from './testing/gaussian.js';

/** n points of a mixture of K Gaussians (std s) evenly on a circle of radius R, or smeared uniformly along the circle. */
function ring(n: number, K: number, R: number, s: number, seed: number, smeared = false) {
  const rng = createRng(seed);
  const data = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng.uniform() * K);
    const angle = smeared ? 2 * Math.PI * rng.uniform() : (2 * Math.PI * k) / K;
    data[2 * i] = R * Math.cos(angle) + s * rng.normal();
    data[2 * i + 1] = R * Math.sin(angle) + s * rng.normal();
  }
  return { data, rows: n, cols: 2 };
}
const ringModes = (K: number, R: number, s: number) =>
  Array.from({ length: K }, (_, k) => ({ mean: [R * Math.cos((2 * Math.PI * k) / K), R * Math.sin((2 * Math.PI * k) / K)], std: s }));

describe('standardizedMmd2', () => {
  it('is mmd2 with the fixed bandwidths after standardising both sets by the reference', () => {
    const x = gaussianPoints(300, [1, -2], 2, 1),
      y = gaussianPoints(400, [0, 0], 3, 2);
    const m = [0, 1].map(
      (k) =>
        Array.from(y.data)
          .filter((_, i) => i % 2 === k)
          .reduce((a, b) => a + b, 0) / 400,
    );
    const s = [0, 1].map((k) =>
      Math.sqrt(
        Array.from(y.data)
          .filter((_, i) => i % 2 === k)
          .reduce((a, b) => a + (b - m[k]) ** 2, 0) / 400,
      ),
    );
    const std = (p: { data: Float64Array; rows: number }) => ({
      data: p.data.map((v, i) => (v - m[i % 2]) / s[i % 2]),
      rows: p.rows,
      cols: 2,
    });
    const want = mmd2(std(x), std(y), { bandwidths: MMD_BANDWIDTHS }).value;
    expect(standardizedMmd2(x, y).value).toBeCloseTo(want, 12);
  });

  it('does not depend on the units of each coordinate', () => {
    const x = gaussianPoints(300, [0, 0], 1, 3),
      y = gaussianPoints(300, [0.3, 0], 1, 4);
    const scale = (p: { data: Float64Array; rows: number }) => ({
      data: p.data.map((v, i) => (i % 2 ? 1e-3 * v + 7 : 250 * v - 4)),
      rows: p.rows,
      cols: 2,
    });
    expect(standardizedMmd2(scale(x), scale(y)).value).toBeCloseTo(standardizedMmd2(x, y).value, 10);
  });

  it('sees samples smeared along a ring of modes, which the median-heuristic MMD barely registers', () => {
    // 8 modes (std 0.35) on a circle of radius 2.83: the 8gaussians layout.
    const data = ring(1500, 8, 2.83, 0.35, 5),
      twin = ring(1500, 8, 2.83, 0.35, 6),
      smeared = ring(1500, 8, 2.83, 0.35, 7, true);
    const floor = standardizedMmd2(twin, data).value,
      bad = standardizedMmd2(smeared, data).value;
    expect(bad).toBeGreaterThan(0.015);
    expect(bad).toBeGreaterThan(8 * Math.abs(floor));
    // The median heuristic's one wide bandwidth: smeared and clean look alike (within a few times the floor).
    const medianBad = mmd2(smeared, data).value,
      medianFloor = Math.abs(mmd2(twin, data).value);
    expect(medianBad / bad).toBeLessThan(0.1);
    expect(medianBad).toBeLessThan(Math.max(0.004, 10 * medianFloor));
  });

  it('refuses bad input in one line naming the function', () => {
    expect(() =>
      standardizedMmd2(
        pts([[0, 0]]),
        pts([
          [0, 0],
          [1, 1],
        ]),
      ),
    ).toThrow('standardizedMmd2: samples has 1 point, need at least 2');
    expect(() =>
      standardizedMmd2(
        pts([[0], [1]]),
        pts([
          [0, 0],
          [1, 1],
        ]),
      ),
    ).toThrow('standardizedMmd2: samples has dimension 1, reference has dimension 2');
  });
});

describe('inModeShare', () => {
  it('counts samples within radius standard deviations of a centre', () => {
    const samples = pts([
      [0, 0],
      [1.9, 0],
      [2.1, 0],
      [10, 10.5],
      [5, 5],
    ]);
    const modes = [
      { mean: [0, 0], std: 1 },
      { mean: [10, 10], std: 0.5 },
    ];
    expect(inModeShare(samples, modes)).toBeCloseTo(3 / 5, 12); // (0,0), (1.9,0), (10,10.5)
    expect(inModeShare(samples, modes, { radius: 3 })).toBeCloseTo(4 / 5, 12); // and (2.1, 0)
  });

  it('matches 1 - exp(-r^2/2) for 2-D Gaussian data', () => {
    const shares: number[] = [];
    for (let rep = 0; rep < 6; rep++) shares.push(inModeShare(gaussianPoints(4000, [3, -1], 0.5, 10 + rep), [{ mean: [3, -1], std: 0.5 }]));
    const { mean } = meanSd(shares);
    const truth = 1 - Math.exp(-2),
      se = Math.sqrt((truth * (1 - truth)) / (6 * 4000));
    expect(Math.abs(mean - truth)).toBeLessThan(4 * se);
  });

  it('refuses bad components in one line', () => {
    expect(() => inModeShare(pts([[0, 0]]), [])).toThrow('inModeShare: components must be a non-empty array of { mean, std }');
    expect(() => inModeShare(pts([[0, 0]]), [{ mean: [0], std: 1 }])).toThrow(
      "inModeShare: components[0].mean must have dimension 2 (the samples')",
    );
    expect(() => inModeShare(pts([[0, 0]]), [{ mean: [0, 0], std: 0 }])).toThrow(
      'inModeShare: components[0].std is 0, expected a finite number > 0',
    );
    expect(() => inModeShare(pts([[0, 0]]), [{ mean: [0, 0], std: 1 }], { radius: -1 })).toThrow(
      'inModeShare: radius must be a finite number > 0, got -1',
    );
  });
});

describe('smearingMetrics', () => {
  it('puts each metric beside its data-vs-data floor; smeared samples fall far from it', () => {
    const modes = ringModes(8, 2.83, 0.35);
    const data = ring(1200, 8, 2.83, 0.35, 11),
      twin = ring(1200, 8, 2.83, 0.35, 12);
    const good = smearingMetrics(ring(1200, 8, 2.83, 0.35, 13), data, twin, { components: modes });
    const bad = smearingMetrics(ring(1200, 8, 2.83, 0.35, 14, true), data, twin, { components: modes });
    expect(good.mmd2.floor).toBe(standardizedMmd2(twin, data).value);
    expect(Math.abs(good.mmd2.value)).toBeLessThan(2 * Math.abs(good.mmd2.floor) + 0.002);
    expect(Math.abs(good.inModeShare!.value - good.inModeShare!.floor)).toBeLessThan(0.04);
    expect(good.inModeShare!.floor).toBeCloseTo(1 - Math.exp(-2), 1);
    expect(bad.mmd2.value).toBeGreaterThan(2 * Math.abs(bad.mmd2.floor) + 0.002);
    expect(bad.inModeShare!.value).toBeLessThan(bad.inModeShare!.floor - 0.3);
    expect(smearingMetrics(data, twin, data).inModeShare).toBeUndefined();
  });
});
