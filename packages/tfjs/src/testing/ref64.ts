/**
 * Float64 plain-JS reference of the scorefield model and objectives, independent of tfjs (test only).
 * Forward pass and input gradient of the MLP are written out by hand; Jacobians come from central
 * finite differences of the float64 score.
 */
import type { Activation } from '../activations.js';
import type { GaussianSpec, NetSpec } from '../model.js';
import type { Objective } from '../objectives.js';

export function sigmoid64(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

export function phi64(act: Activation, a: number): number {
  switch (act) {
    case 'silu':
      return a * sigmoid64(a);
    case 'softplus':
      return Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
    case 'tanh':
      return Math.tanh(a);
    case 'elu':
      return a > 0 ? a : Math.expm1(a);
  }
}

/** Closed-form d^k phi / da^k, k = 1, 2, 3. */
export function dphi64(act: Activation, a: number, k: 1 | 2 | 3): number {
  switch (act) {
    case 'silu': {
      const s = sigmoid64(a);
      const s1 = s * (1 - s);
      const s2 = s1 * (1 - 2 * s);
      const s3 = s1 * (1 - 6 * s + 6 * s * s);
      // (a s)^(k) = k s^(k-1) + a s^(k)
      return k === 1 ? s + a * s1 : k === 2 ? 2 * s1 + a * s2 : 3 * s2 + a * s3;
    }
    case 'softplus': {
      const s = sigmoid64(a);
      const s1 = s * (1 - s);
      return k === 1 ? s : k === 2 ? s1 : s1 * (1 - 2 * s);
    }
    case 'tanh': {
      const t = Math.tanh(a);
      const u = 1 - t * t;
      return k === 1 ? u : k === 2 ? -2 * t * u : u * (6 * t * t - 2);
    }
    case 'elu':
      return a > 0 ? (k === 1 ? 1 : 0) : Math.exp(a);
  }
}

/** Records the signs of every hidden pre-activation evaluated while `signs` is an array (kink detection for elu). */
export const recorder: { signs: number[] | null } = { signs: null };

interface Forward {
  out: number[];
  /** Per layer: its input vector, and (hidden layers) the pre-activations. */
  inputs: number[][];
  pre: number[][];
}

function forward(dims: readonly number[], act: Activation, params: ArrayLike<number>, input: readonly number[]): Forward {
  const L = dims.length - 1;
  let h = input.slice();
  let off = 0;
  const inputs: number[][] = [];
  const pre: number[][] = [];
  for (let l = 0; l < L; l++) {
    const I = dims[l]!,
      O = dims[l + 1]!;
    const a = new Array<number>(O);
    for (let j = 0; j < O; j++) {
      let acc = params[off + I * O + j]!;
      for (let i = 0; i < I; i++) acc += h[i]! * params[off + i * O + j]!;
      a[j] = acc;
    }
    inputs.push(h);
    off += I * O + O;
    if (l < L - 1) {
      pre.push(a);
      if (recorder.signs) for (const v of a) recorder.signs.push(v > 0 ? 1 : 0);
      h = a.map((v) => phi64(act, v));
    } else {
      h = a;
    }
  }
  return { out: h, inputs, pre };
}

/** f(input) in float64 for one sample. */
export function mlp64(dims: readonly number[], act: Activation, params: ArrayLike<number>, input: readonly number[]): number[] {
  return forward(dims, act, params, input).out;
}

/** grad_input sum(gOut * f(input)) in float64 (reverse pass written out by hand). */
export function mlpInputGrad64(
  dims: readonly number[],
  act: Activation,
  params: ArrayLike<number>,
  input: readonly number[],
  gOut: readonly number[],
): number[] {
  const fw = forward(dims, act, params, input);
  const L = dims.length - 1;
  const offsets: number[] = [];
  let off = 0;
  for (let l = 0; l < L; l++) {
    offsets.push(off);
    off += dims[l]! * dims[l + 1]! + dims[l + 1]!;
  }
  let g = gOut.slice();
  for (let l = L - 1; l >= 0; l--) {
    const I = dims[l]!,
      O = dims[l + 1]!;
    if (l < L - 1) g = g.map((v, j) => v * dphi64(act, fw.pre[l]![j]!, 1));
    const gi = new Array<number>(I).fill(0);
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let j = 0; j < O; j++) acc += params[offsets[l]! + i * O + j]! * g[j]!;
      gi[i] = acc;
    }
    g = gi;
  }
  return g;
}

