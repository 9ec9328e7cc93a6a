import { beforeAll, describe, expect, it } from 'vitest';
import { datasetSample, loadCore, rngNormal, type Core } from '@scorefield/core-math';
import { averageDecay, defaultBatch, defaultHidden, Trainer, trainScoreModel, TrainingDivergedError } from './train.js';
import { decodeCheckpoint, encodeCheckpoint } from './training-checkpoint.js';
import { sampleLangevin } from './sample.js';
import { decodeModel, encodeModel } from './checkpoint.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** n points of N(mu, s0^2 I) in 2-D. */
function gaussian(n: number, mu: number[], s0: number, seed: number) {
  const b = core.f32(n * 2);
  rngNormal(core, core.rng(seed), b, 0, s0);
  const data = Float64Array.from(b.view, (v, i) => v + mu[i % 2]);
  b.free();
  return { data, rows: n, cols: 2 };
}

describe('trainScoreModel', () => {
  it('learns the closed-form DSM optimum of Gaussian data with a linear network', () => {
    // Standardised data y ~ N(0, I) (up to sampling); the optimum is the noisy score s_y = -y/(1 + sigma^2),
    // i.e. s_x(x) = -(x - mean) / (std^2 (1 + sigma^2)) in data units.
    const data = gaussian(8000, [3, -1], 2, 1);
    const sigma = 0.5;
    // A small learning rate keeps Adam's stationary jitter (the DSM target has variance d/sigma^2) below 5%.
    const { model } = trainScoreModel(core, data, { hidden: [], steps: 4000, batch: 256, lr: 3e-3, loss: { name: 'dsm', sigma }, seed: 3 });
    const { mean, std } = model.normalization;
    const pts = [mean[0] + 2, mean[1] - 1, mean[0] - 3, mean[1] + 4];
    const s = model.score({ data: pts, rows: 2, cols: 2 });
    for (let i = 0; i < 4; i++) {
      const expected = -(pts[i] - mean[i % 2]) / (std[i % 2] ** 2 * (1 + sigma ** 2));
      expect(Math.abs(s[i] - expected)).toBeLessThan(0.05 * Math.abs(expected) + 0.01);
    }
    model.free();
  });

  it('is deterministic: the same seed gives the same model bytes, another seed does not', () => {
    const data = gaussian(500, [0, 0], 1, 2);
    const run = (seed: number) => {
      const { model } = trainScoreModel(core, data, { hidden: [16, 16], steps: 50, seed });
      const bytes = encodeModel(model);
      model.free();
      return bytes;
    };
    expect(Buffer.from(run(7)).equals(Buffer.from(run(7)))).toBe(true);
    expect(Buffer.from(run(7)).equals(Buffer.from(run(8)))).toBe(false);
  });

  it('reports progress and records the loss curve, which decreases', () => {
    const seen: number[] = [];
    const { model, losses } = trainScoreModel(core, gaussian(2000, [0, 0], 1, 3), {
      hidden: [32],
      steps: 400,
      loss: { name: 'dsm', sigma: 1 },
      progressEvery: 100,
      onProgress: (p) => seen.push(p.step),
    });
    expect(seen).toEqual([100, 200, 300, 400]);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.subarray(300))).toBeLessThan(0.9 * mean(losses.subarray(0, 50)));
    model.free();
  });

  it('stops with a clear error naming the step when the loss diverges', () => {
    const data = gaussian(500, [0, 0], 1, 4);
    let caught: unknown;
    try {
      trainScoreModel(core, data, { hidden: [64, 64], steps: 2000, lr: 1e30, loss: { name: 'dsm', sigma: 1e-30 } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TrainingDivergedError);
    expect((caught as Error).message).toMatch(/^training diverged: loss is (NaN|Infinity) at step \d+/);
  });

  it('rejects bad options and non-finite data with input errors', () => {
    const data = gaussian(10, [0, 0], 1, 5);
    expect(() => trainScoreModel(core, data, { steps: 0 })).toThrow('train: steps must be an integer >= 1, got 0');
    expect(() => trainScoreModel(core, data, { batch: -1 })).toThrow('train: batch must be an integer >= 1, got -1');
    expect(() => trainScoreModel(core, data, { loss: { name: 'dsm', sigma: Number.NaN } })).toThrow(
      'objective: sigma must be a finite positive number, got NaN',
    );
    const bad = { data: [1, 2, Number.NaN, 4], rows: 2, cols: 2 };
    expect(() => trainScoreModel(core, bad)).toThrow('data: point 1, coordinate 0 (both 0-based) is NaN, not a finite number');
  });
});

