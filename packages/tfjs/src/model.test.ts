import { describe, expect, it } from 'vitest';
import {
  tf,
  ACTIVATIONS,
  dataDim,
  energy,
  energyOf,
  mlp,
  noiseEmbedding,
  paramCount,
  score,
  scoreDivergenceOf,
  scoreJacobianOf,
  scoreOf,
  scoreVjp,
  vjp,
  type Conditioning,
  type NetSpec,
} from './index.js';
import { embed64, energy64, jacobian64, mlp64, mlpInputGrad64, output64, score64 } from './testing/ref64.js';
import { Rng, randomParams, testFourier, testGaussian, testMixture } from './testing/rng.js';

const CONDITIONINGS: Conditioning[] = ['none', 'embed', 'scale', 'both', 'precond', 'gaussian', 'fourier', 'mixture'];
const BATCHES = [1, 3, 5, 17];

function specFor(kind: 'score' | 'energy', act: NetSpec['activation'], conditioning: Conditioning, d = 2, hidden = [5, 3]): NetSpec {
  const din = d + (conditioning === 'none' || conditioning === 'scale' ? 0 : 7) + (conditioning === 'fourier' ? 6 : 0);
  const spec: NetSpec = { kind, activation: act, conditioning, dims: [din, ...hidden, kind === 'score' ? d : 1] };
  if (conditioning === 'fourier') return { ...spec, fourier: testFourier(d) };
  if (conditioning === 'mixture') return { ...spec, mixture: testMixture(d) };
  return conditioning === 'gaussian' ? { ...spec, gaussian: testGaussian(d) } : spec;
}

function relClose(got: number, want: number, rel: number, floor: number): boolean {
  return Math.abs(got - want) <= rel * Math.max(Math.abs(want), floor);
}

describe('shapes and conventions', () => {
  it('paramCount sums W and b of every layer', () => {
    expect(paramCount([2, 5, 3, 2])).toBe(2 * 5 + 5 + 5 * 3 + 3 + 3 * 2 + 2);
    expect(paramCount([4, 4])).toBe(20);
    expect(() => paramCount([3])).toThrow(/at least 2 widths/);
    expect(() => paramCount([3, 0])).toThrow(/positive integers/);
  });

  it('dataDim validates the spec', () => {
    expect(dataDim(specFor('score', 'silu', 'embed', 3))).toBe(3);
    expect(dataDim(specFor('energy', 'tanh', 'none', 4))).toBe(4);
    expect(() => dataDim({ kind: 'score', dims: [2, 5, 3], activation: 'silu', conditioning: 'none' })).toThrow(/dims\[last\] = 2, got 3/);
    expect(() => dataDim({ kind: 'energy', dims: [2, 5, 2], activation: 'silu', conditioning: 'none' })).toThrow(/dims\[last\] = 1/);
    expect(() => dataDim({ kind: 'score', dims: [7, 5, 3], activation: 'silu', conditioning: 'embed' })).toThrow(/no data dimension/);
    expect(() => dataDim({ kind: 'score', dims: [2, 2], activation: 'relu' as 'silu', conditioning: 'none' })).toThrow(/activation/);
    expect(() => dataDim({ kind: 'score', dims: [2, 2], activation: 'silu', conditioning: 'x' as 'none' })).toThrow(/conditioning/);
    expect(() => dataDim({ kind: 'flow' as 'score', dims: [2, 2], activation: 'silu', conditioning: 'none' })).toThrow(/kind/);
    expect(dataDim(specFor('score', 'silu', 'precond', 3))).toBe(3);
    expect(() => dataDim(specFor('energy', 'silu', 'precond', 3))).toThrow(/'precond' is for score models/);
  });

  it('the flat layout is input-major W then b per layer (y = x W + b)', () => {
    // dims [2, 3]: W = [[1, 2, 3], [4, 5, 6]], b = [10, 20, 30]
    const params = tf.tensor1d([1, 2, 3, 4, 5, 6, 10, 20, 30]);
    const y = mlp({ dims: [2, 3], activation: 'tanh' }, params, tf.tensor2d([[1, -1]]));
    expect(Array.from(y.dataSync())).toEqual([1 - 4 + 10, 2 - 5 + 20, 3 - 6 + 30]);
    tf.dispose([params, y]);
  });

  it('noiseEmbedding is [l, sin(l/2), cos(l/2), sin l, cos l, sin 2l, cos 2l] with l = ln sigma', () => {
    const sig = [0.01, 0.37, 1, 2.5, 80];
    const got = noiseEmbedding(sig);
    expect(got.shape).toEqual([5, 7]);
    const data = got.dataSync();
    sig.forEach((s, b) =>
      embed64(Math.fround(s)).forEach((v, k) => expect(Math.abs(data[b * 7 + k]! - v)).toBeLessThan(3e-6 * Math.max(1, Math.abs(v)))),
    );
    got.dispose();
    const one = noiseEmbedding(1);
    expect(Array.from(one.dataSync())).toEqual([0, 0, 1, 0, 1, 0, 1]);
    one.dispose();
  });

  it('conditioned models require sigma, and shapes are checked', () => {
    const spec = specFor('score', 'silu', 'scale');
    const p = randomParams(spec.dims, new Rng(1));
    expect(() => scoreOf(spec, p, [0, 0], 1)).toThrow(/needs sigma/);
    expect(() => scoreOf(spec, p, [0, 0, 0], 1, 1)).toThrow(/x must hold 2 values/);
    expect(() => scoreOf(spec, p.subarray(1), [0, 0], 1, 1)).toThrow(/params must hold/);
    expect(() => energyOf(spec, p, [0, 0], 1, 1)).toThrow(/needs an energy model/);
  });
});