export function embed64(sigma: number): number[] {
  const l = Math.log(sigma);
  return [l, Math.sin(0.5 * l), Math.cos(0.5 * l), Math.sin(l), Math.cos(l), Math.sin(2 * l), Math.cos(2 * l)];
}

const embedded = (spec: NetSpec) => ['embed', 'both', 'precond', 'gaussian', 'fourier', 'mixture'].includes(spec.conditioning);

/** A 'fourier' spec's features [sin(2 pi B y), cos(2 pi B y)] of y in float64 ([] otherwise). */
function fourier64(spec: NetSpec, y: readonly number[]): number[] {
  if (spec.conditioning !== 'fourier') return [];
  const f = spec.fourier!.frequencies,
    d = y.length;
  const theta = Array.from({ length: f.length / d }, (_, i) => 2 * Math.PI * y.reduce((a, yj, j) => a + f[i * d + j]! * yj, 0));
  return [...theta.map(Math.sin), ...theta.map(Math.cos)];
}

/** A Gaussian (a 'gaussian' spec's, or a mixture's component) in float64: mu, U [k][d], lambda, rest, v = tr C / d. */
function gaussian64(g: GaussianSpec) {
  const d = g.mean.length,
    k = g.variances.length;
  const U = Array.from({ length: k }, (_, m) => Array.from({ length: d }, (_, j) => g.vectors[m * d + j]!));
  const lam = Array.from(g.variances);
  const v = (lam.reduce((a, b) => a + b, 0) + (d - k) * g.rest) / d;
  return { mu: Array.from(g.mean), U, lam, rest: g.rest, v, d, k };
}

/** (C + sigma^2 I)^-1 e for the Gaussian's C (float64, by its eigendecomposition). */
function gaussianSolve64(g: GaussianSpec, e: readonly number[], sigma: number): number[] {
  const { U, lam, rest, d, k } = gaussian64(g);
  const s2 = sigma * sigma,
    r = k < d ? 1 / (rest + s2) : 0; // no directions off U when k = d, as in the core
  const out = e.map((v) => v * r);
  U.forEach((u, m) => {
    const t = u.reduce((a, uj, j) => a + uj * e[j]!, 0);
    const c = t * (1 / (lam[m]! + s2) - r);
    u.forEach((uj, j) => (out[j]! += c * uj));
  });
  return out;
}

/** tr(C (C + sigma^2 I)^-1) / d of a Gaussian: c_out^2 / sigma^2 of a 'gaussian' model. */
function gain64(g: GaussianSpec, sigma: number): number {
  const { lam, rest, d, k } = gaussian64(g);
  const s2 = sigma * sigma;
  return (lam.reduce((a, l) => a + l / (l + s2), 0) + ((d - k) * rest) / (rest + s2)) / d;
}

/**
 * A 'mixture' spec in float64 at x: its blurred score sum_k r_k (-(C_k + sigma^2 I)^-1 (x - mu_k)) (the skip), the
 * gain sum_k w_k tr(C_k (C_k + sigma^2 I)^-1) / d, and its mean and variance per coordinate (the network's input).
 */
function mixture64(spec: NetSpec, x: readonly number[], sigma: number) {
  const m = spec.mixture!,
    d = x.length,
    s2 = sigma * sigma;
  const parts = m.components.map((g, k) => {
    const { mu, lam, rest, k: rank } = gaussian64(g);
    const e = x.map((xi, j) => xi - mu[j]!);
    const solved = gaussianSolve64(g, e, sigma);
    const logDet = (d - rank) * Math.log(rest + s2) + lam.reduce((a, l) => a + Math.log(l + s2), 0);
    return { solved, lp: Math.log(m.weights[k]!) - 0.5 * (e.reduce((a, ej, j) => a + ej * solved[j]!, 0) + logDet) };
  });
  const top = Math.max(...parts.map((p) => p.lp));
  const z = parts.reduce((a, p) => a + Math.exp(p.lp - top), 0);
  const skip = x.map((_, j) => -parts.reduce((a, p) => a + (Math.exp(p.lp - top) / z) * p.solved[j]!, 0));
  const gain = m.components.reduce((a, g, k) => a + m.weights[k]! * gain64(g, sigma), 0);
  const mean = x.map((_, j) => m.components.reduce((a, g, k) => a + m.weights[k]! * g.mean[j]!, 0));
  const variance = m.components.reduce((a, g, k) => {
    const spread = Array.from(g.mean).reduce((t, v, j) => t + (v - mean[j]!) ** 2, 0) / d;
    return a + m.weights[k]! * (gaussian64(g).v + spread);
  }, 0);
  return { skip, gain, mean, variance };
}
const scaled = (spec: NetSpec) => spec.conditioning === 'scale' || spec.conditioning === 'both';

