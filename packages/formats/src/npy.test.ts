import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from './errors.js';
import { hasNumpy, python } from './testing/helpers.js';
import { encodeNpy, encodeNpyArray, parseNpy } from './npy.js';

/** Hand-builds a .npy file: magic, version, header length (u16 for 1.0, u32 otherwise), header text, data. */
function buildNpy(header: string, data: Uint8Array, major = 1, rawHeader?: Uint8Array): Uint8Array {
  const h = rawHeader ?? new TextEncoder().encode(header);
  const lengthBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  out.set(h, 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + h.length);
  return out;
}

/** Values as bytes in the given width and byte order. */
function floatBytes(values: number[], size: 4 | 8, little = true): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => (size === 4 ? view.setFloat32(k * 4, v, little) : view.setFloat64(k * 8, v, little)));
  return out;
}

const dict = (descr: string, shape: string, fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;

function errorOf(bytes: Uint8Array, opts?: Parameters<typeof parseNpy>[1]): string {
  try {
    parseNpy(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('E_INPUT');
    return (e as Error).message;
  }
  throw new Error('parseNpy did not throw');
}

describe('encodeNpy / parseNpy', () => {
  const m = { data: [1.5, -2, 0.1, 1e30, -0, 7], rows: 3, cols: 2 };

  it('round-trips float32', () => {
    const back = parseNpy(encodeNpy(m, 'f4'));
    expect(back).toMatchObject({ rows: 3, cols: 2 });
    expect(back.data).toEqual(Float64Array.from(Float32Array.from(m.data)));
  });

  it('round-trips float64 exactly', () => {
    expect(parseNpy(encodeNpy(m, 'f8')).data).toEqual(Float64Array.from(m.data));
  });

  it('writes a version 1.0 header padded to a multiple of 64 bytes and ending in a newline', () => {
    for (const shape of [
      [1, 1],
      [3, 2],
      [123456789, 1000],
    ] as const) {
      // Only the header matters here; the data would be huge for the last shape, so read it from a small file.
      const bytes = encodeNpy({
        data: new Float64Array(shape[0] === 123456789 ? 0 : shape[0] * shape[1]),
        rows: shape[0] === 123456789 ? 0 : shape[0],
        cols: shape[1],
      });
      const hlen = bytes[8] | (bytes[9] << 8);
      expect(bytes[6]).toBe(1);
      expect((10 + hlen) % 64).toBe(0);
      const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
      expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(\d+, \d+\), \} *\n$/);
    }
  });

  it('writes <f8 when asked', () => {
    const bytes = encodeNpy({ data: [1], rows: 1, cols: 1 }, 'f8');
    expect(new TextDecoder().decode(bytes.subarray(10, 30))).toContain("'<f8'");
    expect(bytes.length).toBe(128 + 8);
  });

  it('refuses inconsistent matrices', () => {
    expect(() => encodeNpy({ data: [1, 2, 3], rows: 2, cols: 2 })).toThrow(
      'encodeNpy: data has 3 values, expected rows x cols = 2 x 2 = 4',
    );
  });
});

