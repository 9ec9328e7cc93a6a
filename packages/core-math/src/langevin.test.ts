import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { langevin, samplerSteps } from './langevin.js';
import { modelScore, modelWorkspaceFloats, type ModelSpec } from './score-model.js';
import { randomArray } from './testing/reference.js';

const SCORE: ModelSpec = { kind: 'score', conditioning: 'none' };
import { rngNormal } from './rng-draws.js';
import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { sameBits } from './testing/reference.js';

/** A network with no hidden layer computing s(x) = -x: the score of N(0, I). */
function linearScore(c: Core, d: number) {
  const net = new MlpLayout(c, [d, d], 'silu');
  const params = c.f32(net.paramCount);
  for (let i = 0; i < d; i++) params.view[i * d + i] = -1;
  return { net, params };
}

function run(c: Core, n: number, d: number, steps: number, alpha: number, chunk: number, seed = 1) {
  const { net, params } = linearScore(c, d);
  const x = c.f32(n * d);
  rngNormal(c, c.rng(seed + 100), x, 3, 0.1); // start far from the target
  const work = { ws: c.f32(modelWorkspaceFloats(net, chunk)), score: c.f32(chunk * d), chunk };
  const rng = c.rng(seed);
  langevin(c, SCORE, net, params, x, steps, alpha, rng, work);
  return { x, rng, net, params };
}

