import {
  checkFourier,
  checkGaussian,
  checkMixture,
  EMBED_FEATURES,
  InputError,
  modelDims,
  type Core,
  type FourierSpec,
  type GaussianSpec,
  type MixtureSpec,
} from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors, excerpt } from '@scorefield/formats';
import { ScoreModel, type DataBox, type ImageShape, type TrainingRecord } from './model.js';
import { PACKAGE_VERSION } from './version.js';
import * as schema from './model-schema.js';

/** Version of the model file layout; bumped when a reader of an older layout could misread a newer file. */
export const MODEL_FORMAT_VERSION = 1;
/** The version of @scorefield/models, recorded in every model file it writes (from package.json at build time). */
export const LIBRARY_VERSION = PACKAGE_VERSION;

/**
 * Tensor names follow PyTorch's nn.Sequential(Linear, act, Linear, act, ..., Linear): linear layer l is
 * `net.{2l}` with weight [out, in] and bias [out], so `model.load_state_dict` reads the file directly.
 */
function tensorName(layer: number, part: 'weight' | 'bias'): string {
  return `net.${2 * layer}.${part}`;
}

/**
 * A 'gaussian' model's Gaussian (model.ts, gaussian-fit.ts) is four more tensors, outside `net.` (PyTorch loads the
 * network with them popped: docs/python.md): mean [d], vectors [k, d], variances [k], rest [1].
 */
const GAUSSIAN_TENSORS = { mean: 'gaussian.mean', vectors: 'gaussian.vectors', variances: 'gaussian.variances', rest: 'gaussian.rest' };

/** A 'fourier' model's frequencies B [m, d] (fourier-features.ts in core-math): one more tensor outside `net.`. */
const FOURIER_TENSOR = 'fourier.frequencies';

/**
 * A 'mixture' model's mixture (mixture-fit.ts) is five tensors, outside `net.`: the K components' stacked Gaussians,
 * means [K, d], vectors [K, k, d], variances [K, k], rests [K], and their weights [K].
 */
const MIXTURE_TENSORS = {
  mean: 'mixture.means',
  vectors: 'mixture.vectors',
  variances: 'mixture.variances',
  rest: 'mixture.rests',
  weights: 'mixture.weights',
};

/**
 * Serialises a model to safetensors bytes; the metadata makes the file self-describing. A model whose
 * normalisation, parameters or loss curve is not finite is refused (an Error naming the cause), so such
 * a file is never written: every reader would refuse it, or sample garbage from it.
 */
