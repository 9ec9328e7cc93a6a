// Conditioning 'mixture' in its shared-basis form (assembly/mixture.ts, sharedBasis): a mixture shaped as the fit's
// (every component's eigenvectors a rotation inside one q-dimensional span, means partly outside it) against the
// dense float64 score of the same mixture, its exact divergence and Hutchinson's estimate, in both builds.
import { expect, it } from 'vitest';
import { forEachBuild } from './testing/builds.js';
import { MlpLayout } from './mlp.js';
import { samplerSteps } from './langevin.js';
import {
  modelDims,
  modelDivergenceWorkspaceFloats,
  modelScore,
  modelScoreDivergence,
  modelWorkspaceFloats,
  type ModelSpec,
} from './score-model.js';
import { normRelError, randomArray } from './testing/reference.js';
import { MixtureBlock, mixtureMoments, sharedBasis, type MixtureSpec } from './mixture-skip.js';

/** q orthonormal rows in R^d (Gram-Schmidt of a seeded random matrix), row-major. */
function orthonormalRows(q: number, d: number, seed: number): Float64Array {
  const a = Float64Array.from(randomArray(q * d, seed, -1, 1));
  for (let i = 0; i < q; i++) {
    for (let p = 0; p < i; p++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += a[p * d + j] * a[i * d + j];
      for (let j = 0; j < d; j++) a[i * d + j] -= t * a[p * d + j];
    }
    let n = 0;
    for (let j = 0; j < d; j++) n += a[i * d + j] ** 2;
    for (let j = 0; j < d; j++) a[i * d + j] /= Math.sqrt(n);
  }
  return a;
}

/**
 * K = 3 components in d = 37 whose eigenvectors are rotations inside one span of q = 9 (ranks 9, 4 and 0), means
 * with parts outside it, weights 0.5, 0.3, 0.2: the fit's structure at a size with SIMD remainders (37 = 9 x 4 + 1).
 */
function spanMixture(d = 37, q = 9): MixtureSpec {
  const B = orthonormalRows(q, d, 11);
  const component = (rank: number, seed: number, scale: number, rest: number) => {
    const R = orthonormalRows(rank, q, seed);
    const vectors = new Float32Array(rank * d);
    for (let r = 0; r < rank; r++)
      for (let j = 0; j < d; j++) for (let i = 0; i < q; i++) vectors[r * d + j] += R[r * q + i] * B[i * d + j];
    return {
      mean: Float32Array.from(randomArray(d, seed + 1, -scale, scale)),
      vectors,
      variances: Float32Array.from({ length: rank }, (_, r) => 2.5 / (1 + r)),
      rest,
    };
  };
  return { components: [component(9, 21, 0.6, 0.2), component(4, 31, 0.8, 0.35), component(0, 41, 0.7, 0.5)], weights: [0.5, 0.3, 0.2] };
}

/** Dense f64 (C_k + sigma^2 I)^-1 and ln det of a component: C built from its eigenvectors, inverted by Gauss-Jordan. */
function denseInverse(c: MixtureSpec['components'][number], d: number, s2: number): { inv: Float64Array; logDet: number } {
  const k = c.variances.length;
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) A[i * d + i] = c.rest + s2;
  for (let m = 0; m < k; m++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) A[i * d + j] += (c.variances[m] - c.rest) * c.vectors[m * d + i] * c.vectors[m * d + j];
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  let logDet = 0;
  for (let col = 0; col < d; col++) {
    let piv = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(A[r * d + col]) > Math.abs(A[piv * d + col])) piv = r;
    for (const M of [A, inv]) for (let j = 0; j < d; j++) [M[col * d + j], M[piv * d + j]] = [M[piv * d + j], M[col * d + j]];
    const p = A[col * d + col];
    logDet += Math.log(Math.abs(p));
    for (const M of [A, inv]) for (let j = 0; j < d; j++) M[col * d + j] /= p;
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = A[r * d + col];
      for (const M of [A, inv]) for (let j = 0; j < d; j++) M[r * d + j] -= f * M[col * d + j];
    }
  }
  return { inv, logDet };
}

