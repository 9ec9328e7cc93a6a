import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, type Core } from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors } from '@scorefield/formats';
import { ScoreModel } from './model.js';
import { decodeModel, encodeModel } from './checkpoint.js';

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
t = {k: np.frombuffer(raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]], dtype='<f4').reshape(v['shape']) for k, v in header.items()}
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
      'x.safetensors: model format version 2 (written by scorefield 9.9.9) is not supported by scorefield 0.1.0, which reads version 1',
    );
    expect(() =>
      decodeModel(
        core,
        rewrite({ activation: 'x', architecture: '{"kind":"score-mlp","dims":[2,5,3,2],"activation":"relu"}' }),
        'x.safetensors',
      ),
    ).toThrow("x.safetensors: unknown activation 'relu'; valid: silu, softplus, tanh, elu");
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
});
