import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from './errors.js';
import { hasNumpy, python } from './testing/helpers.js';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.js';

const sample = (): Record<string, Tensor> => ({
  'net.2.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  'net.0.bias': { dtype: 'F32', shape: [3], data: Float32Array.from([0.5, -0.25, 1e-7]) },
  scale: { dtype: 'F64', shape: [], data: Float64Array.from([Math.PI]) },
  empty: { dtype: 'F64', shape: [0, 4], data: new Float64Array(0) },
});
const meta = { format: 'test', note: 'ünïcödé "quoted"' };

/** Builds a file by hand: u64 header length, the header text as given (no padding added), the buffer. */
function buildFile(header: string | object, buffer: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

function headerOf(bytes: Uint8Array): { length: number; text: string; json: Record<string, unknown> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  return { length, text, json: JSON.parse(text) as Record<string, unknown> };
}

function errorOf(bytes: Uint8Array, source?: string): string {
  try {
    decodeSafetensors(bytes, source === undefined ? undefined : { source });
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('E_INPUT');
    return (e as Error).message;
  }
  throw new Error('decodeSafetensors did not throw');
}

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips tensors and metadata', () => {
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(sample(), meta));
    expect(metadata).toEqual(meta);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(sample()).sort());
    for (const [name, t] of Object.entries(sample())) {
      expect(tensors[name].dtype).toBe(t.dtype);
      expect(tensors[name].shape).toEqual(t.shape);
      expect(tensors[name].data).toBeInstanceOf(t.data.constructor);
      expect(tensors[name].data).toEqual(t.data);
    }
  });

  it('returns fresh, aligned copies, not views on the input', () => {
    const bytes = encodeSafetensors(sample());
    const { tensors } = decodeSafetensors(bytes);
    for (const t of Object.values(tensors)) {
      expect(t.data.buffer).not.toBe(bytes.buffer);
      expect(t.data.byteOffset).toBe(0);
    }
    bytes.fill(0);
    expect(Array.from(tensors['net.2.weight'].data)).toEqual([1, 2, 3, 4, 5, 6]);
    // A file inside a larger, oddly offset buffer still reads.
    const host = new Uint8Array(encodeSafetensors(sample()).length + 3);
    host.set(encodeSafetensors(sample()), 3);
    expect(decodeSafetensors(host.subarray(3)).tensors.scale.data[0]).toBe(Math.PI);
    // Node Buffers (what readFileSync returns) often sit inside a shared pool, and Buffer#slice is a view.
    const buffer = Buffer.concat([Buffer.alloc(5, 0xaa), encodeSafetensors(sample())]).subarray(5);
    const fromBuffer = decodeSafetensors(buffer).tensors;
    expect(fromBuffer['net.2.weight'].data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect(fromBuffer['net.2.weight'].data.buffer.byteLength).toBe(24);
  });

  it('omits __metadata__ when there is none and returns {} for it', () => {
    const bytes = encodeSafetensors(sample());
    expect(headerOf(bytes).json).not.toHaveProperty('__metadata__');
    expect(decodeSafetensors(bytes).metadata).toEqual({});
  });

  it('writes deterministic bytes, in sorted name order, whatever the key order', () => {
    const a = encodeSafetensors(sample(), meta);
    const reversed = Object.fromEntries(Object.entries(sample()).reverse());
    const b = encodeSafetensors(reversed, { note: meta.note, format: meta.format });
    expect(b).toEqual(a);
    const { json } = headerOf(a);
    expect(Object.keys(json)).toEqual(['__metadata__', 'empty', 'net.0.bias', 'net.2.weight', 'scale']);
    const begins = Object.keys(json)
      .slice(1)
      .map((k) => (json[k] as { data_offsets: number[] }).data_offsets[0]);
    expect(begins).toEqual([...begins].sort((x, y) => x - y));
  });

  it('pads the header with spaces to a multiple of 8 and tiles the buffer with the offsets', () => {
    const bytes = encodeSafetensors(sample(), meta);
    const { length, text, json } = headerOf(bytes);
    expect(length % 8).toBe(0);
    expect(text).toMatch(/^\{.*\} *$/);
    const spans = Object.entries(json)
      .filter(([k]) => k !== '__metadata__')
      .map(([, v]) => (v as { data_offsets: [number, number] }).data_offsets)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let cursor = 0;
    for (const [b, e] of spans) {
      expect(b).toBe(cursor);
      cursor = e;
    }
    expect(cursor).toBe(bytes.length - 8 - length);
    expect(cursor).toBe(6 * 4 + 3 * 4 + 8);
  });

  it('stores data little-endian', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) } });
    expect(Array.from(bytes.subarray(bytes.length - 4))).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('accepts a tensor named __proto__ as an ordinary name', () => {
    const bytes = encodeSafetensors({ ['__proto__']: { dtype: 'F32', shape: [1], data: Float32Array.from([2]) } } as Record<
      string,
      Tensor
    >);
    const { tensors } = decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
  });

  describe('encoder validation', () => {
    const f32 = (n: number) => new Float32Array(n);
    it.each([
      [
        { a: { dtype: 'F32', shape: [2, 2], data: f32(3) } },
        undefined,
        "encodeSafetensors: tensor 'a' has shape [2, 2] (4 values) but 3 values",
      ],
      [
        { a: { dtype: 'F64', shape: [2], data: f32(2) } },
        undefined,
        "encodeSafetensors: tensor 'a' has dtype F64 but its data is not a Float64Array",
      ],
      [
        { a: { dtype: 'F32', shape: [2], data: new Float64Array(2) } },
        undefined,
        "encodeSafetensors: tensor 'a' has dtype F32 but its data is not a Float32Array",
      ],
      [{ a: { dtype: 'BF16', shape: [2], data: f32(2) } }, undefined, "encodeSafetensors: tensor 'a' has dtype BF16; supported: F32, F64"],
      [
        { a: { dtype: 'F32', shape: [-1], data: f32(0) } },
        undefined,
        "encodeSafetensors: tensor 'a' shape must be an array of non-negative integers",
      ],
      [
        { __metadata__: { dtype: 'F32', shape: [0], data: f32(0) } },
        undefined,
        "encodeSafetensors: '__metadata__' cannot be a tensor name",
      ],
      [{}, { n: 3 }, "encodeSafetensors: metadata 'n' must be a string, got number"],
    ])('%#', (tensors, metadata, message) => {
      expect(() => encodeSafetensors(tensors as unknown as Record<string, Tensor>, metadata as unknown as Record<string, string>)).toThrow(
        message,
      );
      expect(() => encodeSafetensors(tensors as unknown as Record<string, Tensor>, metadata as unknown as Record<string, string>)).toThrow(
        FormatError,
      );
    });
  });
});