/** The dense blurred mixture's score at x and v^T (grad s) v per probe (exact trace when no probe). */
function denseSkip(m: MixtureSpec, x: number[], sigma: number, probes: number[][]): { score: number[]; quad: number[] } {
  const d = x.length,
    s2 = sigma * sigma;
  const parts = m.components.map((c, k) => {
    const { inv, logDet } = denseInverse(c, d, s2);
    const e = x.map((v, j) => v - c.mean[j]);
    const s = e.map((_, i) => -e.reduce((t, ej, j) => t + inv[i * d + j] * ej, 0));
    return { inv, s, lp: Math.log(m.weights[k]) - 0.5 * (-e.reduce((t, ej, j) => t + ej * s[j], 0) + logDet) };
  });
  const top = Math.max(...parts.map((p) => p.lp));
  const z = parts.reduce((t, p) => t + Math.exp(p.lp - top), 0);
  const r = parts.map((p) => Math.exp(p.lp - top) / z);
  const score = x.map((_, i) => parts.reduce((t, p, k) => t + r[k] * p.s[i], 0));
  // grad s = sum_k r_k (-inv_k + s_k s_k^T) - s s^T.
  const jac = (i: number, j: number) =>
    parts.reduce((t, p, k) => t + r[k] * (-p.inv[i * d + j] + p.s[i] * p.s[j]), 0) - score[i] * score[j];
  const quad = probes.length
    ? probes.map((v) => v.reduce((t, vi, i) => t + vi * v.reduce((u, vj, j) => u + jac(i, j) * vj, 0), 0))
    : [x.reduce((t, _, i) => t + jac(i, i), 0)];
  return { score, quad };
}

it('sharedBasis: the span of every eigenvector (q = 9 of d = 37), one outside it adds a row; B orthonormal, p_k orthogonal to B', () => {
  const m = spanMixture();
  const { mean } = mixtureMoments(m);
  const got = sharedBasis(m, Float32Array.from(mean));
  expect(got.rank).toBe(9);
  const d = 37;
  for (let a = 0; a < 9; a++) {
    for (let b = 0; b < 9; b++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += got.basis[a * d + j] * got.basis[b * d + j];
      expect(Math.abs(t - (a === b ? 1 : 0))).toBeLessThan(1e-6);
    }
    for (let k = 0; k < 3; k++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += got.basis[a * d + j] * got.offsets[k * d + j];
      expect(Math.abs(t)).toBeLessThan(1e-6);
    }
  }
  expect(got.rotations.map((R) => R.length)).toEqual([81, 36, 0]);
  const extra = {
    ...m.components[2],
    vectors: Float32Array.from({ length: d }, (_, j) => (j === 0 ? 1 : 0)),
    variances: Float32Array.of(1),
  };
  expect(sharedBasis({ ...m, components: [m.components[0], m.components[1], extra] }, Float32Array.from(mean)).rank).toBe(10);
});

forEachBuild((core) => {
  it.each([
    ['exact', 0],
    ['Hutchinson, 3 probes', 3],
  ] as const)('the skip term and its divergence (%s) = the dense float64 mixture, q = 9 of d = 37', (_n, M) => {
    const k = core();
    const d = 37,
      B = 5,
      m = spanMixture();
    const spec: ModelSpec = { kind: 'score', conditioning: 'mixture', mixture: new MixtureBlock(k, m) };
    const net = new MlpLayout(k, modelDims(spec, d, [6]), 'silu');
    // Zero parameters: the network's output is 0, so the score is the skip term and the divergence the skip's.
    const params = k.f32(net.paramCount);
    const x0 = randomArray(B * d, 5, -1.5, 1.5);
    const v0 = randomArray(B * M * d, 6, -1, 1);
    for (const sigma of [0.05, 0.4, 3]) {
      const score = k.f32(B * d),
        divergence = k.f32(B);
      const probes = M ? { v: k.f32(B * M * d, v0), count: M } : undefined;
      const ws = k.f32(modelDivergenceWorkspaceFloats(spec, net, B, M));
      modelScoreDivergence(k, spec, net, params, k.f32(B * d, x0), B, sigma, { score, divergence }, ws, probes);
      const refS: number[] = [],
        refDiv: number[] = [];
      for (let b = 0; b < B; b++) {
        const vs = Array.from({ length: M }, (_, p) => Array.from(v0.subarray((b * M + p) * d, (b * M + p + 1) * d)));
        const ref = denseSkip(m, Array.from(x0.subarray(b * d, (b + 1) * d)), sigma, vs);
        refS.push(...ref.score);
        refDiv.push(ref.quad.reduce((a, q) => a + q, 0) / Math.max(1, M));
      }
      expect(normRelError(score.view, refS), `score at sigma ${sigma}`).toBeLessThan(1e-5);
      expect(normRelError(divergence.view, refDiv), `divergence at sigma ${sigma}`).toBeLessThan(1e-5);
    }
  });
});

