import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError, lookup } from './errors.js';
import { expectFinite, expectInt, expectLength } from './validate.js';
import { ConditioningCode, EMBED_FEATURES, ModelKindCode } from './generated/contract.js';
import type { GaussianBlock } from './gaussian-skip.js';
import type { FourierBlock } from './fourier-features.js';

/** Parametrizations: a score network s = f (d -> d) or an energy network E = f (d -> 1), s = -grad_x E. */
export const modelKinds = { score: ModelKindCode.Score, energy: ModelKindCode.Energy } satisfies Record<string, number>;
export type ModelKind = keyof typeof modelKinds;

/**
 * Noise conditioning: `embed` concatenates c(sigma) = [l, sin(l/2), cos(l/2), sin l, cos l, sin 2l, cos 2l]
 * (l = ln sigma) to the input; `scale` divides the output by sigma; `both` does both; `precond` (score models
 * only) embeds and preconditions: s = -x / (1 + sigma^2) + f([x / sqrt(1 + sigma^2), c(sigma)]) / (sigma sqrt(1 + sigma^2)),
 * so that the network's input and target keep unit scale at every level (see: Karras et al. 2022, table 1, sigma_data = 1);
 * `gaussian` (score models only, with the data's Gaussian N(mu, C) in ModelSpec.gaussian) embeds and makes the skip
 * term that Gaussian's exact blurred score: s = -(C + sigma^2 I)^-1 (x - mu) + c_out f([(x - mu) c_in, c(sigma)]) / sigma^2,
 * c_in = 1 / sqrt(tr C / d + sigma^2), c_out^2 = sigma^2 tr(C (C + sigma^2 I)^-1) / d (assembly/model.ts), so the network
 * learns only what the Gaussian's linear denoiser misses; `fourier` (score models only, with frequencies B [m, d] in
 * ModelSpec.fourier) is `precond` with fixed Fourier features sin(2 pi B y), cos(2 pi B y) of its input y after y
 * (fourier-features.ts; see: Tancik et al. 2020).
 */
export const conditionings = {
  none: ConditioningCode.None,
  embed: ConditioningCode.Embed,
  scale: ConditioningCode.Scale,
  both: ConditioningCode.Both,
  precond: ConditioningCode.EmbedPrecondition,
  gaussian: ConditioningCode.EmbedGaussian,
  fourier: ConditioningCode.EmbedPreconditionFourier,
} satisfies Record<string, number>;
export type Conditioning = keyof typeof conditionings;

/** Features of the noise embedding c(sigma). */
export { EMBED_FEATURES };

/** How a network is read as a score model. */
export interface ModelSpec {
  kind: ModelKind;
  conditioning: Conditioning;
  /** Conditioning 'gaussian': the data's Gaussian, in the same core's memory. */
  gaussian?: GaussianBlock;
  /** Conditioning 'fourier': the input features' frequencies, in the same core's memory. */
  fourier?: FourierBlock;
}

/**
 * The conditioning's config block the kernels read for a spec: the GaussianConfig of 'gaussian', the FourierConfig of
 * 'fourier', else 0.
 */
export function conditioningPointer(spec: ModelSpec): number {
  if (spec.conditioning === 'gaussian') return spec.gaussian?.ptr ?? 0;
  return spec.conditioning === 'fourier' ? (spec.fourier?.ptr ?? 0) : 0;
}

/** Input features of a spec beyond x and c(sigma): 2m for 'fourier' (0 until its frequencies are given). */
function featureWidth(spec: Pick<ModelSpec, 'conditioning'> & { fourier?: { readonly count: number } }): number {
  return spec.conditioning === 'fourier' ? 2 * (spec.fourier?.count ?? 0) : 0;
}

/** Network widths [d_in, ...hidden, d_out] of a model of data dimension d ('fourier': of spec.fourier's m frequencies). */
export function modelDims(
  spec: Pick<ModelSpec, 'kind' | 'conditioning'> & { fourier?: { readonly count: number } },
  d: number,
  hidden: readonly number[],
): number[] {
  const embed = (lookup(conditionings, spec.conditioning, 'conditioning') & ConditioningCode.Embed) !== 0;
  return [d + featureWidth(spec) + (embed ? EMBED_FEATURES : 0), ...hidden, spec.kind === 'energy' ? 1 : d];
}

/** Data dimension of a model, checking that the network's widths fit the spec. */
export function modelDataDim(spec: ModelSpec, net: MlpLayout, kernel = 'model'): number {
  lookup(modelKinds, spec.kind, 'model kind');
  const embed = (lookup(conditionings, spec.conditioning, 'conditioning') & ConditioningCode.Embed) !== 0;
  if (spec.kind === 'energy' && (spec.conditioning === 'precond' || spec.conditioning === 'gaussian' || spec.conditioning === 'fourier')) {
    throw new InputError(
      `${kernel}: conditioning '${spec.conditioning}' is for score models; an energy model takes 'none', 'embed', 'scale' or 'both'`,
    );
  }
  if (spec.conditioning === 'fourier' && !spec.fourier) {
    throw new InputError(`${kernel}: conditioning 'fourier' needs the input features' frequencies (ModelSpec.fourier)`);
  }
  const features = featureWidth(spec);
  const d = net.inputs - features - (embed ? EMBED_FEATURES : 0);
  const out = spec.kind === 'energy' ? 1 : d;
  if (d < 1 || net.outputs !== out) {
    throw new InputError(
      `${kernel}: a ${spec.kind} model with conditioning '${spec.conditioning}' needs widths ` +
        `[d${features ? ` + ${features}` : ''}${embed ? ' + 7' : ''}, ..., ` +
        `${spec.kind === 'energy' ? '1' : 'd'}], got [${net.dims.join(', ')}]`,
    );
  }
  if (spec.conditioning === 'gaussian' && spec.gaussian?.dim !== d) {
    throw new InputError(
      spec.gaussian
        ? `${kernel}: the model's Gaussian has ${spec.gaussian.dim} coordinates, the network ${d}`
        : `${kernel}: conditioning 'gaussian' needs the data's Gaussian (ModelSpec.gaussian)`,
    );
  }
  if (spec.conditioning === 'fourier' && spec.fourier?.dim !== d) {
    throw new InputError(`${kernel}: the model's frequencies have ${spec.fourier?.dim} coordinates, the network ${d}`);
  }
  return d;
}