describe('forward pass and score against the float64 reference', () => {
  let seed = 100;
  for (const kind of ['score', 'energy'] as const) {
    for (const act of ACTIVATIONS) {
      for (const cond of CONDITIONINGS) {
        // preconditioning, the Gaussian and mixture skips and the Fourier features are for score models (refused below)
        if (kind === 'energy' && ['precond', 'gaussian', 'fourier', 'mixture'].includes(cond)) continue;
        const B = BATCHES[seed % 4]!;
        const mySeed = seed++;
        it(`${kind} / ${act} / ${cond}, batch ${B}`, () => {
          const rng = new Rng(mySeed);
          const spec = specFor(kind, act, cond);
          const d = 2;
          const params = randomParams(spec.dims, rng);
          const x = rng.normals(B * d);
          const sigma = rng.uniforms(B, 0.1, 3);
          const sig = cond === 'none' ? undefined : sigma;
          const row = (b: number) => Array.from(x.subarray(b * d, b * d + d));
          // raw network f vs the float64 forward pass
          tf.tidy(() => {
            const input = Float32Array.from({ length: B * spec.dims[0]! }, (_, k) => rng.normal());
            const f = mlp(spec, tf.tensor1d(params), tf.tensor2d(input, [B, spec.dims[0]!])).dataSync();
            for (let b = 0; b < B; b++) {
              const want = mlp64(spec.dims, act, params, Array.from(input.subarray(b * spec.dims[0]!, (b + 1) * spec.dims[0]!)));
              want.forEach((w, k) => expect(relClose(f[b * want.length + k]!, w, 1e-5, 1)).toBe(true));
            }
          });
          const s = scoreOf(spec, params, x, B, sig);
          for (let b = 0; b < B; b++) {
            const sg = sig ? sig[b]! : 1;
            if (kind === 'energy') {
              const e = energyOf(spec, params, x, B, sig);
              expect(relClose(e[b]!, energy64(spec, params, row(b), sg), 1e-5, 1)).toBe(true);
              // s = -grad_x E by central differences of the float64 energy
              const h = 1e-5;
              for (let i = 0; i < d; i++) {
                const at = (t: number) =>
                  energy64(
                    spec,
                    params,
                    row(b).map((v, k) => (k === i ? v + t : v)),
                    sg,
                  );
                const fd = -(at(h) - at(-h)) / (2 * h);
                expect(relClose(s[b * d + i]!, fd, 1e-4, 1)).toBe(true);
              }
            } else {
              const want = output64(spec, params, row(b), sg);
              want.forEach((w, i) => expect(relClose(s[b * d + i]!, w, 1e-5, 1)).toBe(true));
            }
          }
          // Jacobian and divergence vs finite differences of the float64 score
          const J = scoreJacobianOf(spec, params, x, B, sig);
          const div = scoreDivergenceOf(spec, params, x, B, sig);
          for (let b = 0; b < B; b++) {
            const Jw = jacobian64(spec, params, row(b), sig ? sig[b]! : 1);
            let tr = 0;
            for (let i = 0; i < d; i++) {
              tr += Jw[i]![i]!;
              for (let j = 0; j < d; j++) expect(relClose(J[(b * d + i) * d + j]!, Jw[i]![j]!, 1e-4, 1)).toBe(true);
            }
            expect(relClose(div[b]!, tr, 1e-4, 1)).toBe(true);
            if (kind === 'energy')
              for (let i = 0; i < d; i++)
                for (let j = 0; j < i; j++) expect(J[(b * d + i) * d + j]).toBeCloseTo(J[(b * d + j) * d + i]!, 5);
          }
        });
      }
    }
  }

  it('the float64 reference input gradient matches finite differences of the float64 forward pass', () => {
    const rng = new Rng(7);
    for (const act of ACTIVATIONS) {
      const dims = [4, 6, 5, 3];
      const params = randomParams(dims, rng);
      const input = Array.from(rng.normals(4));
      const gOut = Array.from(rng.normals(3));
      const g = mlpInputGrad64(dims, act, params, input, gOut);
      const h = 1e-5;
      for (let i = 0; i < 4; i++) {
        const at = (t: number) =>
          mlp64(
            dims,
            act,
            params,
            input.map((v, k) => (k === i ? v + t : v)),
          ).reduce((a, v, k) => a + v * gOut[k]!, 0);
        expect(Math.abs(g[i]! - (at(h) - at(-h)) / (2 * h))).toBeLessThan(1e-8);
      }
    }
  });

  it('a wider model with d = 3 matches too', () => {
    const rng = new Rng(11);
    for (const kind of ['score', 'energy'] as const) {
      const spec: NetSpec = { kind, activation: 'silu', conditioning: 'both', dims: [10, 8, 6, 4, kind === 'score' ? 3 : 1] };
      const params = randomParams(spec.dims, rng);
      const B = 5;
      const x = rng.normals(B * 3);
      const sig = rng.uniforms(B, 0.2, 2);
      const s = scoreOf(spec, params, x, B, sig);
      for (let b = 0; b < B; b++) {
        const want = score64(spec, params, Array.from(x.subarray(b * 3, b * 3 + 3)), sig[b]!);
        want.forEach((w, i) => expect(relClose(s[b * 3 + i]!, w, 1e-5, 1)).toBe(true));
      }
    }
  });
});