forEachBuild((core) => {
  it("a Langevin-type step guards a 'mixture' model's score: drift . k >= |k|^2 with k the skip, the rest untouched", () => {
    // One affine step with no noise, x + b s, against x + b (s + max(0, |k|^2 - s.k) / |k|^2 k): s the model's
    // (unguarded) score, k the dense float64 skip. A random network turns s against k on some rows and not others.
    const k = core();
    const d = 37,
      B = 24,
      m = spanMixture(),
      b = 0.01;
    const spec: ModelSpec = { kind: 'score', conditioning: 'mixture', mixture: new MixtureBlock(k, m) };
    const net = new MlpLayout(k, modelDims(spec, d, [16]), 'silu');
    const params = k.f32(net.paramCount, randomArray(net.paramCount, 7, -1, 1));
    const x0 = randomArray(B * d, 8, -4, 4);
    let guarded = 0;
    for (const sigma of [0.05, 0.4]) {
      const raw = k.f32(B * d);
      modelScore(k, spec, net, params, k.f32(B * d, x0), B, sigma, raw, k.f32(modelWorkspaceFloats(net, B)));
      const x = k.f32(B * d, x0);
      const work = { ws: k.f32(modelWorkspaceFloats(net, 8)), score: k.f32(8 * d), chunk: 8 };
      samplerSteps(k, spec, net, params, x, 1, { mode: 'affine', a: 1, b, c: 0 }, k.rng(1), work, { sigma });
      for (let r = 0; r < B; r++) {
        const skip = denseSkip(m, Array.from(x0.subarray(r * d, (r + 1) * d)), sigma, []).score;
        const s = Array.from(raw.view.subarray(r * d, (r + 1) * d));
        const kk = skip.reduce((t, v) => t + v * v, 0),
          sk = s.reduce((t, v, j) => t + v * skip[j], 0);
        const want = s.map((v, j) => v + (Math.max(0, kk - sk) / kk) * skip[j]);
        const drift = Array.from({ length: d }, (_, j) => (x.view[r * d + j] - x0[r * d + j]) / b);
        expect(normRelError(drift, want), `row ${r} at sigma ${sigma}`).toBeLessThan(1e-4);
        expect(drift.reduce((t, v, j) => t + v * skip[j], 0)).toBeGreaterThan(kk * (1 - 1e-4));
        if (sk < kk) guarded++;
      }
    }
    expect(guarded).toBeGreaterThan(0);
    expect(guarded).toBeLessThan(2 * B);
  });
});

forEachBuild((core) => {
  it("the guard reads the skip the model's evaluation left (the same bits as the guard computing it from a given score)", () => {
    // samplerSteps evaluates the model and its guard reuses the skip that evaluation added; given the same (unguarded)
    // score as options.score, the guard computes the skip itself, as before. Both steps must agree to the bit, with a
    // partial last chunk (B = 20 rows in chunks of 8) and noise (Langevin, then Leimkuhler-Matthews).
    const k = core();
    const d = 37,
      B = 20,
      m = spanMixture();
    const spec: ModelSpec = { kind: 'score', conditioning: 'mixture', mixture: new MixtureBlock(k, m) };
    const net = new MlpLayout(k, modelDims(spec, d, [16]), 'silu');
    const params = k.f32(net.paramCount, randomArray(net.paramCount, 7, -1, 1));
    const x0 = randomArray(B * d, 9, -4, 4);
    const work = () => ({ ws: k.f32(modelWorkspaceFloats(net, 8)), score: k.f32(8 * d), chunk: 8 });
    for (const sigma of [0.05, 0.4, 3])
      for (const mode of ['affine', 'lm'] as const) {
        const raw = k.f32(B * d);
        modelScore(k, spec, net, params, k.f32(B * d, x0), B, sigma, raw, k.f32(modelWorkspaceFloats(net, B)));
        const rule = { mode, a: 1, b: 0.01, c: 0.1 };
        const shared = k.f32(B * d, x0),
          computed = k.f32(B * d, x0);
        samplerSteps(k, spec, net, params, shared, 1, rule, k.rng(3), work(), { sigma });
        samplerSteps(k, spec, net, params, computed, 1, rule, k.rng(3), work(), { sigma, score: raw });
        expect(Array.from(shared.view), `sigma ${sigma}, ${mode}`).toEqual(Array.from(computed.view));
        expect(shared.view.some((v, i) => v !== x0[i] + 0)).toBe(true);
      }
  });
});