describe('the first end-to-end path', () => {
  it('8gaussians with the quickstart settings: Langevin samples populate all 8 modes in proportion', () => {
    const n = 10_000,
      buf = datasetSample(core, '8gaussians', core.rng(1), n);
    const { model } = trainScoreModel(core, { data: buf.toArray(), rows: n, cols: 2 }, { steps: 3000, seed: 0 });
    buf.free();
    const x = sampleLangevin(model, { n: 800, steps: 1000, stepSize: 1e-3, seed: 1 });
    const r = Math.SQRT1_2,
      a = 4 / 1.414,
      std = 0.5 / 1.414;
    const centres = [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
      [r, r],
      [r, -r],
      [-r, r],
      [-r, -r],
    ].map(([u, v]) => [a * u, a * v]);
    const counts = new Array(8).fill(0);
    let near = 0;
    for (let i = 0; i < 800; i++) {
      const d = centres.map(([u, v]) => Math.hypot(x[2 * i] - u, x[2 * i + 1] - v));
      const k = d.indexOf(Math.min(...d));
      if (d[k] < 3 * std) {
        counts[k]++;
        near++;
      }
    }
    // A fair share is 100 per mode; a missing or starved mode would be far below 50.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(near / 800).toBeGreaterThan(0.85);
    model.free();
  });
});

describe('every objective and parametrization', () => {
  it.each([
    ['esm', 'energy'],
    ['ssm', 'score'],
    ['ssm-vr', 'energy'],
    ['ncsn', 'score'],
    ['ncsn', 'energy'],
    ['continuous', 'score'],
  ] as const)('%s %s: trains on gmm3, the score points to the modes, and the file round-trips', (name, kind) => {
    const n = 4000,
      buf = datasetSample(core, 'gmm3', core.rng(1), n);
    const loss =
      name === 'ncsn'
        ? { name, sigmas: [1, 0.5, 0.25, 0.1] }
        : name === 'continuous'
          ? { name, sde: 've' as const, sigmaMax: 2 }
          : { name };
    const { model, losses } = trainScoreModel(
      core,
      { data: buf.toArray(), rows: n, cols: 2 },
      { hidden: [32, 32], steps: 800, lr: 3e-3, loss, kind, seed: 2 },
    );
    buf.free();
    expect(model.spec.kind).toBe(kind);
    // Noise-conditional score networks in 2-D are preconditioned by default, energy networks embed and scale.
    expect(model.spec.conditioning).toBe(name === 'ncsn' || name === 'continuous' ? (kind === 'score' ? 'fourier' : 'both') : 'none');
    expect(losses.every(Number.isFinite)).toBe(true);
    // Between two modes the score points to the nearer one: at (-2, -0.5), towards (-2, -2).
    const s = model.score({ data: [-2, -0.8, 0.8, 2], rows: 2, cols: 2 });
    expect(s[1]).toBeLessThan(0); // (-2, -0.8): down towards (-2, -2)
    expect(s[2]).toBeGreaterThan(0); // (0.8, 2): right towards (2, 2)
    const back = decodeModel(core, encodeModel(model), 'm.safetensors');
    expect(Array.from(back.score({ data: [-2, -0.8, 0.8, 2], rows: 2, cols: 2 }))).toEqual(Array.from(s));
    if (kind === 'energy')
      expect(back.energy({ data: [-2, -2, 0, 0], rows: 2, cols: 2 })[0]).toBeLessThan(
        back.energy({ data: [-2, -2, 0, 0], rows: 2, cols: 2 })[1],
      );
    model.free();
    back.free();
  });
});

