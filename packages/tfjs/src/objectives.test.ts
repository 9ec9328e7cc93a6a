import { describe, expect, it } from 'vitest';
import {
  tf,
  ACTIVATIONS,
  OBJECTIVES,
  objectiveLoss,
  objectiveLossAndGrad,
  objectiveValue,
  objectiveValueAndGrad,
  paramCount,
  inputTensors,
  scoreJacobianOf,
  scoreOf,
  type Conditioning,
  type NetSpec,
  type Objective,
  type ObjectiveInputs,
} from './index.js';
import { jacobian64, kinkStats, objective64, recorder, score64 } from './testing/ref64.js';
import { Rng, randomParams, testFourier, testGaussian } from './testing/rng.js';

const CONDITIONINGS: Conditioning[] = ['none', 'embed', 'scale', 'both', 'precond', 'gaussian', 'fourier'];
const BATCHES = [1, 3, 5, 17];

function specFor(kind: 'score' | 'energy', act: NetSpec['activation'], conditioning: Conditioning, d = 2, hidden = [5, 3]): NetSpec {
  const din = d + (conditioning === 'none' || conditioning === 'scale' ? 0 : 7) + (conditioning === 'fourier' ? 6 : 0);
  const spec: NetSpec = { kind, activation: act, conditioning, dims: [din, ...hidden, kind === 'score' ? d : 1] };
  if (conditioning === 'fourier') return { ...spec, fourier: testFourier(d) };
  return conditioning === 'gaussian' ? { ...spec, gaussian: testGaussian(d) } : spec;
}

/**
 * Random inputs for an objective: x ~ N(0, 1), v ~ N(0, I), z ~ N(0, I), sigma log-uniform in [0.2, 3], alpha in [0.3, 1],
 * lambda ~ sigma^2.
 */
function randomInputs(rng: Rng, objective: Objective, spec: NetSpec, d: number, batch: number, slices: number): ObjectiveInputs {
  const inputs: ObjectiveInputs = { x: rng.normals(batch * d), batch };
  const sigma = Float32Array.from({ length: batch }, () => Math.exp(Math.log(0.2) + (Math.log(3) - Math.log(0.2)) * rng.uniform()));
  if (objective === 'ssm' || objective === 'ssm-vr') {
    inputs.v = rng.normals(slices * batch * d);
    inputs.slices = slices;
  }
  if (objective === 'denoising') {
    inputs.z = rng.normals(batch * d);
    inputs.alpha = rng.uniforms(batch, 0.3, 1);
    inputs.lambda = Float32Array.from(sigma, (s) => s * s * (0.5 + rng.uniform()));
  }
  if (objective === 'denoising' || spec.conditioning !== 'none') inputs.sigma = sigma;
  return inputs;
}