describe('decodeSafetensors validation', () => {
  const f32 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const buf8 = new Uint8Array(8);

  it('reads a file with no tensors', () => {
    expect(decodeSafetensors(buildFile('{}'))).toEqual({ tensors: {}, metadata: {} });
    expect(decodeSafetensors(buildFile({ __metadata__: null }))).toEqual({ tensors: {}, metadata: {} });
  });

  it.each([
    ['file shorter than 8 bytes', new Uint8Array(5), 'safetensors: file is too short (5 bytes) to hold the 8-byte header length'],
    [
      'header length larger than the file',
      (() => {
        const b = buildFile({ a: f32 }, buf8);
        new DataView(b.buffer).setUint32(0, 1000, true);
        return b;
      })(),
      `safetensors: header length 1000 is larger than the file (${8 + JSON.stringify({ a: f32 }).length + 8} bytes)`,
    ],
    [
      'header length over 100 MB',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true);
        return b;
      })(),
      'safetensors: header length 9223372036854775808 exceeds the 100 MB limit',
    ],
    ['invalid UTF-8', buildFile('{"a":1}').map((v, i) => (i === 10 ? 0xff : v)), 'safetensors: header is not valid UTF-8'],
    ['not JSON', buildFile('{"a": '), 'safetensors: header is not valid JSON'],
    ['not an object', buildFile('[1, 2]'), 'safetensors: header is not a JSON object'],
    ['leading space', buildFile(' {}'), 'safetensors: header is not a JSON object'],
    ['entry not an object', buildFile({ a: [1] }), "safetensors: tensor 'a': entry is not an object with dtype, shape and data_offsets"],
    ['missing dtype', buildFile({ a: { shape: [2], data_offsets: [0, 8] } }, buf8), "safetensors: tensor 'a': missing 'dtype'"],
    ['missing shape', buildFile({ a: { dtype: 'F32', data_offsets: [0, 8] } }, buf8), "safetensors: tensor 'a': missing 'shape'"],
    ['missing data_offsets', buildFile({ a: { dtype: 'F32', shape: [2] } }, buf8), "safetensors: tensor 'a': missing 'data_offsets'"],
    ['dtype not a string', buildFile({ a: { ...f32, dtype: 4 } }, buf8), "safetensors: tensor 'a': 'dtype' must be a string"],
    [
      'unsupported dtype',
      buildFile({ w: { ...f32, dtype: 'BF16', shape: [4] } }, buf8),
      "safetensors: tensor 'w' has dtype BF16; supported: F32, F64",
    ],
    [
      'shape not integers',
      buildFile({ a: { ...f32, shape: [2.5] } }, buf8),
      "safetensors: tensor 'a': 'shape' must be an array of non-negative integers",
    ],
    [
      'negative shape',
      buildFile({ a: { ...f32, shape: [-2] } }, buf8),
      "safetensors: tensor 'a': 'shape' must be an array of non-negative integers",
    ],
    [
      'shape not an array',
      buildFile({ a: { ...f32, shape: 2 } }, buf8),
      "safetensors: tensor 'a': 'shape' must be an array of non-negative integers",
    ],
    [
      'offsets wrong length',
      buildFile({ a: { ...f32, data_offsets: [0, 4, 8] } }, buf8),
      "safetensors: tensor 'a': 'data_offsets' must be [begin, end], two non-negative integers",
    ],
    [
      'offsets not integers',
      buildFile({ a: { ...f32, data_offsets: ['0', 8] } }, buf8),
      "safetensors: tensor 'a': 'data_offsets' must be [begin, end], two non-negative integers",
    ],
    [
      'begin after end',
      buildFile({ a: { ...f32, data_offsets: [8, 0] } }, buf8),
      "safetensors: tensor 'a': data_offsets [8, 0] has begin after end",
    ],
    [
      'span does not match shape',
      buildFile({ a: { ...f32, shape: [3] } }, buf8),
      "safetensors: tensor 'a': data_offsets [0, 8] span 8 bytes, but shape [3] of F32 needs 12",
    ],
    [
      'offsets out of the buffer',
      buildFile({ a: { ...f32, data_offsets: [4, 12] } }, buf8),
      "safetensors: tensor 'a': data_offsets [4, 12] reach past the end of the data buffer (8 bytes)",
    ],
    [
      'hole',
      buildFile({ a: { ...f32, shape: [1], data_offsets: [0, 4] }, b: { ...f32, shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)),
      "safetensors: bytes 4 to 8 of the data buffer belong to no tensor (a hole before tensor 'b')",
    ],
    [
      'hole at the start',
      buildFile({ a: { ...f32, shape: [1], data_offsets: [4, 8] } }, buf8),
      "safetensors: bytes 0 to 4 of the data buffer belong to no tensor (a hole before tensor 'a')",
    ],
    [
      'overlap',
      buildFile({ a: f32, b: { ...f32, data_offsets: [4, 12] } }, new Uint8Array(12)),
      "safetensors: tensor 'b' overlaps the previous tensor (data_offsets begin 4 < 8)",
    ],
    [
      'bytes after the last tensor',
      buildFile({ a: f32 }, new Uint8Array(12)),
      'safetensors: the data buffer has 4 bytes after the last tensor that belong to no tensor',
    ],
    [
      'metadata not an object',
      buildFile({ __metadata__: ['x'] }),
      "safetensors: '__metadata__' must be an object mapping strings to strings",
    ],
    [
      'metadata value not a string',
      buildFile({ __metadata__: { n: 1 } }),
      "safetensors: '__metadata__' value for 'n' must be a string, found number",
    ],
  ])('%s', (_, bytes, message) => {
    expect(errorOf(bytes)).toBe(message);
  });

  it('starts every message with the source and shortens long names', () => {
    expect(errorOf(new Uint8Array(0), 'model.safetensors')).toBe(
      'model.safetensors: file is too short (0 bytes) to hold the 8-byte header length',
    );
    const name = `layer\n${'x'.repeat(50)}`;
    expect(errorOf(buildFile({ [name]: { ...f32, dtype: 'I8' } }, buf8), 'm')).toBe(
      "m: tensor 'layer\\u000axxxxxxxxxxx...' has dtype I8; supported: F32, F64",
    );
  });

  it('accepts zero-size tensors at any boundary and header padding', () => {
    const header = JSON.stringify({
      a: f32,
      z: { dtype: 'F64', shape: [0], data_offsets: [8, 8] },
      y: { dtype: 'F32', shape: [3, 0], data_offsets: [0, 0] },
    });
    const { tensors } = decodeSafetensors(buildFile(`${header}    `, buf8));
    expect(tensors.z.data).toEqual(new Float64Array(0));
    expect(tensors.y.shape).toEqual([3, 0]);
  });
});