forEachBuild((core) => {
  it('samples N(0, I) from s(x) = -x with the discretised stationary variance 1 / (1 - alpha/4)', () => {
    // x' = (1 - alpha/2) x + sqrt(alpha) z has stationary variance alpha / (1 - (1 - alpha/2)^2) = 1 / (1 - alpha/4).
    const alpha = 0.2,
      n = 20000,
      d = 2;
    const { x } = run(core(), n, d, 300, alpha, 128);
    for (let k = 0; k < d; k++) {
      const v = x.view.filter((_, i) => i % d === k);
      const mean = v.reduce((s, a) => s + a, 0) / n;
      const variance = v.reduce((s, a) => s + (a - mean) ** 2, 0) / n;
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(Math.abs(variance - 1 / (1 - alpha / 4))).toBeLessThan(0.04);
    }
  });

  it('Leimkuhler-Matthews noise samples N(0, I) from s(x) = -x with the exact variance 1 at any stable step', () => {
    // x' = rho x + c (z_t + z_{t+1}), rho = 1 - alpha/2, c = sqrt(alpha)/2: an ARMA(1, 1) chain whose stationary
    // variance c^2 (1 + 2 rho + 1) / (1 - rho^2) = 2 c^2 / (1 - rho) = 1 for every alpha < 4. Euler's at this step is 8/7.
    const alpha = 0.5,
      n = 20000,
      d = 2;
    const c = core();
    const { net, params } = linearScore(c, d);
    const x = c.f32(n * d);
    rngNormal(c, c.rng(101), x, 3, 0.1);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 128)), score: c.f32(128 * d), chunk: 128 };
    const rng = c.rng(1);
    samplerSteps(c, SCORE, net, params, x, 100, { mode: 'lm', a: 1, b: alpha / 2, c: Math.sqrt(alpha) }, rng, work);
    for (let k = 0; k < d; k++) {
      const v = x.view.filter((_, i) => i % d === k);
      const mean = v.reduce((s, a) => s + a, 0) / n;
      const variance = v.reduce((s, a) => s + (a - mean) ** 2, 0) / n;
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    }
  });

  it("a Leimkuhler-Matthews step averages its noise with the next step's; a run in two calls is one chain", () => {
    const c = core();
    const n = 5,
      d = 2,
      alpha = 0.3;
    const { net, params } = linearScore(c, d);
    const x0 = randomArray(n * d, 7),
      z = c.f32(3 * n * d);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 4)), score: c.f32(4 * d), chunk: 4 };
    const rule = { mode: 'lm', a: 1, b: alpha / 2, c: Math.sqrt(alpha) } as const;
    const one = c.f32(n * d, x0);
    const rng = c.rng(3);
    samplerSteps(c, SCORE, net, params, one, 1, rule, rng, work);
    expect(rng.counter).toBe(BigInt(n * d));
    rngNormal(c, c.rng(3), z); // the noise of steps 0, 1, 2 in counter order
    x0.forEach((v, i) =>
      expect(one.view[i]).toBeCloseTo(v - (alpha / 2) * v + Math.sqrt(alpha) * 0.5 * (z.view[i] + z.view[n * d + i]), 5),
    );
    samplerSteps(c, SCORE, net, params, one, 1, rule, rng, work);
    const whole = c.f32(n * d, x0);
    samplerSteps(c, SCORE, net, params, whole, 2, rule, c.rng(3), work);
    expect(sameBits(one.toArray(), whole.toArray())).toBe(true);
  });

  it('does not depend on the chunk size or on splitting particles into blocks', () => {
    const c = core();
    const n = 37,
      d = 3,
      steps = 9,
      alpha = 0.05;
    const whole = run(c, n, d, steps, alpha, 128).x.toArray();
    expect(sameBits(run(c, n, d, steps, alpha, 5).x.toArray(), whole)).toBe(true);
    expect(sameBits(run(c, n, d, steps, alpha, 1).x.toArray(), whole)).toBe(true);
    // Leimkuhler-Matthews reads the next step's noise by position too.
    const lm = (chunk: number) => {
      const { net, params } = linearScore(c, d);
      const x = c.f32(n * d);
      rngNormal(c, c.rng(101), x, 3, 0.1);
      const work = { ws: c.f32(modelWorkspaceFloats(net, chunk)), score: c.f32(chunk * d), chunk };
      samplerSteps(c, SCORE, net, params, x, steps, { mode: 'lm', a: 1, b: alpha / 2, c: Math.sqrt(alpha) }, c.rng(1), work);
      return x.toArray();
    };
    expect(sameBits(lm(5), lm(128))).toBe(true);
    // two blocks [0, 17) and [17, 37) from the same stream position
    const { net, params } = linearScore(c, d);
    const init = c.f32(n * d);
    rngNormal(c, c.rng(101), init, 3, 0.1);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 8)), score: c.f32(8 * d), chunk: 8 };
    const parts = [
      [0, 17],
      [17, 37],
    ].map(([a, b]) => {
      const x = c.f32((b - a) * d, init.view.subarray(a * d, b * d));
      const rng = c.rng(1);
      langevin(c, SCORE, net, params, x, steps, alpha, rng, work, { first: a, total: n });
      expect(rng.counter).toBe(BigInt(steps * n * d));
      return x.toArray();
    });
    expect(sameBits(Float32Array.from([...parts[0], ...parts[1]]), whole)).toBe(true);
  });

  it('zero steps leave the particles unchanged; bad arguments are named', () => {
    const c = core();
    const { net, params } = linearScore(c, 2);
    const x = c.f32(6, [1, 2, 3, 4, 5, 6]);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 4)), score: c.f32(8), chunk: 4 };
    langevin(c, SCORE, net, params, x, 0, 0.1, c.rng(1), work);
    expect(Array.from(x.view)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => langevin(c, SCORE, net, params, c.f32(5), 1, 0.1, c.rng(1), work)).toThrow(
      'samplerSteps: x has 5 floats, not a multiple of d = 2',
    );
    expect(() => langevin(c, SCORE, net, params, x, 1, -1, c.rng(1), work)).toThrow(
      'langevin: alpha must be a finite positive number, got -1',
    );
    expect(() => langevin(c, SCORE, net, params, x, 1, 0.1, c.rng(1), work, { first: 2, total: 4 })).toThrow(
      /particles 2..4 exceed total 4/,
    );
  });

  it('with an energy model (noise conditioned) takes the step x + (alpha/2) s(x; sigma) + sqrt(alpha) z', () => {
    const c = core();
    const spec: ModelSpec = { kind: 'energy', conditioning: 'both' };
    const net = new MlpLayout(c, [9, 8, 1], 'softplus');
    const params = c.f32(net.paramCount, randomArray(net.paramCount, 1));
    const x0 = randomArray(10, 2),
      x = c.f32(10, x0),
      s = c.f32(10),
      z = c.f32(10);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 5)), score: c.f32(10), chunk: 5 };
    modelScore(c, spec, net, params, x, 5, 0.5, s, work.ws);
    langevin(c, spec, net, params, x, 1, 0.01, c.rng(3), work, { sigma: 0.5 });
    rngNormal(c, c.rng(3), z);
    x0.forEach((v, i) => expect(x.view[i]).toBeCloseTo(v + 0.005 * s.view[i] + 0.1 * z.view[i], 5));
  });
});