describe('tensor-level model functions', () => {
  it('score, energy, scoreVjp and vjp compose and leave no tensors behind', () => {
    const rng = new Rng(3);
    const spec = specFor('energy', 'softplus', 'both');
    const params = randomParams(spec.dims, rng);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const p = tf.tensor1d(params);
      const x = tf.tensor2d(rng.normals(6), [3, 2]);
      const sigma = tf.tensor1d([0.5, 1, 2]);
      const s = score(spec, p, x, sigma);
      expect(s.shape).toEqual([3, 2]);
      expect(energy(spec, p, x, sigma).shape).toEqual([3]);
      const v = tf.tensor2d(rng.normals(6), [3, 2]);
      const jv = scoreVjp(spec, p, x, v, sigma).arraySync();
      const J = scoreJacobianOf(spec, params, x.dataSync(), 3, sigma.dataSync());
      const vv = v.arraySync();
      for (let b = 0; b < 3; b++)
        for (let j = 0; j < 2; j++) {
          const want = J[(b * 2 + 0) * 2 + j]! * vv[b]![0]! + J[(b * 2 + 1) * 2 + j]! * vv[b]![1]!;
          expect(jv[b]![j]).toBeCloseTo(want, 5);
        }
      // A function that does not depend on x: zeros instead of tf.grad's error.
      expect(Array.from(vjp(() => tf.scalar(1), x).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
      // sigma as a number broadcasts
      const s1 = score(spec, p, x, 1.5).dataSync();
      const s2 = score(spec, p, x, tf.tensor1d([1.5, 1.5, 1.5])).dataSync();
      expect(Array.from(s1)).toEqual(Array.from(s2));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