export function encodeModel(model: ScoreModel): Uint8Array {
  checkFinite(model);
  const p = model.params.view;
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  model.layout.paramOffsets().forEach((o, l) => {
    const weight = new Float32Array(o.inputs * o.outputs);
    for (let i = 0; i < o.inputs; i++) for (let j = 0; j < o.outputs; j++) weight[j * o.inputs + i] = p[o.w + i * o.outputs + j];
    tensors[tensorName(l, 'weight')] = { dtype: 'F32', shape: [o.outputs, o.inputs], data: weight };
    tensors[tensorName(l, 'bias')] = { dtype: 'F32', shape: [o.outputs], data: p.slice(o.b, o.b + o.outputs) };
  });
  const g = model.spec.gaussian?.spec;
  if (g) {
    const d = g.mean.length,
      k = g.variances.length;
    tensors[GAUSSIAN_TENSORS.mean] = { dtype: 'F32', shape: [d], data: Float32Array.from(g.mean) };
    tensors[GAUSSIAN_TENSORS.vectors] = { dtype: 'F32', shape: [k, d], data: Float32Array.from(g.vectors) };
    tensors[GAUSSIAN_TENSORS.variances] = { dtype: 'F32', shape: [k], data: Float32Array.from(g.variances) };
    tensors[GAUSSIAN_TENSORS.rest] = { dtype: 'F32', shape: [1], data: Float32Array.of(g.rest) };
  }
  const fourier = model.spec.fourier;
  if (fourier) {
    tensors[FOURIER_TENSOR] = { dtype: 'F32', shape: [fourier.count, fourier.dim], data: Float32Array.from(fourier.spec.frequencies) };
  }
  const mix = model.spec.mixture?.spec;
  if (mix) {
    const K = mix.components.length,
      d = mix.components[0].mean.length,
      k = mix.components[0].variances.length;
    const stack = (part: (g: GaussianSpec) => ArrayLike<number>) => {
      const out: number[] = [];
      for (const g of mix.components) out.push(...Array.from(part(g)));
      return Float32Array.from(out);
    };
    tensors[MIXTURE_TENSORS.mean] = { dtype: 'F32', shape: [K, d], data: stack((g) => g.mean) };
    tensors[MIXTURE_TENSORS.vectors] = { dtype: 'F32', shape: [K, k, d], data: stack((g) => g.vectors) };
    tensors[MIXTURE_TENSORS.variances] = { dtype: 'F32', shape: [K, k], data: stack((g) => g.variances) };
    tensors[MIXTURE_TENSORS.rest] = { dtype: 'F32', shape: [K], data: stack((g) => [g.rest]) };
    tensors[MIXTURE_TENSORS.weights] = { dtype: 'F32', shape: [K], data: Float32Array.from(mix.weights) };
  }
  const metadata: Record<string, string> = {
    format: 'scorefield-model',
    format_version: String(MODEL_FORMAT_VERSION),
    library_version: LIBRARY_VERSION,
    architecture: JSON.stringify({
      kind: `${model.spec.kind}-mlp`,
      dims: model.layout.dims,
      activation: model.config.activation,
      conditioning: model.spec.conditioning,
    }),
    normalization: JSON.stringify(model.normalization),
    ...(model.image && { image: JSON.stringify({ width: model.image.width, height: model.image.height }) }),
    ...(model.box && { data_box: JSON.stringify({ lower: model.box.lower, upper: model.box.upper }) }),
    ...(model.columns && { columns: JSON.stringify(model.columns) }),
  };
  if (model.training) {
    const t = model.training;
    Object.assign(metadata, {
      loss: JSON.stringify(t.loss),
      seed: String(t.seed),
      steps: String(t.steps),
      training: JSON.stringify({
        batch: t.batch,
        lr: t.lr,
        data: t.data ?? null,
        ...(t.lrDecay ? { lrDecay: t.lrDecay } : {}),
        ...(t.ema !== undefined ? { ema: t.ema } : {}),
        ...(t.lossAverage !== undefined ? { lossAverage: t.lossAverage } : {}),
      }),
      ...(t.curve ? { loss_curve: JSON.stringify(t.curve) } : {}),
    });
  }
  return encodeSafetensors(tensors, metadata);
}

/** Throws an Error naming the first non-finite number of the model (not an input error: the run made it). */
function checkFinite(model: ScoreModel): void {
  const refuse = (what: string): never => {
    throw new Error(`the model's ${what}; not written`);
  };
  const { mean, std } = model.normalization;
  mean.forEach((v, k) => {
    if (!Number.isFinite(v))
      refuse(`normalisation is not finite (mean of coordinate ${k} (0-based) is ${v}): the data overflow when standardised`);
  });
  std.forEach((v, k) => {
    if (!(Number.isFinite(v) && v > 0))
      refuse(`normalisation is not finite (std of coordinate ${k} (0-based) is ${v}): the data overflow when standardised`);
  });
  const bad = model.params.view.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) refuse(`parameters are not finite (parameter ${bad} is ${model.params.view[bad]}): training diverged`);
  const curve = model.training?.curve?.values ?? [];
  const badLoss = curve.findIndex((v) => !Number.isFinite(v));
  if (badLoss >= 0) refuse(`loss is not finite (loss curve point ${badLoss + 1} is ${curve[badLoss]}): training diverged`);
}

/**
 * Limits on the models {@link decodeModel} accepts. `maxParams` (2^27 = 134M parameters, 512 MiB of f32)
 * follows from WASM's 4 GiB memory: training holds about 8 copies of the parameters (weights, gradient,
 * Adam's two moments, workspaces); a caller that knows the machine passes a lower one.
 */
export const MODEL_LIMITS = { maxParams: 2 ** 27 };

/** Options of {@link decodeModel}. */
export interface DecodeModelOptions {
  /** Most parameters accepted (default {@link MODEL_LIMITS}.maxParams). */
  maxParams?: number;
}

/**
 * Loads a model from safetensors bytes; `source` (a file name) appears in every error. Every metadata field
 * is checked against the schema (model-schema.ts), the parameter count against `maxParams` and every
 * tensor against the architecture before any WASM memory is allocated.
 */