describe('sampleLangevin', () => {
  it('samples the model distribution: Gaussian variance std^2 (1 + sigma^2) / (1 - alpha/4), then denoised to about std^2', () => {
    const data = gaussian(8000, [3, -1], 2, 6);
    const sigma = 0.5,
      alpha = 0.05;
    const { model } = trainScoreModel(core, data, { hidden: [], steps: 3000, batch: 256, lr: 1e-2, loss: { name: 'dsm', sigma }, seed: 3 });
    const blurred = sampleLangevin(model, { n: 20000, steps: 400, stepSize: alpha, seed: 1, denoise: false });
    // The default final step x + sigma^2 s / 2 (probability flow) maps the blurred variance V = 1 + sigma^2
    // (standardised) to V (1 - sigma^2 / 2V)^2 = 1.0125 for sigma = 0.5; Tweedie's step would give 0.8.
    const denoised = sampleLangevin(model, { n: 20000, steps: 400, stepSize: alpha, seed: 1 });
    const V = 1 + sigma ** 2;
    for (const [x, factor] of [
      [blurred, V],
      [denoised, V * (1 - sigma ** 2 / (2 * V)) ** 2],
    ] as const)
      for (const k of [0, 1]) {
        const v = x.filter((_, i) => i % 2 === k);
        const m = v.reduce((s, a) => s + a, 0) / v.length;
        const variance = v.reduce((s, a) => s + (a - m) ** 2, 0) / v.length;
        const target = (model.normalization.std[k] ** 2 * factor) / (1 - alpha / 4);
        expect(Math.abs(m - model.normalization.mean[k])).toBeLessThan(0.1);
        expect(Math.abs(variance / target - 1)).toBeLessThan(0.06);
      }
    model.free();
  });

  it('is reproducible for a seed and refuses bad options', () => {
    const { model } = trainScoreModel(core, gaussian(300, [0, 0], 1, 7), { hidden: [8], steps: 20 });
    const a = sampleLangevin(model, { n: 33, steps: 10, seed: 4 }),
      b = sampleLangevin(model, { n: 33, steps: 10, seed: 4 });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(() => sampleLangevin(model, { n: 0 })).toThrow('sample: n must be an integer between 1 and 1000000000, got 0');
    expect(() => sampleLangevin(model, { n: 1, stepSize: 0 })).toThrow(/step size must be a finite number > 0/);
    expect(() => sampleLangevin(model, { n: 1, init: 'box' as 'uniform' })).toThrow("unknown init 'box'; valid: gaussian, uniform, prior");
    expect(() => sampleLangevin(model, { n: 10, steps: 50, stepSize: 1e6 })).toThrow(/sampling diverged/);
    model.free();
  });
});

describe('Trainer', () => {
  it('gives the same model bytes whether run at once, in pieces, or restored from a saved state', () => {
    const data = gaussian(500, [1, 2], 1.5, 9);
    const o = { hidden: [16, 16], steps: 60, seed: 5, loss: { name: 'ssm', slices: 2 } as const, kind: 'energy' as const };
    const once = trainScoreModel(core, data, o).model;
    const pieces = new Trainer(core, data, o);
    pieces.run(17);
    const saved = pieces.state(),
      params = pieces.params.toArray();
    pieces.run(43);
    const resumed = new Trainer(core, data, o);
    resumed.restore(saved, params);
    resumed.run(43);
    const a = Buffer.from(encodeModel(once)),
      b = Buffer.from(encodeModel(pieces.model)),
      c = Buffer.from(encodeModel(resumed.model));
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(true);
    expect(Array.from(resumed.losses)).toEqual(Array.from(pieces.losses));
  });

  it('trains without standardisation when asked (noise levels in data units)', () => {
    const { model } = trainScoreModel(core, gaussian(300, [10, -10], 3, 10), { hidden: [8], steps: 5, standardize: false });
    expect(model.normalization).toEqual({ mean: [0, 0], std: [1, 1] });
  });
});

