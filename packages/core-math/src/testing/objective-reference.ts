// f64 reference of the score models and objectives, written from the formulas (docs/design.md), not from
// assembly/: the score from a forward-mode jet, its Jacobian by central differences, the draws
// replayed from the reference stream in the documented order.
import type { ModelSpec } from '../score-model.js';
import type { ObjectiveSpec } from '../objectives.js';
import { sdeDefaults } from '../objectives.js';
import { type ReferenceStream, refMlpJet, refMlpForward } from './reference.js';

/** c(sigma), the 7-feature noise embedding. */
export function refEmbedding(sigma: number): number[] {
  const l = Math.log(sigma);
  return [l, Math.sin(l / 2), Math.cos(l / 2), Math.sin(l), Math.cos(l), Math.sin(2 * l), Math.cos(2 * l)];
}

/** A 'fourier' model's features [sin(2 pi B y), cos(2 pi B y)] at y, f64 ([] for other conditionings). */
export function refFourier(spec: ModelSpec, y: number[]): number[] {
  if (spec.conditioning !== 'fourier') return [];
  const f = spec.fourier!.spec.frequencies,
    d = y.length;
  const theta = Array.from({ length: f.length / d }, (_, i) => 2 * Math.PI * y.reduce((a, v, j) => a + f[i * d + j] * v, 0));
  return [...theta.map(Math.sin), ...theta.map(Math.cos)];
}

/** The model's score s(x; sigma) at one point, f64. */
export function refScore(spec: ModelSpec, dims: number[], act: string, params: ArrayLike<number>, x: number[], sigma: number): number[] {
  const embed = spec.conditioning === 'embed' || spec.conditioning === 'both' || spec.conditioning === 'precond';
  if (spec.conditioning === 'gaussian') return refGaussianScore(spec, dims, act, params, x, sigma);
  if (spec.conditioning === 'precond' || spec.conditioning === 'fourier') {
    // s = -x / (1 + sigma^2) + f([y, c(sigma)]) / (sigma sqrt(1 + sigma^2)), y = x / sqrt(1 + sigma^2) (Karras et al. 2022,
    // table 1); 'fourier' reads [y, sin(2 pi B y), cos(2 pi B y), c(sigma)] (Tancik et al. 2020).
    const c = Math.sqrt(1 + sigma * sigma);
    const y = x.map((v) => v / c);
    const f = refMlpForward(dims, act, params, [...y, ...refFourier(spec, y), ...refEmbedding(sigma)], 1);
    return Array.from(f, (v, j) => -x[j] / (c * c) + v / (sigma * c));
  }
  const scale = spec.conditioning === 'scale' || spec.conditioning === 'both' ? 1 / sigma : 1;
  const input = embed ? [...x, ...refEmbedding(sigma)] : x;
  if (spec.kind === 'score') return Array.from(refMlpForward(dims, act, params, input, 1), (v) => v * scale);
  // Energy: s_j = -scale * d f / d x_j, from d tangent lanes e_j of the forward-mode jet.
  const d = x.length,
    I = input.length;
  const X = new Float64Array(I * (1 + d));
  X.set(input);
  for (let j = 0; j < d; j++) X[I + j * I + j] = 1;
  const Y = refMlpJet(dims, act, params, X, 1, d, 1);
  return Array.from({ length: d }, (_, j) => -scale * Y[1 + j]);
}

/**
 * A 'gaussian' model's score: the blurred Gaussian's score -(C + sigma^2 I)^-1 (x - mu), from C built densely and
 * solved by Gaussian elimination (not from the eigenvectors, as the kernel does), plus c_out f([(x - mu) c_in, c(sigma)]) /
 * sigma^2, c_in = 1 / sqrt(tr C / d + sigma^2), c_out^2 = sigma^2 tr(C (C + sigma^2 I)^-1) / d.
 */
function refGaussianScore(spec: ModelSpec, dims: number[], act: string, params: ArrayLike<number>, x: number[], sigma: number): number[] {
  const g = spec.gaussian!.spec;
  const d = x.length,
    k = g.variances.length,
    s2 = sigma * sigma;
  // C = rest I + sum_m (lambda_m - rest) u_m u_m^T.
  const C = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? g.rest : 0)));
  for (let m = 0; m < k; m++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) C[i][j] += (g.variances[m] - g.rest) * g.vectors[m * d + i] * g.vectors[m * d + j];
  const e = x.map((v, j) => v - g.mean[j]);
  const A = C.map((row, i) => row.map((v, j) => v + (i === j ? s2 : 0)));
  const solve = (b: number[]) => {
    const M = A.map((row, i) => [...row, b[i]]);
    for (let c = 0; c < d; c++) {
      for (let r = c + 1; r < d; r++) {
        const f = M[r][c] / M[c][c];
        for (let j = c; j <= d; j++) M[r][j] -= f * M[c][j];
      }
    }
    const out = new Array<number>(d).fill(0);
    for (let r = d - 1; r >= 0; r--) {
      let t = M[r][d];
      for (let j = r + 1; j < d; j++) t -= M[r][j] * out[j];
      out[r] = t / M[r][r];
    }
    return out;
  };
  const skip = solve(e);
  // tr C, and tr((C + sigma^2 I)^-1 C) column by column (C and (C + sigma^2 I)^-1 commute).
  let trace = 0,
    gain = 0;
  for (let i = 0; i < d; i++) {
    trace += C[i][i];
    gain += solve(C.map((row) => row[i]))[i];
  }
  const cin = 1 / Math.sqrt(trace / d + s2),
    cout = Math.sqrt((s2 * gain) / d);
  const f = refMlpForward(dims, act, params, [...e.map((v) => v * cin), ...refEmbedding(sigma)], 1);
  return Array.from(f, (v, j) => -skip[j] + (cout * v) / s2);
}

