import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { ReferenceStream, sameBits } from './testing/reference.js';
import { datasetComponents, datasetLogDensityScore, datasetNames, datasets, datasetSample, type DatasetName } from './datasets.js';
import type { Core } from './core.js';

/**
 * the table of docs/design.md ("Data sets"), written out literally in TS on a reference copy of the stream: the WASM generators
 * must give the same points. Draw order per point is part of the contract (it fixes the bits).
 */
type Gen = (s: ReferenceStream, i: number, n: number) => [number, number];
const mixture =
  (w: number[], mu: [number, number][], std: number[]): Gen =>
  (s) => {
    const u = s.uniform();
    let c = 0,
      acc = w[0];
    while (c < w.length - 1 && u >= acc) acc += w[++c];
    return [mu[c][0] + std[c] * s.normal(), mu[c][1] + std[c] * s.normal()];
  };
const r2 = Math.SQRT1_2;
const dirs8: [number, number][] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [r2, r2],
  [r2, -r2],
  [-r2, r2],
  [-r2, -r2],
];
const grid25: [number, number][] = [];
for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) grid25.push([(2 * i) / 2.828, (2 * j) / 2.828]);
const evenAngle = (i: number, n: number, k: number) => (2 * Math.PI * Math.floor(i / k)) / (Math.floor(n / k) + (i % k < n % k ? 1 : 0));

const reference: Record<DatasetName, Gen> = {
  '8gaussians': mixture(
    Array(8).fill(1 / 8),
    dirs8.map(([x, y]) => [(4 * x) / 1.414, (4 * y) / 1.414]),
    Array(8).fill(0.5 / 1.414),
  ),
  '2spirals': (s, i) => {
    const n = (Math.sqrt(s.uniform()) * 540 * 2 * Math.PI) / 360;
    const sign = i % 2 === 0 ? 1 : -1;
    const d1x = -Math.cos(n) * n + s.uniform() * 0.5,
      d1y = Math.sin(n) * n + s.uniform() * 0.5;
    return [(sign * d1x) / 3 + 0.1 * s.normal(), (sign * d1y) / 3 + 0.1 * s.normal()];
  },
  checkerboard: (s) => {
    const x1 = s.uniform() * 4 - 2;
    const x2 = s.uniform() - (s.uniform() < 0.5 ? 2 : 0) + (((Math.floor(x1) % 2) + 2) % 2);
    return [x1 * 2, x2 * 2];
  },
  moons: (s, i) => {
    const t = Math.PI * s.uniform();
    const [x, y] = i % 2 === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 1 - Math.sin(t) - 0.5];
    return [(x + 0.1 * s.normal()) * 2 - 1, (y + 0.1 * s.normal()) * 2 - 0.2];
  },
  circles: (s, i, n) => {
    const a = evenAngle(i, n, 2),
      r = i % 2 === 0 ? 1 : 0.5;
    return [(r * Math.cos(a) + 0.08 * s.normal()) * 3, (r * Math.sin(a) + 0.08 * s.normal()) * 3];
  },
  rings: (s, i, n) => {
    const a = evenAngle(i, n, 4),
      r = [1, 0.75, 0.5, 0.25][i % 4] * 3;
    return [r * Math.cos(a) + 0.08 * s.normal(), r * Math.sin(a) + 0.08 * s.normal()];
  },
  swissroll: (s) => {
    const t = 1.5 * Math.PI * (1 + 2 * s.uniform());
    return [(t * Math.cos(t) + s.normal()) / 5, (t * Math.sin(t) + s.normal()) / 5];
  },
  pinwheel: (s, i) => {
    const f0 = 1 + 0.3 * s.normal(),
      f1 = 0.1 * s.normal();
    const angle = (2 * Math.PI * (i % 5)) / 5 + 0.25 * Math.exp(f0);
    const R = [
      [Math.cos(angle), -Math.sin(angle)],
      [Math.sin(angle), Math.cos(angle)],
    ];
    // einsum('ti,tij->tj', f, R) * 2
    return [2 * (f0 * R[0][0] + f1 * R[1][0]), 2 * (f0 * R[0][1] + f1 * R[1][1])];
  },
  '25gaussians': mixture(Array(25).fill(1 / 25), grid25, Array(25).fill(0.05 / 2.828)),
  gmm3: mixture(
    [1 / 3, 1 / 3, 1 / 3],
    [
      [-2, -2],
      [2, 2],
      [-2, 2],
    ],
    [0.5, 0.5, 0.5],
  ),
  'ncsn-mix': mixture(
    [0.2, 0.8],
    [
      [-5, -5],
      [5, 5],
    ],
    [1, 1],
  ),
};