describe('the moving average of the weights (Song & Ermon 2020, technique 5)', () => {
  it('warms up so short runs average their own steps: min(m, (1 + t) / (10 + t))', () => {
    expect(averageDecay(0.999, 0)).toBeCloseTo(0.1, 15);
    expect(averageDecay(0.999, 90)).toBeCloseTo(0.91, 15);
    expect(averageDecay(0.999, 100_000)).toBe(0.999);
  });

  it('the model holds m * average + (1 - m) * weights after every step, in f32, bit for bit', () => {
    const data = gaussian(400, [0, 0], 1, 11);
    const t = new Trainer(core, data, { hidden: [8], steps: 12, seed: 2, ema: 0.9 });
    expect(t.params).not.toBe(t.model.params);
    const average = Float32Array.from(t.model.params.view);
    expect(Array.from(average)).toEqual(Array.from(t.params.view)); // both start at the initial weights
    for (let step = 0; step < 12; step++) {
      t.run(1);
      const m = averageDecay(0.9, step),
        a = Math.fround(m),
        b = Math.fround(1 - m);
      const w = t.params.view;
      for (let i = 0; i < average.length; i++) average[i] = Math.fround(Math.fround(a * average[i]) + Math.fround(b * w[i]));
      expect(Array.from(t.model.params.view)).toEqual(Array.from(average));
    }
    expect(t.model.training!.ema).toBe(0.9);
    t.free();
    t.model.free();
  });

  it('does not change what is trained; ema 0 keeps the last weights and records no average', () => {
    const data = gaussian(400, [0, 0], 1, 12);
    const run = (ema: number) => {
      const t = new Trainer(core, data, { hidden: [8, 8], steps: 40, seed: 3, ema });
      t.run(40);
      const trained = t.params.toArray(),
        held = t.model.params.toArray(),
        record = t.model.training;
      t.free();
      t.model.free();
      return { trained, held, record };
    };
    const on = run(0.999),
      off = run(0);
    expect(Array.from(on.trained)).toEqual(Array.from(off.trained));
    expect(Array.from(off.held)).toEqual(Array.from(off.trained));
    expect(Array.from(on.held)).not.toEqual(Array.from(on.trained));
    expect(off.record!.ema).toBeUndefined();
    expect(() => new Trainer(core, data, { ema: 1 })).toThrow('train: ema must be a number in [0, 1), got 1');
  });

  it('a checkpoint keeps the trained weights and their average: resuming gives the same model bytes', () => {
    const data = gaussian(500, [1, 2], 1.5, 13);
    const o = { hidden: [16], steps: 50, seed: 6, loss: { name: 'ncsn' } as const };
    const whole = new Trainer(core, data, o);
    whole.run(50);
    const first = new Trainer(core, data, o);
    first.run(20);
    const ckpt = decodeCheckpoint(encodeCheckpoint(first, 'cfg'), 'c.ckpt');
    expect(ckpt.state.averaged).toBeDefined();
    expect(Array.from(ckpt.params)).toEqual(Array.from(first.params.view));
    const resumed = new Trainer(core, data, o);
    resumed.restore(ckpt.state, ckpt.params);
    resumed.run(30);
    expect(Buffer.from(encodeModel(resumed.model)).equals(Buffer.from(encodeModel(whole.model)))).toBe(true);
    const plain = new Trainer(core, data, { ...o, ema: 0 });
    expect(() => plain.restore(ckpt.state, ckpt.params)).toThrow('train: saved state has averaged weights, this run keeps none');
    for (const t of [whole, first, resumed, plain]) {
      t.free();
      t.model.free();
    }
  });
});