/** Central differences of the float64 loss at `count` coordinates; for elu, skips coordinates whose step crosses a kink. */
function fdGradient(
  spec: NetSpec,
  params: Float32Array,
  objective: Objective,
  inputs: ObjectiveInputs,
  d: number,
  rng: Rng,
  count: number,
  h = 1e-4,
) {
  const p = Float64Array.from(params);
  const order = Array.from({ length: p.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const coords: number[] = [];
  const values: number[] = [];
  let skipped = 0;
  for (const k of order) {
    if (coords.length === count) break;
    const base = p[k]!;
    p[k] = base + h;
    recorder.signs = [];
    const lp = objective64(spec, p, objective, inputs, d).loss;
    const sp = recorder.signs.join('');
    p[k] = base - h;
    recorder.signs = [];
    const lm = objective64(spec, p, objective, inputs, d).loss;
    const sm = recorder.signs.join('');
    recorder.signs = null;
    p[k] = base;
    if (spec.activation === 'elu' && sp !== sm) {
      skipped++;
      continue;
    }
    coords.push(k);
    values.push((lp - lm) / (2 * h));
  }
  return { coords, values, skipped };
}

const worst = { loss: 0, grad: 0 };

describe('objectives against the float64 reference (value and parameter gradient)', () => {
  let seed = 1000;
  for (const objective of OBJECTIVES) {
    for (const kind of ['score', 'energy'] as const) {
      for (const act of ACTIVATIONS) {
        for (const cond of CONDITIONINGS) {
          // preconditioning, the Gaussian skip and the Fourier features are for score models
          if (kind === 'energy' && (cond === 'precond' || cond === 'gaussian' || cond === 'fourier')) continue;
          const mySeed = seed++;
          const B = BATCHES[mySeed % 4]!;
          const M = mySeed % 2 === 0 ? 1 : 3;
          const name = `${objective} / ${kind} / ${act} / ${cond}, batch ${B}${objective.startsWith('ssm') ? `, ${M} projections` : ''}`;
          it(name, () => {
            const rng = new Rng(mySeed);
            const d = 2;
            const spec = specFor(kind, act, cond, d);
            const params = randomParams(spec.dims, rng);
            const inputs = randomInputs(rng, objective, spec, d, B, M);
            const before = tf.memory().numTensors;
            const { loss, grad } = objectiveLossAndGrad(spec, params, objective, inputs);
            expect(tf.memory().numTensors).toBe(before);
            expect(grad.length).toBe(paramCount(spec.dims));

            const ref = objective64(spec, params, objective, inputs, d);
            const lossErr = Math.abs(loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-2 * ref.scale);
            worst.loss = Math.max(worst.loss, lossErr);
            expect(lossErr, `loss ${loss} vs float64 ${ref.loss}`).toBeLessThanOrEqual(1e-3);
            expect(objectiveValue(spec, params, objective, inputs)).toBeCloseTo(loss, 5);

            const fd = fdGradient(spec, params, objective, inputs, d, rng, 20);
            expect(fd.coords.length).toBe(20);
            const gmax = Math.max(...Array.from(grad, Math.abs));
            fd.coords.forEach((k, n) => {
              const err = Math.abs(grad[k]! - fd.values[n]!) / Math.max(Math.abs(fd.values[n]!), 1e-2 * gmax);
              worst.grad = Math.max(worst.grad, err);
              expect(err, `d loss / d params[${k}]: tfjs ${grad[k]} vs float64 FD ${fd.values[n]}`).toBeLessThanOrEqual(2e-3);
            });
          });
        }
      }
    }
  }

  it('deeper and wider models with d = 3 (every objective, energy and score)', () => {
    const rng = new Rng(77);
    for (const objective of OBJECTIVES) {
      for (const kind of ['score', 'energy'] as const) {
        const d = 3;
        const spec = specFor(kind, 'silu', 'both', d, [8, 6, 5]);
        const params = randomParams(spec.dims, rng);
        const inputs = randomInputs(rng, objective, spec, d, 5, 2);
        const { loss, grad } = objectiveLossAndGrad(spec, params, objective, inputs);
        const ref = objective64(spec, params, objective, inputs, d);
        expect(Math.abs(loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-2 * ref.scale)).toBeLessThanOrEqual(1e-3);
        const fd = fdGradient(spec, params, objective, inputs, d, rng, 12);
        const gmax = Math.max(...Array.from(grad, Math.abs));
        fd.coords.forEach((k, n) => {
          expect(Math.abs(grad[k]! - fd.values[n]!) / Math.max(Math.abs(fd.values[n]!), 1e-2 * gmax)).toBeLessThanOrEqual(2e-3);
        });
      }
    }
  });

  it('reports the worst errors', () => {
    console.log(
      `worst relative errors: loss ${worst.loss.toExponential(2)}, gradient ${worst.grad.toExponential(2)}; FD stencil kink fallbacks ` +
        `${kinkStats.stencilFallbacks}`,
    );
    expect(worst.loss).toBeLessThanOrEqual(1e-3);
  });
});

describe('known answers', () => {
  for (const B of BATCHES) {
    it(`esm and ssm of a linear score model s = x W + b (batch ${B})`, () => {
      // s(x) = W^T x + b, grad_x s = W^T: esm = tr(W) + mean_b 1/2 ||r_b||^2 with r_b = x_b W + b;
      // d esm / dW_ij = delta_ij + mean_b x_bi r_bj, d esm / db_j = mean_b r_bj.
      const d = 3;
      const rng = new Rng(500 + B);
      const spec: NetSpec = { kind: 'score', dims: [d, d], activation: 'tanh', conditioning: 'none' };
      const params = rng.normals(d * d + d);
      const x = rng.normals(B * d);
      const W = (i: number, j: number) => params[i * d + j]!;
      const bias = (j: number) => params[d * d + j]!;
      const r = Array.from({ length: B }, (_, b) =>
        Array.from({ length: d }, (_, j) => {
          let acc = bias(j);
          for (let i = 0; i < d; i++) acc += x[b * d + i]! * W(i, j);
          return acc;
        }),
      );
      let tr = 0;
      for (let i = 0; i < d; i++) tr += W(i, i);
      const esm = tr + r.reduce((acc, rb) => acc + 0.5 * rb.reduce((a, v) => a + v * v, 0), 0) / B;
      const gW = (i: number, j: number) => (i === j ? 1 : 0) + r.reduce((acc, rb, b) => acc + x[b * d + i]! * rb[j]!, 0) / B;
      const gb = (j: number) => r.reduce((acc, rb) => acc + rb[j]!, 0) / B;
      const got = objectiveLossAndGrad(spec, params, 'esm', { x, batch: B });
      expect(got.loss).toBeCloseTo(esm, 4);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(got.grad[i * d + j]).toBeCloseTo(gW(i, j), 4);
      for (let j = 0; j < d; j++) expect(got.grad[d * d + j]).toBeCloseTo(gb(j), 4);

      // ssm: v^T (grad_x s) v = v^T W v.
      const M = 4;
      const v = rng.normals(M * B * d);
      let ssm = 0;
      for (let m = 0; m < M; m++)
        for (let b = 0; b < B; b++) {
          const vb = (i: number) => v[(m * B + b) * d + i]!;
          let q = 0,
            proj = 0;
          for (let i = 0; i < d; i++) {
            proj += vb(i) * r[b]![i]!;
            for (let j = 0; j < d; j++) q += vb(i) * W(i, j) * vb(j);
          }
          ssm += q + 0.5 * proj * proj;
        }
      expect(objectiveValue(spec, params, 'ssm', { x, batch: B, v })).toBeCloseTo(ssm / (M * B), 4);
    });
  }

  it('esm of a linear energy E = w.x + c is 1/2 ||w||^2 with gradient (w, 0)', () => {
    const spec: NetSpec = { kind: 'energy', dims: [3, 1], activation: 'silu', conditioning: 'none' };
    const params = Float32Array.from([0.5, -1.5, 2, 0.7]);
    const { loss, grad } = objectiveLossAndGrad(spec, params, 'esm', { x: new Float32Array(6).fill(0.3), batch: 2 });
    expect(loss).toBeCloseTo(0.5 * (0.25 + 2.25 + 4), 5);
    expect(Array.from(grad)).toEqual([0.5, -1.5, 2, 0]);
  });

  const gaussianCases = [
    { name: 'variance exploding (alpha 1)', alpha: 1, sigma: 0.7, lambda: 0.49 },
    { name: 'variance preserving (alpha^2 + sigma^2 = 1)', alpha: Math.sqrt(1 - 0.36), sigma: 0.6, lambda: 1 },
    { name: 'small noise', alpha: 1, sigma: 0.1, lambda: 0.01 },
  ];
  for (const c of gaussianCases) {
    it(`denoising with the exact noisy score of a Gaussian reaches the closed-form minimum: ${c.name}`, () => {
      // x ~ N(0, tau^2 I), x~ = alpha x + sigma z ~ N(0, v I), v = alpha^2 tau^2 + sigma^2; exact score -x~ / v.
      // min E lambda/2 ||s(x~) + z/sigma||^2 = lambda/2 (E||z/sigma||^2 - E||x~/v||^2) = lambda d/2 (1/sigma^2 - 1/v).
      const d = 2,
        tau = 1.3,
        B = 20000;
      const rng = new Rng(4242);
      const v = c.alpha ** 2 * tau ** 2 + c.sigma ** 2;
      const spec: NetSpec = { kind: 'score', dims: [d, d], activation: 'elu', conditioning: 'none' };
      const params = Float32Array.from([-1 / v, 0, 0, -1 / v, 0, 0]);
      const inputs: ObjectiveInputs = {
        x: rng.normals(B * d, tau),
        z: rng.normals(B * d),
        batch: B,
        alpha: new Float32Array(B).fill(c.alpha),
        sigma: new Float32Array(B).fill(c.sigma),
        lambda: new Float32Array(B).fill(c.lambda),
      };
      const expected = ((c.lambda * d) / 2) * (1 / c.sigma ** 2 - 1 / v);
      const { loss, grad } = objectiveLossAndGrad(spec, params, 'denoising', inputs);
      // Monte Carlo standard error of the per-sample losses (float64).
      const per: number[] = [];
      for (let b = 0; b < B; b++) {
        let r = 0;
        for (let i = 0; i < d; i++) {
          const z = inputs.z![b * d + i]!;
          const xt = c.alpha * inputs.x[b * d + i]! + c.sigma * z;
          r += (-xt / v + z / c.sigma) ** 2;
        }
        per.push((c.lambda / 2) * r);
      }
      const mean = per.reduce((a, b) => a + b, 0) / B;
      const se = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / (B - 1) / B);
      expect(Math.abs(loss - mean)).toBeLessThan(1e-4 * mean);
      expect(Math.abs(loss - expected)).toBeLessThan(4 * se);
      // The expected gradient vanishes at the minimum: d/dW_ij = mean_b lambda x~_bi r_bj and d/db_j = mean_b lambda r_bj
      // with r_b = s(x~_b) + z_b / sigma. tfjs must match the float64 sample mean, which must be within Monte Carlo noise of 0.
      const contrib: number[][] = Array.from({ length: d * d + d }, () => []);
      for (let b = 0; b < B; b++) {
        const xt = [0, 1].map((i) => c.alpha * inputs.x[b * d + i]! + c.sigma * inputs.z![b * d + i]!);
        const r = [0, 1].map((i) => -xt[i]! / v + inputs.z![b * d + i]! / c.sigma);
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) contrib[i * d + j]!.push(c.lambda * xt[i]! * r[j]!);
        for (let j = 0; j < d; j++) contrib[d * d + j]!.push(c.lambda * r[j]!);
      }
      contrib.forEach((t, k) => {
        const mu = t.reduce((a, q) => a + q, 0) / B;
        const seK = Math.sqrt(t.reduce((a, q) => a + (q - mu) ** 2, 0) / (B - 1) / B);
        expect(Math.abs(grad[k]! - mu)).toBeLessThan(1e-3 * seK + 1e-6);
        expect(Math.abs(mu)).toBeLessThan(4.5 * seK);
      });
      const away = objectiveLossAndGrad(
        spec,
        Float32Array.from(params, (p) => p * 1.3 + 0.05),
        'denoising',
        inputs,
      );
      expect(away.loss).toBeGreaterThan(loss);
    });
  }

  for (const kind of ['score', 'energy'] as const) {
    it(`ssm and ssm-vr with many Gaussian projections approach esm (${kind} model)`, () => {
      const d = 2,
        B = 3,
        M = 4000;
      const rng = new Rng(kind === 'score' ? 31 : 32);
      const spec = specFor(kind, 'softplus', 'none', d);
      const params = randomParams(spec.dims, rng);
      const x = rng.normals(B * d);
      const v = rng.normals(M * B * d);
      const esm = objectiveValue(spec, params, 'esm', { x, batch: B });
      const ssm = objectiveValue(spec, params, 'ssm', { x, batch: B, v });
      const ssmVr = objectiveValue(spec, params, 'ssm-vr', { x, batch: B, v, slices: M });
      // Standard errors of the two Monte Carlo estimates, from the float64 per-projection terms.
      let varSsm = 0,
        varVr = 0;
      for (let b = 0; b < B; b++) {
        const xb = Array.from(x.subarray(b * d, b * d + d));
        const s = score64(spec, params, xb);
        const J = jacobian64(spec, params, xb);
        const t1: number[] = [],
          t2: number[] = [];
        for (let m = 0; m < M; m++) {
          const vv = Array.from(v.subarray((m * B + b) * d, (m * B + b + 1) * d));
          let q = 0,
            proj = 0;
          for (let i = 0; i < d; i++) {
            proj += vv[i]! * s[i]!;
            for (let j = 0; j < d; j++) q += vv[i]! * J[i]![j]! * vv[j]!;
          }
          t1.push(q + 0.5 * proj * proj);
          t2.push(q);
        }
        const variance = (t: number[]) => {
          const mu = t.reduce((a, c) => a + c, 0) / M;
          return t.reduce((a, c) => a + (c - mu) ** 2, 0) / (M - 1);
        };
        varSsm += variance(t1) / M;
        varVr += variance(t2) / M;
      }
      const seSsm = Math.sqrt(varSsm) / B,
        seVr = Math.sqrt(varVr) / B;
      expect(Math.abs(ssm - esm)).toBeLessThan(4 * seSsm);
      expect(Math.abs(ssmVr - esm)).toBeLessThan(4 * seVr);
      expect(seSsm).toBeLessThan(0.05 * Math.max(Math.abs(esm), 0.1));
      // Their parameter gradients approach the esm gradient too.
      const gE = objectiveLossAndGrad(spec, params, 'esm', { x, batch: B }).grad;
      const gV = objectiveLossAndGrad(spec, params, 'ssm-vr', { x, batch: B, v }).grad;
      const diff = Math.hypot(...Array.from(gE, (g, k) => g - gV[k]!));
      expect(diff).toBeLessThan(0.1 * Math.hypot(...Array.from(gE)));
    });
  }
});