describe('parseNpy', () => {
  const values = [1, 2, 3, 4, 5, 6]; // 3 x 2, row-major

  it.each([2, 3])('reads version %i.0 headers', (major) => {
    const m = parseNpy(buildNpy(dict('<f8', '(3, 2)'), floatBytes(values, 8), major));
    expect(m).toMatchObject({ rows: 3, cols: 2 });
    expect(Array.from(m.data)).toEqual(values);
  });

  it('decodes version 3.0 headers as UTF-8 and refuses invalid UTF-8', () => {
    const h = "{'descr': [('\u00e9', '<f4')], 'fortran_order': False, 'shape': (3,), }";
    expect(errorOf(buildNpy(h, floatBytes([1, 2, 3], 4), 3))).toBe(
      "npy: unsupported dtype [('\u00e9', '<f4')] (expected float32 or float64)",
    );
    const bad = buildNpy('', floatBytes(values, 4), 3, new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(errorOf(bad, { source: 'u.npy' })).toBe('u.npy: .npy header is not valid UTF-8');
  });

  it('transposes Fortran order into row-major', () => {
    // Column-major storage of [[1, 2], [3, 4], [5, 6]] is 1, 3, 5, 2, 4, 6.
    const m = parseNpy(buildNpy(dict('<f4', '(3, 2)', 'True'), floatBytes([1, 3, 5, 2, 4, 6], 4)));
    expect(Array.from(m.data)).toEqual(values);
  });

  it.each([
    ['>f4', 4],
    ['>f8', 8],
  ] as const)('reads big-endian %s', (descr, size) => {
    expect(Array.from(parseNpy(buildNpy(dict(descr, '(3, 2)'), floatBytes(values, size, false))).data)).toEqual(values);
  });

  it('reads native (=) and not-applicable (|) byte orders as little-endian, and headers numpy accepts', () => {
    expect(Array.from(parseNpy(buildNpy(dict('=f8', '(3, 2)'), floatBytes(values, 8))).data)).toEqual(values);
    expect(Array.from(parseNpy(buildNpy(dict('|f4', '(3, 2)'), floatBytes(values, 4))).data)).toEqual(values);
    const other = `{"shape": (3L, 2L), "fortran_order": False, "descr": "<f4"}`; // any key order, double quotes, Python 2 longs
    expect(Array.from(parseNpy(buildNpy(other, floatBytes(values, 4))).data)).toEqual(values);
  });

  it('checks the dimension', () => {
    expect(errorOf(encodeNpy({ data: values, rows: 3, cols: 2 }), { source: 'p.npy', dim: 3 })).toBe(
      'p.npy: points have dimension 2, expected 3',
    );
  });

  describe('errors', () => {
    const ok = encodeNpy({ data: values, rows: 3, cols: 2 });

    it('bad magic', () => {
      expect(errorOf(new TextEncoder().encode('x,y\n1,2\n'), { source: 'a.npy' })).toBe('a.npy: not a .npy file (bad magic bytes)');
      expect(errorOf(new Uint8Array(0))).toBe('npy: not a .npy file (bad magic bytes)');
      expect(errorOf(ok.subarray(0, 5))).toBe('npy: not a .npy file (bad magic bytes)');
    });

    it('unsupported version', () => {
      const v = ok.slice();
      v[6] = 4;
      expect(errorOf(v)).toBe('npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)');
    });

    it('truncated header', () => {
      expect(errorOf(ok.subarray(0, 9))).toBe('npy: truncated .npy header: expected 10 bytes, found 9');
      expect(errorOf(ok.subarray(0, 40))).toBe('npy: truncated .npy header: expected 128 bytes, found 40');
    });

    it('truncated data', () => {
      expect(errorOf(ok.subarray(0, ok.length - 3), { source: 't.npy' })).toBe(
        't.npy: truncated .npy file: expected 24 data bytes, found 21',
      );
      const huge = buildNpy(dict('<f8', '(100000000000, 100000000000)'), new Uint8Array(8));
      expect(errorOf(huge)).toBe(
        'npy: shape (100000000000, 100000000000): 10000000000000000000000 values is more than the limit of 268435456 (2 GiB as float64)',
      );
      // Under the limit, the shape must still match the bytes present.
      const big = buildNpy(dict('<f8', '(1000000, 100)'), new Uint8Array(8));
      expect(errorOf(big)).toBe('npy: truncated .npy file: expected 800000000 data bytes, found 8');
      expect(errorOf(big, { maxValues: 1000 })).toBe(
        'npy: shape (1000000, 100): 100000000 values is more than the limit of 1000 (8000 bytes as float64)',
      );
    });

    it('trailing bytes', () => {
      const extra = new Uint8Array(ok.length + 4);
      extra.set(ok);
      expect(errorOf(extra)).toBe('npy: 4 unexpected bytes after the data (expected 24 data bytes, found 28)');
    });

    it.each([
      ['<i4', "npy: unsupported dtype '<i4' (expected float32 or float64)"],
      ['<f2', "npy: unsupported dtype '<f2' (expected float32 or float64)"],
      ['<c8', "npy: unsupported dtype '<c8' (expected float32 or float64)"],
    ])('unsupported dtype %s', (descr, message) => {
      expect(errorOf(buildNpy(dict(descr, '(3, 2)'), floatBytes(values, 4)))).toBe(message);
    });

    it('structured dtype', () => {
      const h = "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (3,), }";
      expect(errorOf(buildNpy(h, floatBytes(values, 4)))).toBe(
        "npy: unsupported dtype [('x', '<f4'), ('y', '<f4')] (expected float32 or float64)",
      );
    });

    it('not 2-D', () => {
      expect(errorOf(buildNpy(dict('<f4', '(6,)'), floatBytes(values, 4)), { source: 'v.npy' })).toBe(
        'v.npy: expected a 2-D array (points x dimensions), found shape (6,)',
      );
      expect(errorOf(buildNpy(dict('<f4', '()'), floatBytes([1], 4)))).toBe(
        'npy: expected a 2-D array (points x dimensions), found shape ()',
      );
      expect(errorOf(buildNpy(dict('<f4', '(1, 3, 2)'), floatBytes(values, 4)))).toBe(
        'npy: expected a 2-D array (points x dimensions), found shape (1, 3, 2)',
      );
    });

    it('zero rows', () => {
      expect(errorOf(encodeNpy({ data: [], rows: 0, cols: 2 }), { source: 'z.npy' })).toBe('z.npy: no data rows');
      expect(errorOf(encodeNpy({ data: [], rows: 2, cols: 0 }))).toBe('npy: points have dimension 0');
    });

    it.each([
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ])('non-finite value %s, located in C and Fortran order', (v, text) => {
      const c = [1, 2, 3, 4, 5, 6];
      c[3] = v; // row 1, column 1 (0-based)
      expect(errorOf(buildNpy(dict('<f8', '(3, 2)'), floatBytes(c, 8)), { source: 'f.npy' })).toBe(
        `f.npy: row 1, column 1 (both 0-based): value ${text} is not finite`,
      );
      const f = [1, 3, 5, 2, 4, 6];
      f[2] = v; // column-major index 2 is row 2, column 0 (0-based)
      expect(errorOf(buildNpy(dict('<f4', '(3, 2)', 'True'), floatBytes(f, 4)))).toBe(
        `npy: row 2, column 0 (both 0-based): value ${text} is not finite`,
      );
    });

    it.each([
      [
        "{'descr': '<f4', 'fortran_order': False}",
        "npy: .npy header must have exactly the keys 'descr', 'fortran_order', 'shape'; found 'descr', 'fortran_order'",
      ],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 2)}", "npy: .npy header 'fortran_order' must be True or False, found 0"],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -2)}",
        "npy: .npy header 'shape' must be a tuple of non-negative integers, found (3, -2)",
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 2]}",
        "npy: .npy header 'shape' must be a tuple of non-negative integers, found [3, 2]",
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}",
        "npy: .npy header 'shape' must be a tuple of non-negative integers, found 3",
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)",
        "npy: .npy header is not a valid Python literal: expected '}', found the end at offset 56",
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)} x",
        "npy: .npy header is not a valid Python literal: unexpected 'x' after the literal at offset 58",
      ],
      [
        "{'descr': '<f4, 'fortran_order': False, 'shape': (3, 2)}",
        "npy: .npy header is not a valid Python literal: expected ',' or '}', found 'f' at offset 17",
      ],
      ['[1, 2]', 'npy: .npy header is not a dict: [1, 2]'],
      [
        '(((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))',
        'npy: .npy header is not a valid Python literal: nesting deeper than 32 at offset 33',
      ],
    ])('malformed header %s', (header, message) => {
      expect(errorOf(buildNpy(header, floatBytes(values, 4)))).toBe(message);
    });

    it('never throws anything but a FormatError on a deeply nested header', () => {
      expect(errorOf(buildNpy('('.repeat(60000), new Uint8Array(0), 2))).toMatch(
        /^npy: .npy header is not a valid Python literal: nesting deeper than 32/,
      );
    });
  });
});

