import { beforeAll, describe, expect, it } from 'vitest';
import { datasetSample, loadCore, type Core } from '@scorefield/core-math';
import { ExactScore } from '../score-source.js';
import { dataScales, ladderSigmas, noiseLadder } from '../noise-levels.js';
import { annealedStepFactor, annealedVarianceRatio, levelVariance } from './annealed.js';
import { langevinSchemes } from './langevin.js';
import { sample } from './index.js';
import { stationarity } from './stationarity.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Technique 4 of Song & Ermon 2020 as printed (their step convention x + eps' s + sqrt(2 eps') z, eps' = our eps / 2). */
function techniqueFour(epsPaper: number, T: number, gamma: number, sL: number): number {
  const r = 1 - epsPaper / sL ** 2,
    k = (2 * epsPaper) / (sL ** 2 - sL ** 2 * r ** 2);
  return r ** (2 * T) * (gamma ** 2 - k) + k;
}

/** The data-driven ladder of a built-in dataset, in data units (ExactScore works in data units). */
function dataLadder(name: string, n = 5000): number[] {
  const x = datasetSample(core, name, core.rng(11), n);
  const ladder = noiseLadder(dataScales({ data: x.toArray(), rows: n, cols: 2 }), 2);
  x.free();
  return ladderSigmas(ladder);
}

describe('the annealed step (technique 4, extended to modes of any width)', () => {
  it('one level on a point mode is technique 4 exactly, after the factor 2 between the step conventions', () => {
    for (const [a, T, gamma] of [
      [0.05, 100, 1.5],
      [0.2, 30, 2],
      [0.9, 5, 1.04],
    ]) {
      const sL = 0.3;
      const ours = levelVariance(gamma ** 2 * sL ** 2, a, T, sL, 0) / sL ** 2;
      expect(ours).toBeCloseTo(techniqueFour((a * sL ** 2) / 2, T, gamma, sL), 12);
    }
  });

  it('minimises the worst variance error over mode widths; technique 4 alone leaves wide modes 10% too wide', () => {
    const sigmas = Array.from({ length: 12 }, (_, i) => 4 * 1.5 ** -i);
    const sL = sigmas.at(-1)!;
    const widths = [0, 1, 10, 100, 1e3, 1e4].map((w) => w * sL ** 2);
    const worst = (a: number) => Math.max(...widths.map((v) => Math.abs(annealedVarianceRatio(a, 100, sigmas, v) - 1)));
    const a = annealedStepFactor(sigmas, 100);
    expect(worst(a)).toBeLessThan(0.05);
    expect(worst(a)).toBeLessThanOrEqual(worst(0.9 * a) + 1e-9);
    expect(worst(a)).toBeLessThanOrEqual(worst(1.1 * a) + 1e-9);
    // Technique 4's own choice (best for a point mode and one level) is far smaller...
    let a4 = 1e-4;
    for (let c = 1e-4; c < 2; c *= 1.01)
      if (techniqueFour((c * sL ** 2) / 2, 100, 1.5, sL) < techniqueFour((a4 * sL ** 2) / 2, 100, 1.5, sL)) a4 = c;
    expect(a4).toBeLessThan(0.5 * a);
    // ... and leaves a mode 100 sigma_L^2 wide more than 5% too wide (the chain cannot follow the last levels).
    expect(annealedVarianceRatio(a4, 100, sigmas, 100 * sL ** 2)).toBeGreaterThan(1.05);
    expect(annealedVarianceRatio(a, 100, sigmas, 100 * sL ** 2)).toBeLessThan(1.05);
  });
});

describe("the final step annealing of plain Langevin's Euler scheme", () => {
  /** Variance after `steps` steps of alpha on a Gaussian direction of variance v, from x: x <- (1 - alpha / 2v)^2 x + alpha. */
  const run = (x: number, alpha: number, steps: number, v: number) => {
    const c = (1 - alpha / (2 * v)) ** 2,
      fixed = alpha / (1 - c);
    return fixed + (x - fixed) * c ** steps;
  };
  it('leaves at most 1% of variance bias on any direction the curvature step allows in 2-D, where the main phase leaves 5%', () => {
    const { stepFactor, finalSteps, finalFactor, minSteps } = langevinSchemes.euler;
    // kappa = mean of 1 / v_k over d = 2 directions, alpha = stepFactor / kappa: alpha / v_k <= d stepFactor.
    let worstMain = 0,
      worstFinal = 0;
    for (let i = 0; i <= 200; i++) {
      const u = 2 * stepFactor * 10 ** (-4 + (4 * i) / 200); // alpha / v
      const v = 1,
        alpha = u * v;
      const main = run(1, alpha, minSteps, v);
      worstMain = Math.max(worstMain, Math.abs(main - 1));
      worstFinal = Math.max(worstFinal, Math.abs(run(main, finalFactor * alpha, finalSteps, v) - 1));
    }
    expect(worstMain).toBeGreaterThan(0.05);
    expect(worstFinal).toBeLessThan(0.01);
  });
});