export function decodeModel(core: Core, bytes: Uint8Array, source = 'model', options: DecodeModelOptions = {}): ScoreModel {
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  const fail = (msg: string): never => {
    throw new InputError(`${source}: ${msg}`);
  };
  if (metadata.format !== 'scorefield-model')
    fail(`not a scorefield model (metadata 'format' is ${JSON.stringify(metadata.format ?? null)})`);
  const version = Number(metadata.format_version);
  if (version !== MODEL_FORMAT_VERSION) {
    fail(
      `model format version ${excerpt(metadata.format_version ?? 'missing')} (written by scorefield ` +
        `${excerpt(metadata.library_version ?? 'unknown')}) is not supported by scorefield ${LIBRARY_VERSION}, which reads version ` +
        `${MODEL_FORMAT_VERSION}`,
    );
  }
  let arch: schema.Architecture, norm: { mean: number[]; std: number[]; constant?: number[] }, training: TrainingRecord | undefined;
  let image: ImageShape | undefined;
  let box: DataBox | undefined;
  let columns: string[] | undefined;
  try {
    arch = schema.architecture(metadata.architecture, "'architecture'");
    const count =
      arch.conditioning === 'fourier'
        ? (tensors[FOURIER_TENSOR]?.shape[0] ?? fail(`conditioning 'fourier' needs tensor ${FOURIER_TENSOR}`))
        : 0;
    const embed = ['embed', 'both', 'precond', 'gaussian', 'fourier', 'mixture'].includes(arch.conditioning) ? EMBED_FEATURES : 0;
    const d = arch.dims[0] - 2 * count - embed;
    const spec = { kind: arch.kind, conditioning: arch.conditioning, fourier: { count } };
    const expected = d >= 1 ? modelDims(spec, d, arch.dims.slice(1, -1)) : [];
    if (expected.join() !== arch.dims.join()) {
      fail(
        `a ${arch.kind} model with conditioning '${arch.conditioning}' cannot have widths ` +
          `[${arch.dims.join(', ')}]${d >= 1 ? ` (expected [${expected.join(', ')}])` : ''}`,
      );
    }
    norm = schema.normalization(d)(metadata.normalization, "'normalization'");
    training = metadata.loss !== undefined ? schema.trainingRecord(metadata) : undefined;
    image = metadata.image === undefined ? undefined : schema.imageShape(d)(metadata.image, "'image'");
    box = metadata.data_box === undefined ? undefined : schema.dataBox(d)(metadata.data_box, "'data_box'");
    columns = metadata.columns === undefined ? undefined : schema.columns(d)(metadata.columns, "'columns'");
  } catch (e) {
    if (e instanceof schema.SchemaError) return fail(e.message);
    throw e;
  }
  const { dims } = arch;
  const maxParams = options.maxParams ?? MODEL_LIMITS.maxParams;
  const params = dims.slice(1).reduce((n, out, l) => n + (dims[l] + 1) * out, 0);
  if (params > maxParams) fail(`architecture [${dims.join(', ')}] has ${params} parameters, more than the limit of ${maxParams}`);
  // The tensors, checked before the model allocates its memory.
  const layers = dims.slice(1).map((outputs, l) => {
    const inputs = dims[l];
    const w = tensors[tensorName(l, 'weight')],
      b = tensors[tensorName(l, 'bias')];
    if (!w || !b) return fail(`missing tensor ${!w ? tensorName(l, 'weight') : tensorName(l, 'bias')}`);
    if (w.shape.join() !== `${outputs},${inputs}` || b.shape.join() !== `${outputs}`)
      fail(`layer ${l}: tensor shapes [${w.shape}] and [${b.shape}] do not match the architecture (${inputs} -> ${outputs})`);
    if (!w.data.every(Number.isFinite) || !b.data.every(Number.isFinite)) fail('parameters contain NaN or Inf');
    return { w, b };
  });
  const gaussian = arch.conditioning === 'gaussian' ? decodeGaussian(tensors, norm.mean.length, fail) : undefined;
  const mixture = arch.conditioning === 'mixture' ? decodeMixture(tensors, norm.mean.length, fail) : undefined;
  const fourier = arch.conditioning === 'fourier' ? decodeFourier(tensors, norm.mean.length, fail) : undefined;
  const model = new ScoreModel(
    core,
    {
      dim: norm.mean.length,
      hidden: dims.slice(1, -1),
      activation: arch.activation,
      kind: arch.kind,
      conditioning: arch.conditioning,
      ...(gaussian && { gaussian }),
      ...(mixture && { mixture }),
      ...(fourier && { fourier }),
    },
    norm,
    training,
  );
  const p = model.params.view;
  model.layout.paramOffsets().forEach((o, l) => {
    const { w, b } = layers[l];
    for (let i = 0; i < o.inputs; i++) for (let j = 0; j < o.outputs; j++) p[o.w + i * o.outputs + j] = w.data[j * o.inputs + i];
    p.set(b.data, o.b);
  });
  if (image) model.image = image;
  if (box) model.box = box;
  if (columns) model.columns = columns;
  return model;
}