/** Jacobian J[i][j] = d s_i / d x_j by central differences. */
export function refJacobian(score: (x: number[]) => number[], x: number[], h = 1e-4): number[][] {
  const d = x.length;
  const cols = x.map((_, j) => {
    const up = score(x.map((v, i) => (i === j ? v + h : v))),
      down = score(x.map((v, i) => (i === j ? v - h : v)));
    return up.map((u, i) => (u - down[i]) / (2 * h));
  });
  return Array.from({ length: d }, (_, i) => cols.map((c) => c[i]));
}

/** Draws of one objective evaluation, replayed from the stream in the kernel's documented order. */
export interface Draws {
  alpha: number[];
  sigma: number[];
  lambda: number[];
  z: number[][];
  v: number[][][];
}

export function refDraws(obj: ObjectiveSpec, B: number, d: number, stream: ReferenceStream): Draws {
  const out: Draws = { alpha: [], sigma: [], lambda: [], z: [], v: [] };
  if (obj.name === 'ssm' || obj.name === 'ssm-vr') {
    const M = obj.slices ?? 1,
      kind = obj.projection ?? 'gaussian';
    for (let b = 0; b < B; b++) {
      out.v.push(
        Array.from({ length: M }, () => {
          if (kind === 'rademacher') return Array.from({ length: d }, () => stream.rademacher());
          const g = Array.from({ length: d }, () => stream.normal());
          const norm = Math.hypot(...g);
          return kind === 'sphere' ? g.map((u) => (u * Math.sqrt(d)) / norm) : g;
        }),
      );
    }
    return out;
  }
  if (obj.name === 'esm') return out;
  for (let b = 0; b < B; b++) {
    let a = 1,
      s = obj.name === 'dsm' ? obj.sigma : 1,
      w = 1;
    if (obj.name === 'ncsn') {
      const i = Number(((stream.u64() >> 32n) * BigInt(obj.sigmas.length)) >> 32n);
      s = obj.sigmas[i];
      w = s * s;
    } else if (obj.name === 'continuous') {
      const o = { ...sdeDefaults, ...obj };
      const t = o.eps + (1 - o.eps) * stream.uniform();
      if (obj.sde === 've') s = o.sigmaMin * (o.sigmaMax / o.sigmaMin) ** t;
      else {
        const integral = o.betaMin * t + 0.5 * (o.betaMax - o.betaMin) * t * t;
        a = Math.exp(-0.5 * integral);
        s = Math.sqrt(1 - Math.exp(-integral));
      }
      w = s * s;
    }
    out.alpha.push(a);
    out.sigma.push(s);
    out.lambda.push(w);
  }
  for (let b = 0; b < B; b++) out.z.push(Array.from({ length: d }, () => stream.normal()));
  return out;
}

/** The objective's batch-mean loss in f64 for given draws. */
export function refLoss(
  obj: ObjectiveSpec,
  spec: ModelSpec,
  dims: number[],
  act: string,
  params: ArrayLike<number>,
  x: number[][],
  draws: Draws,
): number {
  let total = 0;
  x.forEach((xb, b) => {
    if (obj.name === 'esm' || obj.name === 'ssm' || obj.name === 'ssm-vr') {
      const score = (p: number[]) => refScore(spec, dims, act, params, p, 1);
      const s = score(xb),
        J = refJacobian(score, xb);
      const sq = s.reduce((t, v) => t + v * v, 0);
      if (obj.name === 'esm') {
        total += J.reduce((t, row, i) => t + row[i], 0) + sq / 2;
        return;
      }
      const M = draws.v[b].length;
      let sum = 0;
      for (const v of draws.v[b]) {
        const Jv = J.map((row) => row.reduce((t, jij, j) => t + jij * v[j], 0));
        const vJv = v.reduce((t, vi, i) => t + vi * Jv[i], 0);
        const vs = v.reduce((t, vi, i) => t + vi * s[i], 0);
        sum += vJv + (obj.name === 'ssm' ? (vs * vs) / 2 : 0);
      }
      total += sum / M + (obj.name === 'ssm-vr' ? sq / 2 : 0);
      return;
    }
    const a = draws.alpha[b],
      s = draws.sigma[b],
      w = draws.lambda[b],
      z = draws.z[b];
    const noisy = xb.map((v, j) => a * v + s * z[j]);
    const score = refScore(spec, dims, act, params, noisy, s);
    total += (w / 2) * score.reduce((t, v, j) => t + (v + z[j] / s) ** 2, 0);
  });
  return total / x.length;
}
