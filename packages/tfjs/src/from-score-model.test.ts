// fromScoreModel against the model itself: ScoreModel.score and .energy (the WASM core) at the same points,
// for score and energy networks with and without noise conditioning, at the default and another noise level,
// on the cpu and wasm backends; with standardisation that is not the identity, so the data-unit mapping shows.
import '@tensorflow/tfjs-backend-wasm';
import { loadCore, type Core } from '@scorefield/core-math';
import { trainScoreModel, type ScoreModel } from '@scorefield/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromScoreModel, tf, useBackend } from './index.js';

/** max |a - b| / max |b|. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

const n = 50;
/** Data with means far from 0 and unequal spreads (std about 3 and 0.5). */
function data(): Float32Array {
  return Float32Array.from({ length: 400 * 2 }, (_, i) => (i % 2 === 0 ? 5 + 3 * Math.sin(1.7 * i) : -2 + 0.5 * Math.cos(2.3 * i)));
}
const points = Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? 5 + 4 * Math.sin(0.9 * i) : -2 + Math.cos(1.1 * i)));

let core: Core;
const models: Record<string, ScoreModel> = {};
beforeAll(async () => {
  core = await loadCore();
  const x = { data: data(), rows: 400, cols: 2 };
  for (const kind of ['score', 'energy'] as const) {
    const base = { steps: 30, hidden: [16, 16], seed: 1, kind };
    models[`${kind}, none`] = trainScoreModel(core, x, { ...base, loss: { name: 'dsm', sigma: 0.2 } }).model;
    // conditioning 'both' (energy models' default; score models' low-dimensional default 'fourier' is below).
    models[`${kind}, both`] = trainScoreModel(core, x, {
      ...base,
      loss: { name: 'ncsn', sigmas: [1, 0.3, 0.1] },
      conditioning: 'both',
    }).model;
  }
  const precond = { steps: 30, hidden: [16, 16], seed: 1, conditioning: 'precond' as const };
  models['score, precond'] = trainScoreModel(core, x, { ...precond, loss: { name: 'ncsn', sigmas: [1, 0.3, 0.1] } }).model;
  const fourier = { ...precond, conditioning: 'fourier' as const };
  models['score, fourier'] = trainScoreModel(core, x, { ...fourier, loss: { name: 'ncsn', sigmas: [1, 0.3, 0.1] } }).model;
});
afterAll(() => {
  for (const m of Object.values(models)) m.free();
});

describe.each(['cpu', 'wasm'])('fromScoreModel on the %s backend', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    // tfjs's test-mode check of the backend's internal data ids trips on the wasm backend's gradient kernels;
    // the tensors themselves are counted below.
    tf.env().set('IS_TEST', backend === 'cpu');
  });
  afterAll(async () => {
    tf.env().set('IS_TEST', true);
    await useBackend('cpu');
  });

  it.each(['score, none', 'score, both', 'score, precond', 'score, fourier', 'energy, none', 'energy, both'])(
    '%s: score and energy in data units equal the model',
    (key) => {
      const model = models[key];
      const t = fromScoreModel(model);
      const x = tf.tensor2d(points, [n, 2]);
      const before = tf.memory().numTensors;
      for (const sigma of [undefined, 0.5]) {
        const s = t.score(x, sigma);
        expect(s.shape).toEqual([n, 2]);
        expect(relError(s.dataSync(), model.score({ data: points, rows: n, cols: 2 }, sigma))).toBeLessThan(1e-4);
        s.dispose();
        if (model.spec.kind === 'energy') {
          const e = t.energy(x, sigma);
          expect(relError(e.dataSync(), model.energy({ data: points, rows: n, cols: 2 }, sigma))).toBeLessThan(1e-4);
          e.dispose();
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(t.sigma).toBe(model.defaultSigma);
      x.dispose();
      t.dispose();
    },
  );
});