/** The Gaussian of a 'gaussian' model's file, checked (shapes, finite, variances >= 0) before anything is allocated. */
function decodeGaussian(
  tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>,
  d: number,
  fail: (msg: string) => never,
): GaussianSpec {
  const [mean, vectors, variances, rest] = (['mean', 'vectors', 'variances', 'rest'] as const).map((key) => {
    const t = tensors[GAUSSIAN_TENSORS[key]];
    return t ?? fail(`conditioning 'gaussian' needs tensor ${GAUSSIAN_TENSORS[key]}`);
  });
  const k = variances.shape[0] ?? -1;
  if (mean.shape.join() !== `${d}` || vectors.shape.join() !== `${k},${d}` || variances.shape.length !== 1 || rest.shape.join() !== '1')
    fail(
      `the Gaussian's tensor shapes [${mean.shape}], [${vectors.shape}], [${variances.shape}], [${rest.shape}] ` +
        `do not fit dimension ${d} (expected [${d}], [k, ${d}], [k], [1])`,
    );
  const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
  const spec = { mean: f32(mean.data), vectors: f32(vectors.data), variances: f32(variances.data), rest: Math.fround(rest.data[0]) };
  failOnInputError(() => checkGaussian(spec, d, "the model's Gaussian"), fail);
  return spec;
}

/** Runs a core-math check of a decoded block, turning its one-line InputError into the file's refusal. */
function failOnInputError(check: () => void, fail: (msg: string) => never): void {
  try {
    check();
  } catch (e) {
    if (e instanceof InputError) fail(e.message);
    throw e;
  }
}

/** The mixture of a 'mixture' model's file, checked (shapes, finite, variances >= 0, weights) before anything is allocated. */
function decodeMixture(
  tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>,
  d: number,
  fail: (msg: string) => never,
): MixtureSpec {
  const [mean, vectors, variances, rest, weights] = (['mean', 'vectors', 'variances', 'rest', 'weights'] as const).map((key) => {
    const t = tensors[MIXTURE_TENSORS[key]];
    return t ?? fail(`conditioning 'mixture' needs tensor ${MIXTURE_TENSORS[key]}`);
  });
  const K = weights.shape[0] ?? -1,
    k = variances.shape[1] ?? -1;
  if (
    weights.shape.length !== 1 ||
    mean.shape.join() !== `${K},${d}` ||
    vectors.shape.join() !== `${K},${k},${d}` ||
    variances.shape.join() !== `${K},${k}` ||
    rest.shape.join() !== `${K}`
  )
    fail(
      `the mixture's tensor shapes [${mean.shape}], [${vectors.shape}], [${variances.shape}], [${rest.shape}], [${weights.shape}] ` +
        `do not fit dimension ${d} (expected [K, ${d}], [K, k, ${d}], [K, k], [K], [K])`,
    );
  const part = (a: ArrayLike<number>, c: number, size: number) =>
    Float32Array.from(Array.prototype.slice.call(a, c * size, (c + 1) * size));
  const spec: MixtureSpec = {
    components: Array.from({ length: K }, (_, c) => ({
      mean: part(mean.data, c, d),
      vectors: part(vectors.data, c, k * d),
      variances: part(variances.data, c, k),
      rest: Math.fround(rest.data[c]),
    })),
    weights: Float32Array.from(weights.data),
  };
  failOnInputError(() => checkMixture(spec, d), fail);
  return spec;
}

/** The frequencies of a 'fourier' model's file, checked (shape [m, d], finite) before anything is allocated. */
function decodeFourier(
  tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>,
  d: number,
  fail: (msg: string) => never,
): FourierSpec {
  const t = tensors[FOURIER_TENSOR] ?? fail(`conditioning 'fourier' needs tensor ${FOURIER_TENSOR}`);
  if (t.shape.length !== 2 || t.shape[1] !== d || !(t.shape[0] >= 1))
    fail(`tensor ${FOURIER_TENSOR} has shape [${t.shape}], expected [m, ${d}] with m >= 1`);
  const spec = { frequencies: Float32Array.from(t.data) };
  failOnInputError(() => checkFourier(spec, d, "the model's frequencies"), fail);
  return spec;
}