describe('learning-rate schedules', () => {
  it("linear-tail: the rate for the first half of the steps, then linearly to 0; recorded in the model, 'none' not", () => {
    const data = gaussian(200, [0, 0], 1, 3);
    const tail = new Trainer(core, data, { hidden: [4], loss: { name: 'dsm', sigma: 0.3 }, steps: 10, lr: 0.01 });
    const rates = Array.from({ length: 11 }, (_, s) => tail.learningRate(s));
    [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.008, 0.006, 0.004, 0.002, 0].forEach((r, s) => expect(rates[s]).toBeCloseTo(r, 15));
    expect(tail.model.training!.lrDecay).toBe('linear-tail');
    const none = new Trainer(core, data, { hidden: [4], loss: { name: 'dsm', sigma: 0.3 }, steps: 10, lr: 0.01, lrDecay: 'none' });
    expect([none.learningRate(0), none.learningRate(9), none.model.training!.lrDecay]).toEqual([0.01, 0.01, undefined]);
    // The model file keeps the schedule.
    expect(decodeModel(core, encodeModel(tail.model)).training!.lrDecay).toBe('linear-tail');
    expect(() => new Trainer(core, data, { hidden: [4], lrDecay: 'step' as never })).toThrow(
      "train: unknown lr decay 'step'; valid: none, cosine, linear-tail",
    );
    for (const x of [tail, none]) {
      x.free();
      x.model.free();
    }
  });
});

describe('noise levels and steps from the data', () => {
  it('records the ladder it chose in the model and trains noise-conditional objectives longer by default', () => {
    const data = gaussian(1000, [5, -3], 2, 14);
    const t = new Trainer(core, data, { hidden: [8], loss: { name: 'ncsn' } });
    expect(t.options.steps).toBe(15_000);
    expect([defaultHidden(2, { name: 'ncsn' }), defaultHidden(5, { name: 'ncsn' }), defaultHidden(784, { name: 'ncsn' })]).toEqual([
      [64, 64, 64],
      [128, 128, 128],
      [256, 256, 256],
    ]);
    expect(t.ladder).toBeDefined();
    const loss = t.model.training!.loss;
    expect(loss.name === 'ncsn' && loss.sigmas[0]).toBeCloseTo(t.ladder!.sigmaMax, 12);
    expect(loss.name === 'ncsn' && loss.sigmas.length).toBe(t.ladder!.levels);
    const plain = new Trainer(core, data, { hidden: [8], loss: { name: 'dsm', sigma: 0.2 } });
    // dsm: the other objectives' 3000 steps at a constant rate, then 3000 that decay it (defaultLrDecay).
    expect(plain.options.steps).toBe(6000);
    expect(plain.options.lrDecay).toBe('linear-tail');
    const esm = new Trainer(core, data, { hidden: [8], loss: { name: 'esm' } });
    expect([esm.options.steps, esm.options.lrDecay, t.options.lrDecay]).toEqual([3000, 'none', 'none']);
    esm.free();
    esm.model.free();
    expect(defaultHidden(2, { name: 'dsm' })).toEqual([128, 128, 128]);
    // Batches: 256 points for noise-conditional objectives up to 4 dimensions, 128 otherwise; a given batch is kept.
    expect([t.options.batch, plain.options.batch]).toEqual([256, 128]);
    expect([defaultBatch({ name: 'continuous' }, 4), defaultBatch({ name: 'ncsn' }, 5), defaultBatch({ name: 'dsm' }, 2)]).toEqual([
      256, 128, 128,
    ]);
    const given = new Trainer(core, data, { hidden: [8], loss: { name: 'ncsn' }, batch: 64 });
    expect(given.options.batch).toBe(64);
    given.free();
    given.model.free();
    expect(plain.ladder).toBeUndefined();
    for (const x of [t, plain]) {
      x.free();
      x.model.free();
    }
  });
});