describe('API behaviour', () => {
  const spec = specFor('energy', 'tanh', 'both');
  const params = randomParams(spec.dims, new Rng(9));

  it('tensor-level objectiveLoss / objectiveValueAndGrad agree with the flat API and do not leak', () => {
    const rng = new Rng(10);
    for (const objective of OBJECTIVES) {
      const inputs = randomInputs(rng, objective, spec, 2, 5, 2);
      const flat = objectiveLossAndGrad(spec, params, objective, inputs);
      const before = tf.memory().numTensors;
      const t = inputTensors(spec, objective, inputs);
      const p = tf.tensor1d(params);
      const loss = objectiveLoss(spec, p, objective, t);
      const { value, grad } = objectiveValueAndGrad(spec, p, objective, t);
      expect(loss.dataSync()[0]).toBeCloseTo(flat.loss, 6);
      expect(value.dataSync()[0]).toBeCloseTo(flat.loss, 6);
      expect(Array.from(grad.dataSync())).toEqual(Array.from(flat.grad));
      tf.dispose([loss, value, grad, p, ...Object.values(t)]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('the loss tensor is differentiable again (Hessian-vector product of esm w.r.t. the parameters)', () => {
    const rng = new Rng(12);
    const inputs = randomInputs(rng, 'esm', spec, 2, 3, 1);
    const dir = rng.normals(params.length);
    const h = 1e-2;
    const hvp = tf.tidy(() => {
      const t = inputTensors(spec, 'esm', inputs);
      const u = tf.tensor1d(dir);
      const g = (p: tf.Tensor) => tf.grad((q: tf.Tensor) => objectiveLoss(spec, q as tf.Tensor1D, 'esm', t))(p);
      return tf
        .grad((p: tf.Tensor) => tf.sum(tf.mul(g(p), u)))(tf.tensor1d(params))
        .dataSync();
    });
    // central differences of the (tfjs) gradient along dir
    const gp = objectiveLossAndGrad(
      spec,
      Float32Array.from(params, (p, k) => p + h * dir[k]!),
      'esm',
      inputs,
    ).grad;
    const gm = objectiveLossAndGrad(
      spec,
      Float32Array.from(params, (p, k) => p - h * dir[k]!),
      'esm',
      inputs,
    ).grad;
    const fd = Array.from(gp, (g, k) => (g - gm[k]!) / (2 * h));
    const scale = Math.max(...fd.map(Math.abs));
    fd.forEach((f, k) => expect(Math.abs(hvp[k]! - f)).toBeLessThan(2e-2 * scale));
  });

  it('validates its inputs with clear errors', () => {
    const x = new Float32Array(4);
    const sigma = [1, 1];
    expect(() => objectiveLossAndGrad(spec, params, 'esm', { x, batch: 2 })).toThrow(/needs inputs.sigma|sigma is required/);
    expect(() => objectiveLossAndGrad(spec, params, 'esm', { x, batch: 3, sigma })).toThrow(/x has 4 values, expected 6/);
    expect(() => objectiveLossAndGrad(spec, params, 'ssm', { x, batch: 2, sigma })).toThrow(/needs inputs.v/);
    expect(() => objectiveLossAndGrad(spec, params, 'ssm', { x, batch: 2, sigma, v: new Float32Array(6) })).toThrow(/slices/);
    expect(() => objectiveLossAndGrad(spec, params, 'ssm', { x, batch: 2, sigma, v: new Float32Array(8), slices: 3 })).toThrow(
      /v has 8 values, expected 12/,
    );
    expect(() => objectiveLossAndGrad(spec, params, 'denoising', { x, batch: 2, sigma })).toThrow(/z is required/);
    expect(() => objectiveLossAndGrad(spec, params, 'denoising', { x, batch: 2, z: x, sigma: [1, -1] })).toThrow(
      /sigma\[1\] must be positive/,
    );
    expect(() => objectiveLossAndGrad(spec, params, 'denoising', { x, batch: 2, z: x, sigma, alpha: [1] })).toThrow(
      /alpha has 1 values, expected 2/,
    );
    expect(() => objectiveLossAndGrad(spec, params.subarray(1), 'esm', { x, batch: 2, sigma })).toThrow(/params must hold/);
    expect(() => objectiveLossAndGrad(spec, params, 'nce' as Objective, { x, batch: 2, sigma })).toThrow(/unknown objective 'nce'/);
    expect(() => objectiveLossAndGrad(spec, params, 'esm', { x, batch: 0, sigma })).toThrow(/batch must be a positive integer/);
    tf.tidy(() => {
      const p = tf.tensor1d(params);
      expect(() => objectiveLoss(spec, p, 'esm', { x: tf.zeros([2, 3]) as tf.Tensor2D, sigma: tf.ones([2]) as tf.Tensor1D })).toThrow(
        /x must be a \[B, 2\] tensor/,
      );
      expect(() =>
        objectiveLoss(spec, p, 'ssm', {
          x: tf.zeros([2, 2]) as tf.Tensor2D,
          sigma: tf.ones([2]) as tf.Tensor1D,
          v: tf.zeros([3, 1, 2]) as tf.Tensor3D,
        }),
      ).toThrow(/v must have shape \[M, 2, 2\]/);
    });
  });

  it('unconditioned models ignore sigma in esm / ssm; denoising defaults alpha and lambda to 1', () => {
    const sp = specFor('score', 'silu', 'none');
    const p = randomParams(sp.dims, new Rng(13));
    const rng = new Rng(14);
    const x = rng.normals(6);
    expect(objectiveValue(sp, p, 'esm', { x, batch: 3, sigma: [5, 6, 7] })).toBe(objectiveValue(sp, p, 'esm', { x, batch: 3 }));
    const z = rng.normals(6);
    const sigma = [0.5, 1, 2];
    expect(objectiveValue(sp, p, 'denoising', { x, z, sigma, batch: 3 })).toBe(
      objectiveValue(sp, p, 'denoising', { x, z, sigma, batch: 3, alpha: [1, 1, 1], lambda: [1, 1, 1] }),
    );
  });

  it('scoreOf / scoreJacobianOf work on plain number arrays', () => {
    const sp = specFor('score', 'elu', 'none');
    const p = Array.from(randomParams(sp.dims, new Rng(15)));
    expect(scoreOf(sp, p, [0.1, 0.2], 1)).toHaveLength(2);
    expect(scoreJacobianOf(sp, p, [0.1, 0.2, 0.3, 0.4], 2)).toHaveLength(8);
  });
});