describe.skipIf(!hasNumpy)(
  'independent reader cross-check (requires python3 with numpy; the safetensors package is not installed here)',
  () => {
    const dir = hasNumpy ? mkdtempSync(join(tmpdir(), 'formats-st-')) : '';
    const py = (code: string, ...args: string[]) => execFileSync(python!, ['-c', code, ...args], { encoding: 'utf8' });

    it('a spec-based numpy reader reads what we write', () => {
      const file = join(dir, 'ours.safetensors');
      writeFileSync(file, encodeSafetensors(sample(), meta));
      // Written from the spec only: u64 LE length, JSON header, offsets relative to the buffer, little-endian data.
      const out = JSON.parse(
        py(
          `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
assert n % 8 == 0, 'header not 8-aligned'
header = json.loads(raw[8:8 + n].decode('utf-8'))
buf = raw[8 + n:]
dtypes = {'F32': '<f4', 'F64': '<f8'}
meta = header.pop('__metadata__', {})
tensors = {}
end = 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
    b, e = info['data_offsets']
    assert b == end, 'hole or overlap'
    end = e
    a = np.frombuffer(buf[b:e], dtype=dtypes[info['dtype']]).reshape(info['shape'])
    tensors[name] = {'dtype': info['dtype'], 'shape': list(a.shape), 'values': [float(v) for v in a.ravel()]}
assert end == len(buf), 'buffer not tiled'
print(json.dumps({'metadata': meta, 'tensors': tensors}))
`,
          file,
        ),
      ) as { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: number[] }> };
      expect(out.metadata).toEqual(meta);
      for (const [name, t] of Object.entries(sample())) {
        expect(out.tensors[name]).toEqual({ dtype: t.dtype, shape: t.shape, values: Array.from(t.data) });
      }
    });

    it('we read a file built in Python per the spec, with a space-padded header and an F64 tensor', () => {
      const file = join(dir, 'theirs.safetensors');
      py(
        `
import json, struct, sys
import numpy as np
w = (np.arange(6, dtype='<f4').reshape(2, 3) - 2.5) / 4
b = np.array([1e-300, -2.0, np.pi], dtype='<f8')
data = w.tobytes() + b.tobytes()
header = {'weight': {'dtype': 'F32', 'shape': [2, 3], 'data_offsets': [0, 24]},
          'bias': {'dtype': 'F64', 'shape': [3], 'data_offsets': [24, 48]},
          '__metadata__': {'framework': 'numpy', 'k': 'v'}}
text = json.dumps(header).encode('utf-8')
text += b' ' * (-len(text) % 8 + 8)  # padded with trailing spaces, beyond the next multiple of 8
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(text)) + text + data)
`,
        file,
      );
      const { tensors, metadata } = decodeSafetensors(readFileSync(file), { source: 'theirs' });
      expect(metadata).toEqual({ framework: 'numpy', k: 'v' });
      expect(tensors.weight).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5], (v) => (v - 2.5) / 4) });
      expect(tensors.bias.dtype).toBe('F64');
      expect(tensors.bias.data).toEqual(Float64Array.from([1e-300, -2, Math.PI]));
    });
  },
);
