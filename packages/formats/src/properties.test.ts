// Property-based tests of every parser (fast-check): round trips, and for arbitrary input either a result or a
// clean one-line FormatError. Seeded, so a failure reproduces; fast-check prints the shrunk counterexample.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, formatCsv, parseCsv } from './csv.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { encodeNpy, encodeNpyArray, parseNpy } from './npy.js';
import { parseIdx } from './idx.js';
import { parsePyLiteral } from './py-literal.js';
import { parseStrictNumber } from './strict-number.js';
import { detectPointsFormat } from './limits.js';

const params = { seed: 20261201, numRuns: 400 };

/** Runs `f`; a thrown error must be a one-line input error starting with `source: `. Returns whether it returned. */
function clean(f: () => unknown, source: string): boolean {
  try {
    f();
    return true;
  } catch (e) {
    const err = e as { code?: unknown; name?: unknown; message?: unknown };
    const ok =
      err?.code === 'E_INPUT' &&
      err.name === 'InputError' &&
      typeof err.message === 'string' &&
      err.message.startsWith(`${source}: `) &&
      !/[\r\n\u2028\u2029]/.test(err.message);
    if (!ok) throw new Error(`unclean failure: ${String(err?.name)}: ${String(err?.message)}`);
    return false;
  }
}

/** A matrix of finite float32 values. */
const matrix = fc
  .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 5 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: rows * cols, maxLength: rows * cols })
      .map((v) => ({ data: Float32Array.from(v), rows, cols })),
  );

/** Text made of the pieces CSV files are made of, so the generator reaches the parser's corners. */
const csvish = fc
  .array(fc.constantFrom('1', '-2.5', '1e-3', '.5', '0x10', 'nan', 'x', ',', ';', '\t', ' ', '\n', '\r\n', '\r', '#', '"', '\uFEFF', 'é'), {
    maxLength: 60,
  })
  .map((p) => p.join(''));

describe('properties: CSV', () => {
  it('formatCsv then parseCsv gives back every float32 value exactly', () => {
    fc.assert(
      fc.property(matrix, (m) => {
        const back = parseCsv(formatCsv(m));
        expect(back.rows).toBe(m.rows);
        expect(Array.from(back.data)).toEqual(Array.from(m.data));
      }),
      params,
    );
  });

  it('parseCsv on any text returns or throws a clean error', () => {
    fc.assert(
      fc.property(fc.oneof(csvish, fc.string({ unit: 'binary', maxLength: 80 })), (text) => {
        clean(() => parseCsv(text, { source: 'p.csv' }), 'p.csv');
      }),
      params,
    );
  });

  it('the streaming reader agrees with parseCsv for any text and any chunking of its bytes', () => {
    fc.assert(
      fc.property(csvish, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (text, sizes) => {
        const whole = (() => {
          try {
            return parseCsv(text, { source: 's.csv' });
          } catch (e) {
            return (e as Error).message;
          }
        })();
        const bytes = new TextEncoder().encode(text);
        const streamed = (() => {
          try {
            const r = new CsvReader({ source: 's.csv' });
            for (let at = 0, k = 0; at < bytes.length; at += sizes[k++ % sizes.length])
              r.push(bytes.subarray(at, at + sizes[k % sizes.length]));
            return r.end();
          } catch (e) {
            return (e as Error).message;
          }
        })();
        expect(streamed).toEqual(whole);
      }),
      params,
    );
  });
});