/** Closed-form mixture densities in f64, independent of the WASM table. */
const exactMixtures: Partial<Record<DatasetName, { w: number[]; mu: [number, number][]; std: number }>> = {
  '8gaussians': { w: Array(8).fill(1 / 8), mu: dirs8.map(([x, y]) => [(4 * x) / 1.414, (4 * y) / 1.414]), std: 0.5 / 1.414 },
  '25gaussians': { w: Array(25).fill(1 / 25), mu: grid25, std: 0.05 / 2.828 },
  gmm3: {
    w: [1 / 3, 1 / 3, 1 / 3],
    mu: [
      [-2, -2],
      [2, 2],
      [-2, 2],
    ],
    std: 0.5,
  },
  'ncsn-mix': {
    w: [0.2, 0.8],
    mu: [
      [-5, -5],
      [5, 5],
    ],
    std: 1,
  },
};

function refLogDensity(name: DatasetName, x: number, y: number): number {
  const m = exactMixtures[name]!;
  const terms = m.w.map(
    (w, k) => Math.log(w) - Math.log(2 * Math.PI * m.std ** 2) - ((x - m.mu[k][0]) ** 2 + (y - m.mu[k][1]) ** 2) / (2 * m.std ** 2),
  );
  const top = Math.max(...terms);
  return top + Math.log(terms.reduce((s, t) => s + Math.exp(t - top), 0));
}

function sample(core: Core, name: string, seed: number, n: number): Float32Array {
  const rng = core.rng(seed);
  const buf = datasetSample(core, name, rng, n);
  const out = buf.toArray();
  buf.free();
  rng.free();
  return out;
}