describe.skipIf(!hasNumpy)('numpy cross-check (requires python3 with numpy)', () => {
  const dir = hasNumpy ? mkdtempSync(join(tmpdir(), 'formats-npy-')) : '';
  const py = (code: string, ...args: string[]) => execFileSync(python!, ['-c', code, ...args], { encoding: 'utf8' });

  it('reads np.save output in C and Fortran order, float32 and float64', () => {
    py(
      `
import numpy as np, sys
a = np.arange(12, dtype=np.float64).reshape(4, 3) / 7 - 0.5
np.save(sys.argv[1] + '/c8.npy', a)
np.save(sys.argv[1] + '/f8.npy', np.asfortranarray(a))
np.save(sys.argv[1] + '/c4.npy', a.astype(np.float32))
np.save(sys.argv[1] + '/f4.npy', np.asfortranarray(a.astype(np.float32)))
np.save(sys.argv[1] + '/be.npy', a.astype('>f8'))
`,
      dir,
    );
    const expected = Float64Array.from({ length: 12 }, (_, k) => k / 7 - 0.5);
    for (const name of ['c8', 'f8', 'be']) {
      const m = parseNpy(readFileSync(join(dir, `${name}.npy`)), { source: name });
      expect(m).toMatchObject({ rows: 4, cols: 3 });
      expect(m.data).toEqual(expected);
    }
    for (const name of ['c4', 'f4'])
      expect(parseNpy(readFileSync(join(dir, `${name}.npy`))).data).toEqual(Float64Array.from(Float32Array.from(expected)));
    // The Fortran file really is column-major on disk.
    expect(new TextDecoder().decode(readFileSync(join(dir, 'f8.npy')).subarray(0, 64))).toContain("'fortran_order': True");
  });

  it('np.load reads encodeNpy output with the same values, shape and dtype', () => {
    const data = Float64Array.from({ length: 10 }, (_, k) => (k - 4.5) / 3);
    writeFileSync(join(dir, 'ours4.npy'), encodeNpy({ data, rows: 5, cols: 2 }, 'f4'));
    writeFileSync(join(dir, 'ours8.npy'), encodeNpy({ data, rows: 5, cols: 2 }, 'f8'));
    const out = JSON.parse(
      py(
        `
import numpy as np, sys, json
r = {}
for n in ['ours4', 'ours8']:
    a = np.load(sys.argv[1] + '/' + n + '.npy')
    r[n] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'c': bool(a.flags.c_contiguous), 'values': [float(v) for v in a.ravel()]}
print(json.dumps(r))
`,
        dir,
      ),
    ) as Record<string, { dtype: string; shape: number[]; c: boolean; values: number[] }>;
    expect(out.ours4).toEqual({ dtype: '<f4', shape: [5, 2], c: true, values: Array.from(Float32Array.from(data)) });
    expect(out.ours8).toEqual({ dtype: '<f8', shape: [5, 2], c: true, values: Array.from(data) });
  });
});

describe('encodeNpyArray', () => {
  it.skipIf(!hasNumpy)('writes a 3-D array numpy reads back with its shape', () => {
    const bytes = encodeNpyArray(
      Float32Array.from({ length: 24 }, (_, i) => i / 4),
      [2, 6, 2],
    );
    const dir = mkdtempSync(join(tmpdir(), 'npy3-'));
    const file = join(dir, 't.npy');
    writeFileSync(file, bytes);
    const out = execFileSync(
      python!,
      [
        '-c',
        'import numpy as np,sys,json; a=np.load(sys.argv[1]); print(json.dumps([list(a.shape), str(a.dtype), float(a[1,5,1])]))',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual([[2, 6, 2], 'float32', 23 / 4]);
  });

  it('refuses a shape that does not fit the data', () => {
    expect(() => encodeNpyArray([1, 2, 3], [2, 2])).toThrow('encodeNpy: shape (2, 2) does not hold 3 values');
  });
});
