import {
  activations,
  conditionings,
  EMBED_FEATURES,
  InputError,
  modelDims,
  type Activation,
  type Conditioning,
  type Core,
  type ModelKind,
} from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors } from '@scorefield/formats';
import { ScoreModel, type TrainingRecord } from './model.js';

/** Version of the model file layout; bumped when a reader of an older layout could misread a newer file. */
export const MODEL_FORMAT_VERSION = 1;
export const LIBRARY_VERSION = '0.1.0';

/**
 * Tensor names follow PyTorch's nn.Sequential(Linear, act, Linear, act, ..., Linear): linear layer l is
 * `net.{2l}` with weight [out, in] and bias [out], so `model.load_state_dict` reads the file directly.
 */
function tensorName(layer: number, part: 'weight' | 'bias'): string {
  return `net.${2 * layer}.${part}`;
}

/** Serialises a model to safetensors bytes; the metadata makes the file self-describing. */
export function encodeModel(model: ScoreModel): Uint8Array {
  const p = model.params.view;
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  model.layout.paramOffsets().forEach((o, l) => {
    const weight = new Float32Array(o.inputs * o.outputs);
    for (let i = 0; i < o.inputs; i++) for (let j = 0; j < o.outputs; j++) weight[j * o.inputs + i] = p[o.w + i * o.outputs + j];
    tensors[tensorName(l, 'weight')] = { dtype: 'F32', shape: [o.outputs, o.inputs], data: weight };
    tensors[tensorName(l, 'bias')] = { dtype: 'F32', shape: [o.outputs], data: p.slice(o.b, o.b + o.outputs) };
  });
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

/** Loads a model from safetensors bytes; `source` (a file name) appears in every error. */
export function decodeModel(core: Core, bytes: Uint8Array, source = 'model'): ScoreModel {
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  const fail = (msg: string): never => {
    throw new InputError(`${source}: ${msg}`);
  };
  if (metadata.format !== 'scorefield-model')
    fail(`not a scorefield model (metadata 'format' is ${JSON.stringify(metadata.format ?? null)})`);
  const version = Number(metadata.format_version);
  if (version !== MODEL_FORMAT_VERSION) {
    fail(
      `model format version ${metadata.format_version} (written by scorefield ${metadata.library_version ?? 'unknown'}) is not supported by scorefield ${LIBRARY_VERSION}, which reads version ${MODEL_FORMAT_VERSION}`,
    );
  }
  const arch = parseJson(metadata.architecture, 'architecture', fail) as {
    kind?: string;
    dims?: number[];
    activation?: string;
    conditioning?: string;
  };
  const kinds: Record<string, ModelKind> = { 'score-mlp': 'score', 'energy-mlp': 'energy' };
  if (
    !Object.hasOwn(kinds, arch.kind ?? '') ||
    !Array.isArray(arch.dims) ||
    arch.dims.length < 2 ||
    !arch.dims.every((v) => Number.isInteger(v) && v > 0)
  ) {
    fail(`metadata 'architecture' is not a valid score-mlp or energy-mlp: ${metadata.architecture}`);
  }
  const kind = kinds[arch.kind!];
  const conditioning = (arch.conditioning ?? 'none') as Conditioning;
  if (!(conditioning in conditionings)) fail(`unknown conditioning '${conditioning}'; valid: ${Object.keys(conditionings).join(', ')}`);
  const dims = arch.dims!;
  const d = dims[0] - (conditioning === 'embed' || conditioning === 'both' ? EMBED_FEATURES : 0);
  const expected = d >= 1 ? modelDims({ kind, conditioning }, d, dims.slice(1, -1)) : [];
  if (expected.join() !== dims.join()) {
    fail(
      `a ${kind} model with conditioning '${conditioning}' cannot have widths [${dims.join(', ')}]${d >= 1 ? ` (expected [${expected.join(', ')}])` : ''}`,
    );
  }
  if (!(arch.activation! in activations)) fail(`unknown activation '${arch.activation}'; valid: ${Object.keys(activations).join(', ')}`);
  const norm = parseJson(metadata.normalization, 'normalization', fail) as { mean?: number[]; std?: number[]; constant?: number[] };
  const okVector = (v: unknown, positive: boolean) =>
    Array.isArray(v) && v.length === d && v.every((x) => Number.isFinite(x) && (!positive || x > 0));
  if (!okVector(norm.mean, false) || !okVector(norm.std, true))
    fail(`metadata 'normalization' must hold ${d} means and ${d} positive stds`);
  if (norm.constant !== undefined && !(Array.isArray(norm.constant) && norm.constant.every((k) => Number.isInteger(k) && k >= 0 && k < d)))
    fail(`metadata 'normalization' field constant must list coordinates 0 to ${d - 1}`);
  const training = metadata.loss ? readTraining(metadata, fail) : undefined;
  const model = new ScoreModel(
    core,
    { dim: d, hidden: dims.slice(1, -1), activation: arch.activation as Activation, kind, conditioning },
    { mean: norm.mean!, std: norm.std!, ...(norm.constant?.length ? { constant: norm.constant } : {}) },
    training,
  );
  const p = model.params.view;
  model.layout.paramOffsets().forEach((o, l) => {
    const w = tensors[tensorName(l, 'weight')],
      b = tensors[tensorName(l, 'bias')];
    if (!w || !b) {
      model.free();
      fail(`missing tensor ${!w ? tensorName(l, 'weight') : tensorName(l, 'bias')}`);
    }
    if (w.shape.join() !== `${o.outputs},${o.inputs}` || b.shape.join() !== `${o.outputs}`) {
      model.free();
      fail(`layer ${l}: tensor shapes [${w.shape}] and [${b.shape}] do not match the architecture (${o.inputs} -> ${o.outputs})`);
    }
    for (let i = 0; i < o.inputs; i++) for (let j = 0; j < o.outputs; j++) p[o.w + i * o.outputs + j] = w.data[j * o.inputs + i];
    p.set(b.data, o.b);
  });
  if (!p.every(Number.isFinite)) {
    model.free();
    fail('parameters contain NaN or Inf');
  }
  return model;
}

function parseJson(text: string | undefined, field: string, fail: (m: string) => never): unknown {
  if (text === undefined) fail(`metadata '${field}' is missing`);
  try {
    return JSON.parse(text!);
  } catch {
    return fail(`metadata '${field}' is not valid JSON`);
  }
}

function readTraining(m: Record<string, string>, fail: (msg: string) => never): TrainingRecord {
  const loss = parseJson(m.loss, 'loss', fail) as TrainingRecord['loss'];
  const t = parseJson(m.training ?? '{}', 'training', fail) as {
    batch?: number;
    lr?: number;
    data?: string | null;
    lrDecay?: 'cosine';
    ema?: number;
    lossAverage?: number;
  };
  for (const key of ['ema', 'lossAverage'] as const)
    if (t[key] !== undefined && !Number.isFinite(t[key])) fail(`metadata 'training' field ${key} is not a finite number`);
  const curve =
    m.loss_curve === undefined ? undefined : (parseJson(m.loss_curve, 'loss_curve', fail) as { every?: number; values?: number[] });
  if (curve && !(Number.isInteger(curve.every) && Array.isArray(curve.values))) fail("metadata 'loss_curve' is not {every, values}");
  return {
    loss,
    seed: Number(m.seed),
    steps: Number(m.steps),
    batch: Number(t.batch),
    lr: Number(t.lr),
    data: t.data ?? undefined,
    ...(t.lrDecay ? { lrDecay: t.lrDecay } : {}),
    ...(t.ema !== undefined ? { ema: t.ema } : {}),
    ...(t.lossAverage !== undefined ? { lossAverage: t.lossAverage } : {}),
    ...(curve ? { curve: curve as { every: number; values: number[] } } : {}),
  };
}