forEachBuild((core) => {
  it.each(datasetNames)('%s follows the generator in docs/design.md draw for draw', (name) => {
    for (const n of [1, 3, 5, 17, 128]) {
      const got = sample(core(), name, 7, n);
      const s = new ReferenceStream(7n);
      for (let i = 0; i < n; i++) {
        const [x, y] = reference[name](s, i, n);
        expect(Math.abs(got[2 * i] - x)).toBeLessThan(1e-5 * Math.max(1, Math.abs(x)));
        expect(Math.abs(got[2 * i + 1] - y)).toBeLessThan(1e-5 * Math.max(1, Math.abs(y)));
      }
    }
  });

  it('mixtures: log-density and score equal the closed form, and the score is the gradient of the log-density', () => {
    for (const name of datasetNames.filter((d) => datasets[d].mixture)) {
      const n = 200;
      const x = core().f32(2 * n, sample(core(), name, 3, n));
      // Also points far from the data, where a naive sum of exponentials underflows.
      x.view.set([40, -40, 0, 0, -7.5, 3.25], 0);
      const logp = core().f32(n),
        score = core().f32(2 * n);
      datasetLogDensityScore(core(), name, x, { logp, score });
      const std = exactMixtures[name]!.std;
      for (let i = 0; i < n; i++) {
        const px = x.view[2 * i],
          py = x.view[2 * i + 1];
        const ref = refLogDensity(name, px, py);
        expect(Math.abs(logp.view[i] - ref)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref)));
        const h = 1e-4 * std;
        const gx = (refLogDensity(name, px + h, py) - refLogDensity(name, px - h, py)) / (2 * h);
        const gy = (refLogDensity(name, px, py + h) - refLogDensity(name, px, py - h)) / (2 * h);
        const scale = Math.max(1, Math.hypot(gx, gy));
        expect(Math.abs(score.view[2 * i] - gx) / scale).toBeLessThan(1e-4);
        expect(Math.abs(score.view[2 * i + 1] - gy) / scale).toBeLessThan(1e-4);
      }
    }
  });

  it('mixtures: the density integrates to 1 and E[s] = 0, E[x.s] = -d under the data (Stein identities)', () => {
    for (const name of ['gmm3', 'ncsn-mix', '8gaussians'] as const) {
      const g = 241,
        lo = -9,
        hi = 9,
        cell = (hi - lo) / g;
      const pts = new Float32Array(2 * g * g);
      for (let a = 0; a < g; a++) for (let b = 0; b < g; b++) pts.set([lo + (b + 0.5) * cell, lo + (a + 0.5) * cell], 2 * (a * g + b));
      const x = core().f32(pts.length, pts),
        logp = core().f32(g * g);
      datasetLogDensityScore(core(), name, x, { logp });
      const mass = logp.view.reduce((s, v) => s + Math.exp(v), 0) * cell * cell;
      expect(Math.abs(mass - 1)).toBeLessThan(1e-3);

      const n = 100_000;
      const data = core().f32(2 * n, sample(core(), name, 11, n)),
        score = core().f32(2 * n);
      datasetLogDensityScore(core(), name, data, { score });
      let sx = 0,
        sy = 0,
        xs = 0;
      for (let i = 0; i < n; i++) {
        sx += score.view[2 * i];
        sy += score.view[2 * i + 1];
        xs += data.view[2 * i] * score.view[2 * i] + data.view[2 * i + 1] * score.view[2 * i + 1];
      }
      // Monte-Carlo error: |s| ~ 1/std per coordinate, so 5 standard errors is about 5 / (std sqrt n).
      const tol = 5 / (exactMixtures[name]!.std * Math.sqrt(n));
      expect(Math.abs(sx / n)).toBeLessThan(tol);
      expect(Math.abs(sy / n)).toBeLessThan(tol);
      expect(Math.abs(xs / n + 2)).toBeLessThan(0.05);
    }
  });

  it('mixtures with noise: the density of data + N(0, noise^2 I) (each component variance grows by noise^2)', () => {
    const x = core().f32(40, sample(core(), 'gmm3', 8, 20)),
      logp = core().f32(20),
      score = core().f32(40);
    datasetLogDensityScore(core(), 'gmm3', x, { logp, score }, 0.7);
    const v = 0.25 + 0.49,
      mu = [
        [-2, -2],
        [2, 2],
        [-2, 2],
      ];
    for (let i = 0; i < 20; i++) {
      const [px, py] = [x.view[2 * i], x.view[2 * i + 1]];
      const w = mu.map(([a, b]) => Math.exp(-((px - a) ** 2 + (py - b) ** 2) / (2 * v)) / (3 * 2 * Math.PI * v));
      const total = w.reduce((s, t) => s + t, 0);
      expect(logp.view[i]).toBeCloseTo(Math.log(total), 5);
      expect(score.view[2 * i]).toBeCloseTo(
        mu.reduce((s, m, k) => s + ((w[k] / total) * (m[0] - px)) / v, 0),
        5,
      );
    }
  });

  it('mixtures: samples fall in each component in proportion to its weight', () => {
    const n = 50_000;
    const pts = sample(core(), 'ncsn-mix', 5, n);
    let upper = 0;
    for (let i = 0; i < n; i++) if (pts[2 * i] + pts[2 * i + 1] > 0) upper++;
    expect(Math.abs(upper / n - 0.8)).toBeLessThan(0.01);
  });

  it('mixture components are the table the samples come from', () => {
    expect(datasetComponents(core(), 'ncsn-mix')).toEqual([
      { weight: Math.fround(0.2), mean: [-5, -5], std: 1 },
      { weight: Math.fround(0.8), mean: [5, 5], std: 1 },
    ]);
    expect(datasetComponents(core(), '25gaussians')).toHaveLength(25);
    expect(() => datasetComponents(core(), 'moons')).toThrow("datasetComponents: dataset 'moons' is not a Gaussian mixture");
  });

  it('datasets without a closed form say so and name the ones with it', () => {
    const x = core().f32(2);
    expect(() => datasetLogDensityScore(core(), 'moons', x, {})).toThrow(
      "datasetLogDensityScore: dataset 'moons' has no closed-form density; datasets with one: 8gaussians, 25gaussians, gmm3, ncsn-mix",
    );
  });

  it('unknown names list the valid ones; bad sizes are refused', () => {
    const rng = core().rng(0);
    expect(() => datasetSample(core(), 'gaussians', rng, 3)).toThrow(`unknown dataset 'gaussians'; valid: ${datasetNames.join(', ')}`);
    expect(() => datasetSample(core(), 'moons', rng, -1)).toThrow('datasetSample: n must be an integer >= 0, got -1');
    expect(() => datasetLogDensityScore(core(), 'gmm3', core().f32(4), { logp: core().f32(3) })).toThrow(
      'datasetLogDensityScore: logp has 3 floats, expected n = 2',
    );
  });
});

describe('datasets across builds', () => {
  it('give the same bits in the SIMD and scalar builds, and advance the stream identically', async () => {
    const { simd, scalar } = await loadBoth();
    for (const name of datasetNames) {
      const a = simd.rng(99),
        b = scalar.rng(99);
      const pa = datasetSample(simd, name, a, 1001),
        pb = datasetSample(scalar, name, b, 1001);
      expect(sameBits(pa.view, pb.view)).toBe(true);
      expect(a.counter).toBe(b.counter);
    }
  });
});