function netInput(spec: NetSpec, x: readonly number[], sigma: number): number[] {
  if (spec.conditioning === 'gaussian') {
    const { mu, v } = gaussian64(spec.gaussian!);
    return [...x.map((xi, j) => (xi - mu[j]!) / Math.sqrt(v + sigma * sigma)), ...embed64(sigma)];
  }
  if (spec.conditioning === 'mixture') {
    const { mean, variance } = mixture64(spec, x, sigma);
    return [...x.map((xi, j) => (xi - mean[j]!) / Math.sqrt(variance + sigma * sigma)), ...embed64(sigma)];
  }
  const c = spec.conditioning === 'precond' || spec.conditioning === 'fourier' ? Math.sqrt(1 + sigma * sigma) : 1;
  const y = x.map((v) => v / c);
  return embedded(spec) ? [...y, ...fourier64(spec, y), ...embed64(sigma)] : x.slice();
}

/**
 * Conditioned network output f([x, c]) (/ sigma); preconditioned (score models):
 * -x / (1 + sigma^2) + f([x / sqrt(1 + sigma^2), c]) / (sigma sqrt(1 + sigma^2)) (Karras et al. 2022, table 1).
 */
export function output64(spec: NetSpec, params: ArrayLike<number>, x: readonly number[], sigma = 1): number[] {
  const f = mlp64(spec.dims, spec.activation, params, netInput(spec, x, sigma));
  if (spec.conditioning === 'gaussian') {
    const g = spec.gaussian!;
    const skip = gaussianSolve64(
      g,
      x.map((xi, j) => xi - g.mean[j]!),
      sigma,
    );
    return f.map((v, i) => -skip[i]! + (Math.sqrt(gain64(g, sigma)) * v) / sigma);
  }
  if (spec.conditioning === 'mixture') {
    const { skip, gain } = mixture64(spec, x, sigma);
    return f.map((v, i) => skip[i]! + (Math.sqrt(gain) * v) / sigma);
  }
  if (spec.conditioning === 'precond' || spec.conditioning === 'fourier') {
    const q = 1 + sigma * sigma;
    return f.map((v, i) => -x[i]! / q + v / (sigma * Math.sqrt(q)));
  }
  return scaled(spec) ? f.map((v) => v / sigma) : f;
}

export function energy64(spec: NetSpec, params: ArrayLike<number>, x: readonly number[], sigma = 1): number {
  return output64(spec, params, x, sigma)[0]!;
}

/** s(x; sigma): the output of a score model; -grad_x E (hand-written reverse pass) for an energy model. */
export function score64(spec: NetSpec, params: ArrayLike<number>, x: readonly number[], sigma = 1): number[] {
  if (spec.kind === 'score') return output64(spec, params, x, sigma);
  const g = mlpInputGrad64(spec.dims, spec.activation, params, netInput(spec, x, sigma), [1]);
  const c = scaled(spec) ? 1 / sigma : 1;
  return g.slice(0, x.length).map((v) => -v * c);
}

/** Number of Jacobians whose finite-difference stencil straddled an activation kink (then h = 1e-7 was used). */
export const kinkStats = { stencilFallbacks: 0 };

/**
 * J[i][j] = d s_i / d x_j by 4th-order central differences of score64 (step h). If a hidden
 * pre-activation changes sign inside the stencil (elu's kinks), falls back to 2nd-order differences
 * with h = 1e-7 so the stencil does not straddle the kink.
 */
