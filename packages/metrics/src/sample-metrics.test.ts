import { describe, expect, it } from 'vitest';
import { energyDistance } from './energy-distance.js';
import { MetricError } from './errors.js';
import { MMD_BANDWIDTHS, mmd2 } from './mmd.js';
import { sampleMetrics } from './sample-metrics.js';
import { slicedWasserstein } from './sliced-wasserstein.js';
import { gaussianPoints, pts } from './testing/gaussian.js';

describe('sampleMetrics', () => {
  it('equals the individual metrics', () => {
    const x = gaussianPoints(300, [0, 0], 1, 1);
    const y = gaussianPoints(250, [0.5, 0], 1, 2);
    const r = sampleMetrics(x, y);
    const med = mmd2(x, y);
    expect(r.mmd2Median).toBe(med.value);
    expect(r.medianBandwidth).toBe(med.bandwidths[0]);
    expect(r.mmd2Fixed).toBe(mmd2(x, y, { bandwidths: MMD_BANDWIDTHS }).value);
    expect(r.energyDistance).toBe(energyDistance(x, y));
    expect(r.slicedWasserstein).toBe(slicedWasserstein(x, y));
    const o = sampleMetrics(x, y, { bandwidths: [0.3], projections: 16, seed: 9, p: 1 });
    expect(o.mmd2Fixed).toBe(mmd2(x, y, { bandwidths: [0.3] }).value);
    expect(o.slicedWasserstein).toBe(slicedWasserstein(x, y, { projections: 16, seed: 9, p: 1 }));
  });

  it('ranks a closer model as better on every metric', () => {
    const ref = gaussianPoints(400, [0, 0], 1, 3);
    const near = sampleMetrics(gaussianPoints(400, [0.1, 0], 1, 4), ref);
    const far = sampleMetrics(gaussianPoints(400, [1.5, 0], 1, 5), ref);
    expect(far.mmd2Median).toBeGreaterThan(near.mmd2Median);
    expect(far.mmd2Fixed).toBeGreaterThan(near.mmd2Fixed);
    expect(far.energyDistance).toBeGreaterThan(near.energyDistance);
    expect(far.slicedWasserstein).toBeGreaterThan(near.slicedWasserstein);
  });

  it('passes input errors through', () => {
    expect(() =>
      sampleMetrics(
        pts([
          [0, 0],
          [1, 1],
        ]),
        pts([[0], [1]]),
      ),
    ).toThrow(MetricError);
  });
});