/** Workspace floats of {@link modelScore} and {@link modelEnergy} at this batch size. */
export function modelWorkspaceFloats(net: MlpLayout, batch: number): number {
  expectInt('modelWorkspaceFloats', 'batch', batch);
  return net.core.exports.modelWorkspaceFloats(net.dimsBuf.ptr, net.layers, batch);
}

/** out [B, d] = s(x; sigma) at x [B, d] (sigma is ignored by unconditioned models; pass 1). */
export function modelScore(
  core: Core,
  spec: ModelSpec,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  batch: number,
  sigma: number,
  out: F32Buffer,
  ws: F32Buffer,
): void {
  const k = 'modelScore';
  const d = modelDataDim(spec, net, k);
  checkCommon(k, net, params, x, batch, d, sigma, ws);
  expectLength(k, 'out', out, batch * d, `batch*d ${batch}*${d}`);
  core.exports.modelScore(
    modelKinds[spec.kind],
    conditionings[spec.conditioning],
    sigma,
    conditioningPointer(spec),
    net.dimsBuf.ptr,
    net.layers,
    net.act,
    params.ptr,
    x.ptr,
    batch,
    out.ptr,
    ws.ptr,
  );
}

/** out [B] = E(x; sigma) of an energy model at x [B, d]. */
export function modelEnergy(
  core: Core,
  spec: ModelSpec,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  batch: number,
  sigma: number,
  out: F32Buffer,
  ws: F32Buffer,
): void {
  const k = 'modelEnergy';
  if (spec.kind !== 'energy') throw new InputError(`${k}: a ${spec.kind} model has no energy`);
  const d = modelDataDim(spec, net, k);
  checkCommon(k, net, params, x, batch, d, sigma, ws);
  expectLength(k, 'out', out, batch, 'batch');
  core.exports.modelEnergy(
    conditionings[spec.conditioning],
    sigma,
    conditioningPointer(spec),
    net.dimsBuf.ptr,
    net.layers,
    net.act,
    params.ptr,
    x.ptr,
    batch,
    out.ptr,
    ws.ptr,
  );
}

function checkCommon(
  k: string,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  batch: number,
  d: number,
  sigma: number,
  ws: F32Buffer,
): void {
  expectInt(k, 'batch', batch);
  expectFinite(k, 'sigma', sigma, true);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'x', x, batch * d, `batch*d ${batch}*${d}`);
  expectLength(k, 'ws', ws, modelWorkspaceFloats(net, batch), 'modelWorkspaceFloats', true);
}

/** Workspace floats of {@link modelScoreDivergence} at this batch size with `probes` Hutchinson probes (0: exact). */
export function modelDivergenceWorkspaceFloats(spec: ModelSpec, net: MlpLayout, batch: number, probes = 0): number {
  expectInt('modelDivergenceWorkspaceFloats', 'batch', batch);
  expectInt('modelDivergenceWorkspaceFloats', 'probes', probes, 0);
  return net.core.exports.modelDivergenceWorkspaceFloats(modelKinds[spec.kind], net.dimsBuf.ptr, net.layers, batch, probes);
}

/**
 * score [B, d] = s(x; sigma) and divergence [B] = tr(grad_x s) at x [B, d], in one jet pass: exact with d
 * lanes, or Hutchinson's estimate over the probes v [B, M, d] (E[v v^T] = I) when given.
 * see: Hutchinson 1989; Grathwohl et al. 2019 (FFJORD), eq. (5).
 */
export function modelScoreDivergence(
  core: Core,
  spec: ModelSpec,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  batch: number,
  sigma: number,
  out: { score: F32Buffer; divergence: F32Buffer },
  ws: F32Buffer,
  probes?: { v: F32Buffer; count: number },
): void {
  const k = 'modelScoreDivergence';
  const d = modelDataDim(spec, net, k);
  expectInt(k, 'batch', batch);
  expectFinite(k, 'sigma', sigma, true);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'x', x, batch * d, `batch*d ${batch}*${d}`);
  expectLength(k, 'score', out.score, batch * d, `batch*d ${batch}*${d}`);
  expectLength(k, 'divergence', out.divergence, batch, 'batch');
  const M = probes?.count ?? 0;
  if (probes) {
    expectInt(k, 'probes', M);
    expectLength(k, 'probes.v', probes.v, batch * M * d, `batch*probes*d ${batch}*${M}*${d}`);
  }
  expectLength(k, 'ws', ws, modelDivergenceWorkspaceFloats(spec, net, batch, M), 'modelDivergenceWorkspaceFloats', true);
  core.exports.modelScoreDivergence(
    modelKinds[spec.kind],
    conditionings[spec.conditioning],
    sigma,
    conditioningPointer(spec),
    net.dimsBuf.ptr,
    net.layers,
    net.act,
    params.ptr,
    x.ptr,
    batch,
    probes?.v.ptr ?? 0,
    M,
    out.score.ptr,
    out.divergence.ptr,
    ws.ptr,
  );
}