export function jacobian64(spec: NetSpec, params: ArrayLike<number>, x: readonly number[], sigma = 1, h = 1e-4): number[][] {
  const d = x.length;
  const J = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const outer = recorder.signs;
  for (let j = 0; j < d; j++) {
    const patterns: string[] = [];
    const at = (t: number) => {
      recorder.signs = [];
      const s = score64(
        spec,
        params,
        x.map((v, k) => (k === j ? v + t : v)),
        sigma,
      );
      patterns.push(recorder.signs.join(''));
      if (outer) outer.push(...recorder.signs);
      return s;
    };
    const p2 = at(2 * h),
      p1 = at(h),
      m1 = at(-h),
      m2 = at(-2 * h);
    if (patterns.every((p) => p === patterns[0])) {
      for (let i = 0; i < d; i++) J[i]![j] = (-p2[i]! + 8 * p1[i]! - 8 * m1[i]! + m2[i]!) / (12 * h);
    } else {
      kinkStats.stencilFallbacks++;
      const e = 1e-7;
      const a = at(e),
        b = at(-e);
      for (let i = 0; i < d; i++) J[i]![j] = (a[i]! - b[i]!) / (2 * e);
    }
  }
  recorder.signs = outer;
  return J;
}

export interface Inputs64 {
  x: ArrayLike<number>;
  batch: number;
  v?: ArrayLike<number>;
  slices?: number;
  z?: ArrayLike<number>;
  alpha?: ArrayLike<number>;
  sigma?: ArrayLike<number>;
  lambda?: ArrayLike<number>;
}

export interface Loss64 {
  loss: number;
  /** Mean absolute size of the summed terms (a scale for relative errors when the loss cancels). */
  scale: number;
}

const row = (a: ArrayLike<number>, b: number, d: number) => Array.from({ length: d }, (_, i) => a[b * d + i]!);
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);

/** The objective in float64 (same definitions as objectiveLoss), Jacobians by finite differences. */
export function objective64(spec: NetSpec, params: ArrayLike<number>, objective: Objective, inp: Inputs64, d: number): Loss64 {
  const B = inp.batch;
  const conditioned = spec.conditioning !== 'none';
  let total = 0,
    scale = 0;
  for (let b = 0; b < B; b++) {
    const sigma = inp.sigma ? inp.sigma[b]! : 1;
    const sg = conditioned ? sigma : 1;
    const x = row(inp.x, b, d);
    if (objective === 'denoising') {
      const z = row(inp.z!, b, d);
      const alpha = inp.alpha ? inp.alpha[b]! : 1;
      const lambda = inp.lambda ? inp.lambda[b]! : 1;
      const xt = x.map((v, i) => alpha * v + sigma * z[i]!);
      const s = score64(spec, params, xt, sg);
      const r = s.reduce((acc, v, i) => acc + (v + z[i]! / sigma) ** 2, 0);
      total += (lambda / 2) * r;
      scale += Math.abs(lambda / 2) * r;
      continue;
    }
    const s = score64(spec, params, x, sg);
    const J = jacobian64(spec, params, x, sg);
    const half = 0.5 * dot(s, s);
    if (objective === 'esm') {
      const tr = J.reduce((acc, r, i) => acc + r[i]!, 0);
      total += tr + half;
      scale += Math.abs(tr) + half;
      continue;
    }
    const M = inp.slices ?? inp.v!.length / (B * d);
    let acc = 0,
      accAbs = 0;
    for (let m = 0; m < M; m++) {
      const v = Array.from({ length: d }, (_, i) => inp.v![(m * B + b) * d + i]!);
      const Jv = J.map((r) => dot(r, v));
      const q = dot(v, Jv);
      const t = objective === 'ssm' ? q + 0.5 * dot(v, s) ** 2 : q;
      acc += t;
      accAbs += Math.abs(q) + (objective === 'ssm' ? 0.5 * dot(v, s) ** 2 : 0);
    }
    total += acc / M + (objective === 'ssm-vr' ? half : 0);
    scale += accAbs / M + (objective === 'ssm-vr' ? half : 0);
  }
  return { loss: total / B, scale: scale / B };
}