describe('the plain Langevin schemes on the exact score of gmm3 (modes of variance 0.25, data units)', () => {
  /** Variance within the modes (per coordinate, about each particle's nearest centre) and the Stein check's verdict. */
  const modeVariance = (scheme: string, stepSize: number) => {
    const r = sample(new ExactScore(core, 'gmm3'), { n: 3000, sampler: 'langevin', scheme, steps: 300, stepSize, seed: 4 });
    const centres = [
      [-2, -2],
      [2, 2],
      [-2, 2],
    ];
    let sum = 0;
    for (let i = 0; i < r.samples.length; i += 2) {
      const [x, y] = [r.samples[i], r.samples[i + 1]];
      sum += Math.min(...centres.map(([a, b]) => (x - a) ** 2 + (y - b) ** 2)) / 2;
    }
    return { variance: sum / 3000, settled: r.stationarity.settled };
  };
  it("Leimkuhler-Matthews keeps the modes' variance at alpha = v, where Euler's is v / (1 - alpha / 4v) = 4v / 3", () => {
    // 6000 values: the standard error of the variance is about 0.25 sqrt(2 / 6000) = 0.005.
    const lm = modeVariance('lm', 0.25),
      euler = modeVariance('euler', 0.25);
    expect(Math.abs(lm.variance - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(euler.variance - 0.25 / (1 - 0.25))).toBeLessThan(0.02);
    expect(lm.settled).toBe(true);
  });
  it('refuses an unknown scheme in one line', () => {
    expect(() => sample(new ExactScore(core, 'gmm3'), { n: 4, sampler: 'langevin', scheme: 'heun' })).toThrow(
      "unknown langevin scheme 'heun'; valid: lm, euler",
    );
  });
});

describe('annealed Langevin with its defaults on the exact score (the sampler alone)', () => {
  it('recovers the 0.2 / 0.8 weights of far-apart modes and their variance, on the ladder chosen from the data', () => {
    const exact = new ExactScore(core, 'ncsn-mix');
    const r = sample(exact, { n: 3000, sampler: 'annealed', sigmas: dataLadder('ncsn-mix'), seed: 3 });
    const x = r.samples;
    const upper = [];
    for (let i = 0; i < x.length; i += 2) if (x[i] + x[i + 1] > 0) upper.push([x[i] - 5, x[i + 1] - 5]);
    expect(Math.abs(upper.length / 3000 - 0.8)).toBeLessThan(0.03);
    const variance = upper.reduce((s, [a, b]) => s + a * a + b * b, 0) / (2 * upper.length);
    expect(Math.abs(variance - 1)).toBeLessThan(0.06); // 4 standard errors at 2 x 2400 values
    expect(r.settings.denoise).toBe(true);
    expect(r.stationarity.settled).toBe(true);
  });
});

describe('the Stein check of stationarity', () => {
  it('flags chains that have not reached the target and passes settled ones', () => {
    const exact = new ExactScore(core, 'gmm3');
    const early = sample(exact, { n: 1024, sampler: 'langevin', steps: 20, stepSize: 1e-3, seed: 1 });
    expect(early.stationarity.settled).toBe(false);
    expect(early.stationarity.residual).toBeGreaterThan(0.5);
    const settled = sample(exact, { n: 1024, sampler: 'annealed', sigmas: dataLadder('gmm3'), seed: 1 });
    expect(settled.stationarity.settled).toBe(true);
    expect(settled.stationarity.residual).toBeLessThan(3 * settled.stationarity.standardError);
  });

  it('gives the same bits whether the particles run at once or in blocks (chunks merged in order)', () => {
    const exact = new ExactScore(core, 'gmm3');
    const o = { sampler: 'langevin', steps: 30, stepSize: 1e-2, seed: 5 } as const;
    const whole = sample(exact, { ...o, n: 700 });
    const parts = [
      [0, 256],
      [256, 700],
    ].map(([a, b]) => sample(exact, { ...o, n: b - a, block: { first: a, total: 700 } }));
    const merged = stationarity({ sigma: whole.stein.sigma, chunks: parts.flatMap((p) => p.stein.chunks) });
    expect(merged).toEqual(whole.stationarity);
  });
});