forEachBuild((core) => {
  it('corrector steps use eps = 2 alpha (snr mean|z| / mean|s|)^2 over the chunk', () => {
    const c = core();
    const { net, params } = linearScore(c, 2);
    const x0 = randomArray(6, 9, -2, 2),
      x = c.f32(6, x0),
      z = c.f32(6);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 3)), score: c.f32(6), chunk: 3 };
    samplerSteps(c, SCORE, net, params, x, 1, { mode: 'corrector', alpha: 0.9, snr: 0.16 }, c.rng(8), work);
    rngNormal(c, c.rng(8), z);
    let gs = 0,
      zs = 0;
    for (let i = 0; i < 3; i++) {
      gs += Math.hypot(x0[2 * i], x0[2 * i + 1]) / 3;
      zs += Math.hypot(z.view[2 * i], z.view[2 * i + 1]) / 3;
    }
    const eps = 2 * 0.9 * ((0.16 * zs) / gs) ** 2;
    for (let i = 0; i < 6; i++) expect(x.view[i]).toBeCloseTo(x0[i] - eps * x0[i] + Math.sqrt(2 * eps) * z.view[i], 5);
  });

  it.each([
    ['an affine step', { mode: 'affine', a: 0.9, b: 0.01, c: 0.1 }],
    ['a noise-free step', { mode: 'affine', a: 1, b: 0.02, c: 0 }],
    ['a Leimkuhler-Matthews step', { mode: 'lm', a: 1, b: 0.01, c: 0.1 }],
    ['a corrector step', { mode: 'corrector', alpha: 0.9, snr: 0.16 }],
  ] as const)('a given score at x takes the step the model would: %s, same bits and stream', (_name, rule) => {
    const c = core();
    const spec: ModelSpec = { kind: 'energy', conditioning: 'both' };
    const net = new MlpLayout(c, [9, 6, 1], 'silu');
    const params = c.f32(net.paramCount, randomArray(net.paramCount, 4));
    const n = 37,
      d = 2,
      x0 = randomArray(n * d, 5, -2, 2);
    const hold = { mask: c.f32(d, [0, 1]), values: c.f32(n * d, randomArray(n * d, 6)) };
    const work = { ws: c.f32(modelWorkspaceFloats(net, 8)), score: c.f32(8 * d), chunk: 8 };
    const step = (score?: F32Buffer) => {
      const x = c.f32(n * d, x0),
        rng = c.rng(7);
      samplerSteps(c, spec, net, params, x, 1, rule, rng, work, { sigma: 0.3, first: 3, total: 50, hold, score });
      return { x: x.toArray(), counter: rng.counter };
    };
    const s = c.f32(n * d);
    modelScore(c, spec, net, params, c.f32(n * d, x0), n, 0.3, s, c.f32(modelWorkspaceFloats(net, n)));
    const [own, given] = [step(), step(s)];
    expect(sameBits(given.x, own.x)).toBe(true);
    expect(given.counter).toBe(own.counter);
    // Not the score at x: another step.
    expect(
      sameBits(
        step(
          c.f32(
            n * d,
            s.view.map((v) => v + 1),
          ),
        ).x,
        own.x,
      ),
    ).toBe(false);
    expect(() => samplerSteps(c, spec, net, params, c.f32(n * d), 2, rule, c.rng(1), work, { score: s })).toThrow(
      'samplerSteps: a given score is the score at x for one step, got 2 steps',
    );
    expect(() => samplerSteps(c, spec, net, params, c.f32(n * d), 1, rule, c.rng(1), work, { score: c.f32(3) })).toThrow(
      'samplerSteps: options.score has 3 floats',
    );
  });

  it('inpainting holds the masked coordinates at their values, and the rest still moves', () => {
    const c = core();
    const { net, params } = linearScore(c, 2);
    const x = c.f32(8, randomArray(8, 10)),
      held = c.f32(8, [5, 0, 6, 0, 7, 0, 8, 0]);
    const work = { ws: c.f32(modelWorkspaceFloats(net, 4)), score: c.f32(8), chunk: 4 };
    const before = x.toArray();
    langevin(c, SCORE, net, params, x, 10, 0.1, c.rng(2), work, { hold: { mask: c.f32(2, [1, 0]), values: held } });
    expect([0, 2, 4, 6].map((i) => x.view[i])).toEqual([5, 6, 7, 8]);
    expect([1, 3, 5, 7].every((i) => x.view[i] !== before[i])).toBe(true);
  });

  it("the data's box guard: the denoiser x + sigma^2 s moves to the nearest face outside the box; inside, the score is unchanged", () => {
    // s(x) = -x at sigma 0.5: D = x (1 - 0.25) = 0.75 x. The affine step x <- x + sigma^2 s (a = 1, b = sigma^2, c = 0) moves
    // each particle to D, so the particles after one step are the guarded denoisers. 7 particles (a chunk of 4 and a
    // remainder), coordinates inside, below and above the box [-1, 2] x [0, 0.5].
    const c = core();
    const { net, params } = linearScore(c, 2);
    const start = [0.4, 0.2, -4, 0.3, 4, 0.1, 1, -2, 2, 3, -1.2, 0.6, 0.8, 0.4];
    const sigma = 0.5,
      s2 = Math.fround(sigma * sigma);
    const step = (box?: { lower: F32Buffer; upper: F32Buffer }) => {
      const x = c.f32(14, start);
      const work = { ws: c.f32(modelWorkspaceFloats(net, 4)), score: c.f32(8), chunk: 4 };
      samplerSteps(c, SCORE, net, params, x, 1, { mode: 'affine', a: 1, b: s2, c: 0 }, c.rng(3), work, { sigma, box });
      return x.toArray();
    };
    const free = step(),
      guarded = step({ lower: c.f32(2, [-1, 0]), upper: c.f32(2, [2, 0.5]) });
    const lower = [-1, 0],
      upper = [2, 0.5];
    start.forEach((x0, i) => {
      const j = i % 2,
        D = free[i];
      expect(D).toBeCloseTo(0.75 * x0, 6);
      if (D < lower[j]) expect(guarded[i]).toBeCloseTo(lower[j], 6);
      else if (D > upper[j]) expect(guarded[i]).toBeCloseTo(upper[j], 6);
      else expect(sameBits(Float32Array.of(guarded[i]), Float32Array.of(D))).toBe(true);
    });
    // Some coordinates of each kind: below, above and inside.
    expect(start.filter((x0, i) => 0.75 * x0 < lower[i % 2]).length).toBeGreaterThan(1);
    expect(start.filter((x0, i) => 0.75 * x0 > upper[i % 2]).length).toBeGreaterThan(1);
    expect(() => step({ lower: c.f32(2, [1, 0]), upper: c.f32(2, [0, 1]) })).toThrow(
      /box coordinate 0 \(0-based\) must be finite with lower <= upper/,
    );
  });
});

describe('langevin: SIMD and scalar builds', () => {
  it('agree bit for bit', async () => {
    const { simd, scalar } = await loadBoth();
    const [a, b] = [simd, scalar].map((c) => run(c, 50, 2, 20, 0.1, 16).x.toArray());
    expect(sameBits(a, b)).toBe(true);
  });
});
