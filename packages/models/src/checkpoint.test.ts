import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, type Core } from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors } from '@scorefield/formats';
import { COLUMN_NAME_RULE } from '@scorefield/formats';
import { checkColumns, dataBox, ScoreModel } from './model.js';
import { decodeModel, encodeModel, LIBRARY_VERSION } from './checkpoint.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

function makeModel(): ScoreModel {
  const m = ScoreModel.create(core, { dim: 2, hidden: [5, 3], activation: 'tanh' }, { mean: [1, -2], std: [0.5, 3] }, 9);
  m.training = { loss: { name: 'dsm', sigma: 0.1 }, seed: 9, steps: 10, batch: 4, lr: 0.001, data: 'gmm3' };
  return m;
}

const hasNumpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('model files', () => {
  it('round-trip: same parameters, architecture, normalisation and training record', () => {
    const m = makeModel();
    const back = decodeModel(core, encodeModel(m), 'm.safetensors');
    expect(Array.from(back.params.view)).toEqual(Array.from(m.params.view));
    expect(back.config).toEqual({ ...m.config, kind: 'score', conditioning: 'none' });
    expect(back.spec).toEqual(m.spec);
    expect(back.normalization).toEqual(m.normalization);
    expect(back.training).toEqual(m.training);
    const pts = { data: [0.3, -1, 2, 2], rows: 2, cols: 2 };
    expect(Array.from(back.score(pts))).toEqual(Array.from(m.score(pts)));
  });

  it("keeps the data's box and column names; the box guards the samplers of VE-type noise-conditional models only (standardised)", () => {
    const config = { dim: 2, hidden: [5], activation: 'silu' as const, conditioning: 'both' as const };
    const m = ScoreModel.create(core, config, { mean: [1, -2], std: [0.5, 4] }, 4);
    m.training = { loss: { name: 'ncsn', sigmas: [1, 0.1] }, seed: 4, steps: 0, batch: 4, lr: 0.001 };
    m.box = dataBox({ data: [0, -10, 3, 2, 1.5, 6], rows: 3, cols: 2 });
    expect(m.box).toEqual({ lower: [0, -10], upper: [3, 6] });
    m.columns = checkColumns(['height', 'weight (kg)'], 2);
    expect(() => checkColumns(['a', 'b,c'], 2, 'cols')).toThrow(`cols: name 1 (0-based) must be ${COLUMN_NAME_RULE}`);
    const back = decodeModel(core, encodeModel(m), 'b.safetensors');
    expect(back.box).toEqual(m.box);
    expect(back.columns).toEqual(['height', 'weight (kg)']);
    expect(back.denoiserBox()).toEqual({ lower: [-2, -2], upper: [4, 2] });
    expect(decodeModel(core, encodeModel(makeModel()), 'm.safetensors').box).toBeUndefined();
    back.training = { ...m.training, loss: { name: 'continuous', sde: 'vp' } };
    expect(back.denoiserBox()).toBeUndefined(); // x = alpha x0 + sigma z: not x + sigma^2 s
    back.training = { ...m.training, loss: { name: 'continuous', sde: 've', sigmaMax: 5, sigmaMin: 0.01 } };
    expect(back.denoiserBox()).toBeDefined();
    const none = makeModel(); // dsm, conditioning none: reads no sigma
    none.box = m.box;
    expect(none.denoiserBox()).toBeUndefined();
  });

  it("a 'fourier' model keeps its frequencies (tensor fourier.frequencies [m, d]) and its scores; broken ones are refused", () => {
    const config = { dim: 2, hidden: [5], activation: 'silu' as const, conditioning: 'fourier' as const };
    const m = ScoreModel.create(core, config, { mean: [1, -2], std: [0.5, 3] }, 4);
    m.training = { loss: { name: 'ncsn', sigmas: [1, 0.1] }, seed: 4, steps: 0, batch: 4, lr: 0.001 };
    expect(m.layout.dims).toEqual([2 + 2 * 16 + 7, 5, 2]); // 16 frequencies: a sine and a cosine each
    const bytes = encodeModel(m);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(tensors['fourier.frequencies'].shape).toEqual([16, 2]);
    expect(Array.from(tensors['fourier.frequencies'].data)).toEqual(Array.from(m.spec.fourier!.spec.frequencies));
    const back = decodeModel(core, bytes, 'f.safetensors');
    expect(back.spec.conditioning).toBe('fourier');
    const pts = { data: [0.3, -1, 2, 2], rows: 2, cols: 2 };
    expect(Array.from(back.score(pts, 0.2))).toEqual(Array.from(m.score(pts, 0.2)));
    // Another draw of B gives another model: the frequencies are read, not redrawn.
    const other = ScoreModel.create(core, config, { mean: [1, -2], std: [0.5, 3] }, 5);
    expect(Array.from(other.spec.fourier!.spec.frequencies)).not.toEqual(Array.from(m.spec.fourier!.spec.frequencies));
    const rewrite = (t: object) => encodeSafetensors(t as never, metadata);
    const { 'fourier.frequencies': _, ...without } = tensors;
    expect(() => decodeModel(core, rewrite(without), 'f.safetensors')).toThrow(
      "f.safetensors: conditioning 'fourier' needs tensor fourier.frequencies",
    );
    const wide = { ...tensors, 'fourier.frequencies': { dtype: 'F32', shape: [8, 2], data: new Float32Array(16) } };
    expect(() => decodeModel(core, rewrite(wide), 'f.safetensors')).toThrow(
      "f.safetensors: a score model with conditioning 'fourier' cannot have widths [41, 5, 2] (expected [41, 5, 18])",
    );
    const nan = { ...tensors, 'fourier.frequencies': { ...tensors['fourier.frequencies'], data: new Float32Array(32).fill(NaN) } };
    expect(() => decodeModel(core, rewrite(nan), 'f.safetensors')).toThrow(
      "f.safetensors: the model's frequencies: frequencies must be finite",
    );
  });

  it('uses PyTorch nn.Sequential names and [out, in] weights', () => {
    const { tensors, metadata } = decodeSafetensors(encodeModel(makeModel()));
    expect(Object.keys(tensors).sort()).toEqual(['net.0.bias', 'net.0.weight', 'net.2.bias', 'net.2.weight', 'net.4.bias', 'net.4.weight']);
    expect(tensors['net.0.weight'].shape).toEqual([5, 2]);
    expect(tensors['net.4.weight'].shape).toEqual([2, 3]);
    expect(metadata.format).toBe('scorefield-model');
    expect(JSON.parse(metadata.architecture)).toEqual({ kind: 'score-mlp', dims: [2, 5, 3, 2], activation: 'tanh', conditioning: 'none' });
  });

  it.skipIf(!hasNumpy)('an independent numpy forward pass over the file gives the same score (requires /usr/bin/python3 + numpy)', () => {
    const m = makeModel();
    const dir = mkdtempSync(join(tmpdir(), 'sf-model-'));
    const file = join(dir, 'm.safetensors');
    writeFileSync(file, encodeModel(m));
    const py = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n]); meta = header.pop('__metadata__')
def tensor(v):
    a, b = v['data_offsets']
    return np.frombuffer(raw[8 + n + a:8 + n + b], dtype='<f4').reshape(v['shape'])
t = {k: tensor(v) for k, v in header.items()}
norm = json.loads(meta['normalization']); mean, std = np.array(norm['mean']), np.array(norm['std'])
x = np.array([[0.3, -1.0], [2.0, 2.0]]); h = (x - mean) / std
L = len(json.loads(meta['architecture'])['dims']) - 1
for l in range(L):
    h = h @ t[f'net.{2*l}.weight'].astype(np.float64).T + t[f'net.{2*l}.bias']
    if l < L - 1: h = np.tanh(h)
print(json.dumps((h / std).ravel().tolist()))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' })) as number[];
    const s = m.score({ data: [0.3, -1, 2, 2], rows: 2, cols: 2 });
    out.forEach((v, i) => expect(s[i]).toBeCloseTo(v, 5));
  });

  it('refuses foreign, newer and inconsistent files with one line naming the file', () => {
    const good = decodeSafetensors(encodeModel(makeModel()));
    const rewrite = (meta: Record<string, string>, tensors = good.tensors) =>
      encodeSafetensors(tensors as Parameters<typeof encodeSafetensors>[0], { ...good.metadata, ...meta });
    expect(() => decodeModel(core, rewrite({ format: 'other' }), 'x.safetensors')).toThrow(
      `x.safetensors: not a scorefield model (metadata 'format' is "other")`,
    );
    expect(() => decodeModel(core, rewrite({ format_version: '2', library_version: '9.9.9' }), 'x.safetensors')).toThrow(
      `x.safetensors: model format version 2 (written by scorefield 9.9.9) is not supported by scorefield ${LIBRARY_VERSION}, which ` +
        `reads version 1`,
    );
    expect(() =>
      decodeModel(
        core,
        rewrite({ activation: 'x', architecture: '{"kind":"score-mlp","dims":[2,5,3,2],"activation":"relu"}' }),
        'x.safetensors',
      ),
    ).toThrow(`x.safetensors: metadata 'architecture'.activation: expected one of silu, softplus, tanh, elu, found "relu"`);
    expect(() =>
      decodeModel(core, rewrite({ architecture: '{"kind":"energy-mlp","dims":[2,5,3,2],"activation":"tanh"}' }), 'x.safetensors'),
    ).toThrow("x.safetensors: a energy model with conditioning 'none' cannot have widths [2, 5, 3, 2] (expected [2, 5, 3, 1])");
    expect(() =>
      decodeModel(core, rewrite({ architecture: '{"kind":"score-mlp","dims":[2,6,3,2],"activation":"tanh"}' }), 'x.safetensors'),
    ).toThrow('x.safetensors: layer 0: tensor shapes [5,2] and [5] do not match the architecture (2 -> 6)');
    const { 'net.2.bias': _, ...missing } = good.tensors;
    expect(() => decodeModel(core, rewrite({}, missing), 'x.safetensors')).toThrow('x.safetensors: missing tensor net.2.bias');
    const nan = { ...good.tensors, 'net.0.bias': { ...good.tensors['net.0.bias'], data: Float32Array.from([NaN, 0, 0, 0, 0]) } };
    expect(() => decodeModel(core, rewrite({}, nan), 'x.safetensors')).toThrow('x.safetensors: parameters contain NaN or Inf');
    expect(() => decodeModel(core, new Uint8Array([1, 2, 3]), 'x.safetensors')).toThrow(/^x\.safetensors/);
  });

  it('checks every metadata field against the schema, with one line naming the field', () => {
    const good = decodeSafetensors(encodeModel(makeModel()));
    const bytes = (meta: Record<string, string>) => encodeSafetensors(good.tensors as never, { ...good.metadata, ...meta });
    const cases: [Record<string, string>, string][] = [
      [{ normalization: 'null' }, "metadata 'normalization': expected a JSON object, found null"],
      [{ normalization: '{"mean":null,"std":[1,1]}' }, "metadata 'normalization'.mean: expected an array of 2 to 2 values, found null"],
      [{ normalization: '{"mean":[0,0],"std":[1,0]}' }, "metadata 'normalization'.std[1]: expected a finite number > 0, found 0"],
      [{ architecture: 'null' }, "metadata 'architecture': expected a JSON object, found null"],
      [
        { architecture: '{"kind":"score-mlp","dims":null,"activation":"tanh"}' },
        "metadata 'architecture'.dims: expected an array of 2 to 65 values, found null",
      ],
      [
        { architecture: '{"kind":"score-mlp","dims":[2,1e6,2],"activation":"tanh"}' },
        "metadata 'architecture'.dims[1]: expected an integer between 1 and 65536, found 1000000",
      ],
      [
        { architecture: '{"__proto__":{"kind":"score-mlp"},"dims":[2,5,3,2],"activation":"tanh"}' },
        "metadata 'architecture'.kind: expected a value, found undefined",
      ],
      [{ training: 'null' }, "metadata 'training': expected a JSON object, found null"],
      [{ training: '{"batch":"4","lr":0.001}' }, 'metadata \'training\'.batch: expected an integer between 1 and 2147483648, found "4"'],
      [{ loss: 'null' }, "metadata 'loss': expected a JSON object, found null"],
      [{ loss: '{"name":"dsm"}' }, "metadata 'loss'.sigma: expected a value, found undefined"],
      [{ loss: '{"name":"ncsn","sigmas":[1,-1]}' }, "metadata 'loss'.sigmas[1]: expected a finite number > 0, found -1"],
      [
        { loss: '{"name":"constructor"}' },
        'metadata \'loss\'.name: expected one of esm, ssm, ssm-vr, dsm, ncsn, continuous, found "constructor"',
      ],
      [{ columns: '["a","2"]' }, `metadata 'columns'[1]: expected a name of ${COLUMN_NAME_RULE}, found "2"`],
      [{ columns: '["a"]' }, "metadata 'columns': expected an array of 2 to 2 values, found an array of 1"],
      [{ data_box: '{"lower":[0,1],"upper":[1,0]}' }, "metadata 'data_box'.lower[1]: expected at most upper[1] (0), found 1"],
      [{ data_box: '{"lower":[0],"upper":[1,2]}' }, "metadata 'data_box'.lower: expected an array of 2 to 2 values, found an array of 1"],
      [{ loss_curve: '{"every":1,"values":["a","b"]}' }, 'metadata \'loss_curve\'.values[0]: expected a finite number, found "a"'],
      [{ seed: '0x10' }, 'metadata \'seed\': expected a decimal integer up to 4294967295, found "0x10"'],
      [
        { format_version: '2\nx' },
        `model format version 2\\u000ax (written by scorefield ${LIBRARY_VERSION}) is not supported by scorefield ${LIBRARY_VERSION}, ` +
          `which reads version 1`,
      ],
    ];
    for (const [meta, message] of cases)
      expect(() => decodeModel(core, bytes(meta), 'x.safetensors'), message).toThrow(`x.safetensors: ${message}`);
  });

  it('refuses a small file whose architecture claims huge layers before allocating anything', () => {
    const good = decodeSafetensors(encodeModel(makeModel()));
    const before = core.exports.memory.buffer.byteLength;
    const claim = (dims: number[]) =>
      encodeSafetensors(good.tensors as never, {
        ...good.metadata,
        architecture: JSON.stringify({ kind: 'score-mlp', dims, activation: 'tanh', conditioning: 'none' }),
      });
    expect(() => decodeModel(core, claim([2, 30000, 30000, 2]), 'h.safetensors')).toThrow(
      'h.safetensors: architecture [2, 30000, 30000, 2] has 900180002 parameters, more than the limit of 134217728',
    );
    expect(() => decodeModel(core, claim([2, 3000, 3000, 2]), 'h.safetensors')).toThrow(
      'h.safetensors: layer 0: tensor shapes [5,2] and [5] do not match the architecture (2 -> 3000)',
    );
    expect(() => decodeModel(core, encodeModel(makeModel()), 'h.safetensors', { maxParams: 10 })).toThrow(
      'h.safetensors: architecture [2, 5, 3, 2] has 41 parameters, more than the limit of 10',
    );
    expect(core.exports.memory.buffer.byteLength).toBe(before);
  });

  it('never writes a model whose normalisation, parameters or loss curve is not finite', () => {
    const m = makeModel();
    m.normalization.std[1] = Infinity;
    expect(() => encodeModel(m)).toThrow(
      "the model's normalisation is not finite (std of coordinate 1 (0-based) is Infinity): the data overflow when standardised; " +
        'not written',
    );
    const p = makeModel();
    p.params.view[3] = NaN;
    expect(() => encodeModel(p)).toThrow("the model's parameters are not finite (parameter 3 is NaN): training diverged; not written");
    const c = makeModel();
    c.training!.curve = { every: 1, values: [1, Infinity] };
    expect(() => encodeModel(c)).toThrow("the model's loss is not finite (loss curve point 2 is Infinity): training diverged; not written");
  });
});
