// Issue 12's mix-like data with every default: an unequal mixture of far-apart anisotropic Gaussians (weights 0.55 / 0.33 /
// 0.12, rotated, sds from 0.15 to 1.6) with a constant column, from a seeded stream of its own (not the data the defaults
// or the diagnosis used). What holds with defaults: the weights, the constant column, and every mode's sds except the
// light mode's thin one. That one comes out too wide: its sd (0.15, 0.025 standardised) is below sigma_L (0.055: 4 x the
// median nearest-neighbour distance, set by the heavy modes), so the samples are the model's blurred mode deconvolved, and the
// model's error in the variance at sigma_L is multiplied by (v + sigma_L^2) / v (docs/results, "σ_L and a light mode's thin
// direction": 1.3x on mix.csv, 2.0x on another such set, 1.49x, 1.46x, 1.49x here for training seeds 0, 1, 2). It is
// checked against a loose bound only, so that it cannot get worse unnoticed. Measured margins (training seeds 0, 1, 2):
// weights within 0.011, the other sds within 5.3%.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from '@scorefield/core-math';
import { sample } from './samplers/index.js';
import { testNormals } from './testing/normals.js';
import { Trainer } from './train.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** The mixture: weight, centre, sds along the rotated axes (the first the thin one), angle of the first axis. */
const MODES = [
  { w: 0.55, centre: [0, 0], sds: [0.6, 1.0], angle: 0.3 },
  { w: 0.33, centre: [-10, 6], sds: [0.4, 1.6], angle: -0.6 },
  { w: 0.12, centre: [9, 9], sds: [0.15, 1.2], angle: 0.4 },
];
const CONSTANT = 2.5;

function mixLike(n: number, seed: number) {
  const { u, z } = testNormals(seed),
    data = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const r = u(),
      k = r < MODES[0].w ? 0 : r < MODES[0].w + MODES[1].w ? 1 : 2;
    const { centre, sds, angle } = MODES[k],
      a = sds[0] * z(),
      b = sds[1] * z();
    data[3 * i] = centre[0] + Math.cos(angle) * a - Math.sin(angle) * b;
    data[3 * i + 1] = centre[1] + Math.sin(angle) * a + Math.cos(angle) * b;
    data[3 * i + 2] = CONSTANT;
  }
  return { data, rows: n, cols: 3 };
}

/**
 * Per mode (nearest centre; the centres are 11.7 to 19.2 apart, the sds at most 1.6): the share of the points and the sds of its
 * covariance, smaller first.
 */
function modeStats(x: ArrayLike<number>, rows: number) {
  return MODES.map((_, k) => {
    const mine: number[] = [];
    for (let i = 0; i < rows; i++) {
      const dist = MODES.map((m) => (x[3 * i] - m.centre[0]) ** 2 + (x[3 * i + 1] - m.centre[1]) ** 2);
      if (dist.indexOf(Math.min(...dist)) === k) mine.push(i);
    }
    const m = [0, 1].map((j) => mine.reduce((s, i) => s + x[3 * i + j], 0) / mine.length);
    const c = [0, 0, 0];
    for (const i of mine) {
      const a = x[3 * i] - m[0],
        b = x[3 * i + 1] - m[1];
      c[0] += (a * a) / (mine.length - 1);
      c[1] += (a * b) / (mine.length - 1);
      c[2] += (b * b) / (mine.length - 1);
    }
    const mid = (c[0] + c[2]) / 2,
      r = Math.sqrt(((c[0] - c[2]) / 2) ** 2 + c[1] ** 2);
    return { share: mine.length / rows, sds: [Math.sqrt(mid - r), Math.sqrt(mid + r)] };
  });
}

describe('defaults on mix-like data: far-apart anisotropic modes of unequal weights and a constant column', () => {
  it('ncsn + annealed: the weights, the constant and every sd but the light mode thin one', () => {
    const data = mixLike(6000, 2026);
    const truth = modeStats(data.data, data.rows);
    const t = new Trainer(core, data, { loss: { name: 'ncsn' }, seed: 0 });
    t.run(t.options.steps);
    const n = 3000,
      x = sample(t.model, { n, seed: 1 }).samples;
    const got = modeStats(x, n);
    got.forEach((g, k) => {
      expect(Math.abs(g.share - truth[k].share)).toBeLessThan(0.03);
      const [thin, long] = [0, 1].map((j) => g.sds[j] / truth[k].sds[j]);
      expect(Math.abs(long - 1)).toBeLessThan(0.1);
      if (k < 2) expect(Math.abs(thin - 1)).toBeLessThan(0.1);
      // The known limit (header): too wide, and not more than measured.
      else expect(thin).toBeLessThan(2.5);
    });
    for (let i = 0; i < n; i++) expect(x[3 * i + 2]).toBe(CONSTANT);
    t.free();
    t.model.free();
  }, 600_000);
});