describe('properties: .npy', () => {
  it('encodeNpy then parseNpy round-trips (f4 and f8)', () => {
    fc.assert(
      fc.property(matrix, fc.constantFrom('f4' as const, 'f8' as const), (m, dtype) => {
        const back = parseNpy(encodeNpy(m, dtype));
        expect(Array.from(back.data)).toEqual(Array.from(m.data));
        expect(detectPointsFormat(encodeNpy(m, dtype))).toBe('npy');
      }),
      params,
    );
  });

  it('parseNpy on any bytes, and on files with a random header, returns or throws a clean error', () => {
    const header = fc
      .record({
        descr: fc.constantFrom("'<f4'", "'<f8'", "'>f8'", "'<i4'", '1', "'|b1'", 'None'),
        fortran: fc.constantFrom('False', 'True', '0', "'x'"),
        shape: fc.array(fc.oneof(fc.nat(6), fc.constantFrom(2 ** 31, 2 ** 53, 1e20)), { maxLength: 3 }),
      })
      .map(({ descr, fortran, shape }) => `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': (${shape.join(', ')},), }`);
    const file = fc.tuple(header, fc.uint8Array({ maxLength: 64 })).map(([h, data]) => {
      const text = new TextEncoder().encode(`${h}\n`);
      const out = new Uint8Array(10 + text.length + data.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 255, text.length >> 8]);
      out.set(text, 10);
      out.set(data, 10 + text.length);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), file), (bytes) => {
        clean(() => parseNpy(bytes, { source: 'p.npy' }), 'p.npy');
      }),
      params,
    );
  });

  it('encodeNpyArray writes any shape that parseNpy reads as 2-D when it is 2-D', () => {
    fc.assert(
      fc.property(matrix, (m) => {
        expect(Array.from(parseNpy(encodeNpyArray(m.data, [m.rows, m.cols])).data)).toEqual(Array.from(m.data));
      }),
      { ...params, numRuns: 100 },
    );
  });

  it('the header parser (Python literals) returns or throws a clean error on any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("{'a': (1, 2,), 'b': True}", "{'a': [}", "{'a': 1e999}")),
        (text) => {
          clean(() => parsePyLiteral(text, 'h.npy'), 'h.npy');
        },
      ),
      params,
    );
  });
});

describe('properties: IDX', () => {
  it('parseIdx on any bytes, and on headers of any type and dimensions, returns or throws a clean error', () => {
    const file = fc
      .tuple(
        fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0a, 0xff),
        fc.array(fc.oneof(fc.nat(5), fc.constant(0xffffffff), fc.constant(65536)), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 64 }),
      )
      .map(([type, dims, data]) => {
        const out = new Uint8Array(4 + 4 * dims.length + data.length);
        const view = new DataView(out.buffer);
        out.set([0, 0, type, dims.length]);
        dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
        out.set(data, 4 + 4 * dims.length);
        return out;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), file), (bytes) => {
        clean(() => parseIdx(bytes, { source: 'i-idx3-ubyte' }), 'i-idx3-ubyte');
      }),
      params,
    );
  });
});

describe('properties: safetensors', () => {
  const tensor = fc
    .array(fc.nat(3), { maxLength: 3 })
    .chain((shape) =>
      fc
        .array(fc.float({ noNaN: true }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
        .map((v) => ({ dtype: 'F32' as const, shape, data: Float32Array.from(v) })),
    );

  it('encodeSafetensors then decodeSafetensors round-trips any tensors and metadata (names such as __proto__ included)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('__proto__', 'constructor')), tensor, {
          maxKeys: 4,
        }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        (tensors, metadata) => {
          delete (tensors as Record<string, unknown>).__metadata__;
          const back = decodeSafetensors(encodeSafetensors(tensors, metadata));
          expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [k, t] of Object.entries(tensors)) expect(Array.from(back.tensors[k].data)).toEqual(Array.from(t.data));
          expect(back.metadata).toEqual(Object.keys(metadata).length ? metadata : {});
        },
      ),
      { ...params, numRuns: 200 },
    );
  });

  it('decodeSafetensors on any bytes and on any JSON header returns or throws a clean error', () => {
    const withHeader = fc.tuple(fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 32 })).map(([json, data]) => {
      const text = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + text.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      out.set(data, 8 + text.length);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), withHeader), (bytes) => {
        clean(() => decodeSafetensors(bytes, { source: 'm.safetensors' }), 'm.safetensors');
      }),
      params,
    );
  });
});

describe('properties: numbers', () => {
  it('every finite double reads back from its shortest text; no other syntax than decimals is a number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(parseStrictNumber(String(v))).toBe(Object.is(v, -0) ? 0 : v); // String(-0) is "0"
      }),
      params,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const v = parseStrictNumber(s);
        if (typeof v === 'number') expect(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && v === Number(s)).toBe(true);
      }),
      params,
    );
  });
});
