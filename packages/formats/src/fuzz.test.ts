import { describe, expect, it } from 'vitest';
import { mulberry32 } from './testing/helpers.js';
import { formatCsv, parseCsv } from './csv.js';
import { encodeNpy, parseNpy } from './npy.js';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.js';
import { parseIdx } from './idx.js';

/**
 * Fuzzing: random and mutated inputs into each loader. Every call must either return a consistent
 * result or throw a FormatError (code E_INPUT) with a one-line message that starts with the source,
 * never a RangeError, TypeError or SyntaxError. Seeded, so a failure reproduces.
 */
const CASES = 3000;

class Fuzz {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }

  /** One random mutation: bit flips, truncation, inserted or deleted bytes, or overwritten bytes. */
  mutate(src: Uint8Array): Uint8Array {
    const b = src.slice();
    switch (this.int(5)) {
      case 0: {
        for (let k = 1 + this.int(8); k > 0 && b.length; k--) b[this.int(b.length)] ^= 1 << this.int(8);
        return b;
      }
      case 1:
        return b.subarray(0, this.int(b.length + 1));
      case 2: {
        const at = this.int(b.length + 1);
        const ins = this.bytes(1 + this.int(16));
        const out = new Uint8Array(b.length + ins.length);
        out.set(b.subarray(0, at));
        out.set(ins, at);
        out.set(b.subarray(at), at + ins.length);
        return out;
      }
      case 3: {
        const at = this.int(b.length + 1);
        const n = this.int(16);
        const out = new Uint8Array(Math.max(0, b.length - n));
        out.set(b.subarray(0, at).subarray(0, out.length));
        if (at < out.length) out.set(b.subarray(at + n, at + n + out.length - at), at);
        return out;
      }
      default: {
        for (let k = 1 + this.int(4); k > 0 && b.length; k--)
          b[this.int(b.length)] = this.pick([0, 0xff, 0x7f, 0x80, 0x20, 0x22, 0x27, 0x2c, 0x30, 0x39, 0x7b, 0x7d]);
        return b;
      }
    }
  }
}

interface Outcome {
  returned: number;
  rejected: number;
}

/** Runs `call`; returns 'ok' or 'rejected', and fails the test on any other kind of exception or a multi-line message. */
function expectCleanOutcome(call: () => void, source: string, describeInput: () => string, outcome: Outcome): void {
  try {
    call();
    outcome.returned++;
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown; name?: unknown };
    const message = String(err?.message);
    const clean =
      err?.code === 'E_INPUT' &&
      err.name === 'InputError' &&
      typeof err.message === 'string' &&
      !/[\r\n\u2028\u2029]/.test(message) &&
      !/\bat \S+ \(|\bat file:|\bat node:/.test(message) &&
      message.startsWith(`${source}: `);
    if (!clean) throw new Error(`unclean failure on input ${describeInput()}: ${String(err?.name)}: ${message}`, { cause: e });
    outcome.rejected++;
  }
}

const hex = (b: Uint8Array) => Buffer.from(b.subarray(0, 200)).toString('hex');

describe('fuzz', () => {
  it(`parseCsv: ${CASES} random and mutated texts`, () => {
    const f = new Fuzz(1);
    const pieces = [
      '1',
      '2.5',
      '-3',
      '1e-3',
      '-.5',
      '+2',
      '0x10',
      '1.2.3',
      'nan',
      'Inf',
      'x',
      'y',
      ',',
      ',',
      ';',
      '\t',
      ' ',
      '  ',
      '\n',
      '\n',
      '\r\n',
      '\r',
      '#',
      '"',
      '\uFEFF',
      'e',
      '.',
      '',
      'é',
      '\u2028',
      '\u0000',
      '1e999',
    ];
    const valid = formatCsv({ data: Float64Array.from({ length: 40 }, (_, k) => (k - 20) / 7), rows: 20, cols: 2 });
    const outcome: Outcome = { returned: 0, rejected: 0 };
    for (let i = 0; i < CASES; i++) {
      let text: string;
      const kind = f.int(3);
      if (kind === 0) text = Array.from({ length: f.int(80) }, () => f.pick(pieces)).join('');
      else if (kind === 1) text = new TextDecoder().decode(f.mutate(new TextEncoder().encode(valid)));
      else text = String.fromCharCode(...Array.from({ length: f.int(120) }, () => f.int(f.next() < 0.8 ? 128 : 0x10000)));
      const dim = f.next() < 0.2 ? f.int(4) : undefined;
      expectCleanOutcome(
        () => {
          const m = parseCsv(text, { source: 'fuzz.csv', dim });
          if (m.data.length !== m.rows * m.cols || m.rows < 1 || !m.data.every(Number.isFinite)) throw new Error('inconsistent matrix');
        },
        'fuzz.csv',
        () => JSON.stringify(text),
        outcome,
      );
    }
    expect(outcome.returned + outcome.rejected).toBe(CASES);
    expect(outcome.returned).toBeGreaterThan(50); // the mutations keep some files valid
  });

  it(`parseNpy: ${CASES} random byte strings, mutated files and random headers`, () => {
    const f = new Fuzz(2);
    const valid = [
      encodeNpy({ data: Float64Array.from({ length: 12 }, (_, k) => k / 3), rows: 6, cols: 2 }, 'f4'),
      encodeNpy({ data: Float64Array.from({ length: 9 }, (_, k) => -k), rows: 3, cols: 3 }, 'f8'),
    ];
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    const headerPieces = [
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      ',',
      ':',
      ' ',
      "'descr'",
      "'fortran_order'",
      "'shape'",
      "'<f4'",
      "'>f8'",
      "'<i4'",
      'True',
      'False',
      'None',
      '3',
      '0',
      '-1',
      '99999999999999999999',
      '2L',
      '"',
      "'",
      '\\',
      '\n',
      'é',
    ];
    const outcome: Outcome = { returned: 0, rejected: 0 };
    for (let i = 0; i < CASES; i++) {
      let bytes: Uint8Array;
      const kind = f.int(4);
      if (kind === 0) {
        bytes = f.bytes(f.int(200));
        if (f.next() < 0.5) bytes.set(magic.slice(0, Math.min(6, bytes.length)));
      } else if (kind === 1) {
        bytes = f.mutate(f.pick(valid));
      } else if (kind === 2) {
        // Valid preamble, random header-length field (u16 in 1.0, u32 in 2.0/3.0).
        bytes = f.pick(valid).slice();
        const major = 1 + f.int(3);
        bytes[6] = major;
        const view = new DataView(bytes.buffer);
        if (major === 1) view.setUint16(8, f.int(0x10000), true);
        else view.setUint32(8, f.next() < 0.5 ? f.int(2 ** 32) : f.int(200), true);
      } else {
        // Random header text from plausible pieces, random data length.
        const header = Array.from({ length: f.int(40) }, () => f.pick(headerPieces)).join('');
        const good =
          `{'descr': '${f.pick(['<f4', '<f8', '>f4', '|f8', '<i8'])}', 'fortran_order': ${f.pick(['True', 'False'])}, ` +
          `'shape': (${f.int(4)}, ${f.int(4)}), }`;
        const text = new TextEncoder().encode(f.next() < 0.5 ? header : good);
        const major = 1 + f.int(3);
        const pre = major === 1 ? 10 : 12;
        bytes = new Uint8Array(pre + text.length + f.pick([0, 4, 8, 16, 24, 36, 48, 72, f.int(100)]));
        bytes.set(magic);
        bytes[6] = major;
        const view = new DataView(bytes.buffer);
        if (major === 1) view.setUint16(8, text.length, true);
        else view.setUint32(8, text.length, true);
        bytes.set(text, pre);
        for (let k = pre + text.length; k < bytes.length; k++) bytes[k] = f.int(256);
      }
      const dim = f.next() < 0.2 ? f.int(4) : undefined;
      expectCleanOutcome(
        () => {
          const m = parseNpy(bytes, { source: 'fuzz.npy', dim });
          if (m.data.length !== m.rows * m.cols || m.rows < 1 || !m.data.every(Number.isFinite)) throw new Error('inconsistent matrix');
        },
        'fuzz.npy',
        () => hex(bytes),
        outcome,
      );
    }
    expect(outcome.returned + outcome.rejected).toBe(CASES);
    expect(outcome.returned).toBeGreaterThan(20);
  });

  it(`parseIdx: ${CASES} random byte strings and mutated files`, () => {
    const f = new Fuzz(4);
    const image = new Uint8Array(4 + 12 + 3 * 4);
    image[2] = 0x08;
    image[3] = 3;
    new DataView(image.buffer).setUint32(4, 3);
    new DataView(image.buffer).setUint32(8, 2);
    new DataView(image.buffer).setUint32(12, 2);
    const outcome: Outcome = { returned: 0, rejected: 0 };
    for (let i = 0; i < CASES; i++) {
      let bytes: Uint8Array;
      const kind = f.int(3);
      if (kind === 0) bytes = f.bytes(f.int(64));
      else if (kind === 1) bytes = f.mutate(image);
      else {
        // Valid magic and type, random rank and sizes.
        bytes = f.bytes(4 + f.int(64));
        bytes[0] = 0;
        bytes[1] = 0;
        bytes[2] = f.pick([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e]);
        bytes[3] = f.int(5);
      }
      const dim = f.next() < 0.2 ? f.int(5) : undefined;
      expectCleanOutcome(
        () => {
          const m = parseIdx(bytes, { source: 'fuzz.idx', dim });
          if (m.data.length !== m.rows * m.cols || m.rows < 1 || !m.data.every(Number.isFinite)) throw new Error('inconsistent matrix');
        },
        'fuzz.idx',
        () => hex(bytes),
        outcome,
      );
    }
    expect(outcome.returned + outcome.rejected).toBe(CASES);
    expect(outcome.returned).toBeGreaterThan(20);
  });

  it(`decodeSafetensors: ${CASES} random byte strings, mutated files and random headers`, () => {
    const f = new Fuzz(3);
    const tensors: Record<string, Tensor> = {
      'net.0.weight': { dtype: 'F32', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      'net.0.bias': { dtype: 'F64', shape: [3], data: Float64Array.from([7, 8, 9]) },
    };
    const valid = encodeSafetensors(tensors, { format: 'fuzz', note: 'x' });
    const randomValue = (depth: number): unknown => {
      const k = f.int(depth > 2 ? 6 : 9);
      return [
        () => f.int(100) - 10,
        () => f.next() * 1e20,
        () => f.pick(['F32', 'F64', 'BF16', 'I8', '', '__metadata__']),
        () => null,
        () => true,
        () => (f.int(3) === 0 ? 2 ** 53 + f.int(10) : -0),
        () => Array.from({ length: f.int(4) }, () => randomValue(depth + 1)),
        () => ({ dtype: randomValue(depth + 1), shape: randomValue(depth + 1), data_offsets: randomValue(depth + 1) }),
        () =>
          Object.fromEntries(
            Array.from({ length: f.int(4) }, () => [f.pick(['a', 'b', '__metadata__', '__proto__', 'dtype']), randomValue(depth + 1)]),
          ),
      ][k]();
    };
    const withHeader = (json: string, buffer: Uint8Array, length?: bigint): Uint8Array => {
      const text = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + text.length + buffer.length);
      new DataView(out.buffer).setBigUint64(0, length ?? BigInt(text.length), true);
      out.set(text, 8);
      out.set(buffer, 8 + text.length);
      return out;
    };
    const outcome: Outcome = { returned: 0, rejected: 0 };
    for (let i = 0; i < CASES; i++) {
      let bytes: Uint8Array;
      const kind = f.int(5);
      if (kind === 0) {
        bytes = f.bytes(f.int(120));
      } else if (kind === 1) {
        bytes = f.mutate(valid);
      } else if (kind === 2) {
        // Valid file with a random header-length field: small, near the truth, or huge.
        bytes = valid.slice();
        const n = f.pick([
          BigInt(f.int(valid.length + 16)),
          2n ** 64n - 1n,
          BigInt(f.int(2 ** 31)) * BigInt(f.int(2 ** 31)),
          100_000_001n,
          99_999_999n,
        ]);
        new DataView(bytes.buffer).setBigUint64(0, n, true);
      } else if (kind === 3) {
        // Random JSON header over a random buffer.
        const header: Record<string, unknown> = {};
        for (let k = f.int(4); k > 0; k--) header[f.pick(['a', 'b', 'c', '__metadata__'])] = randomValue(0);
        bytes = withHeader(
          JSON.stringify(f.next() < 0.1 ? randomValue(0) : header) + ' '.repeat(f.int(9)),
          f.bytes(f.pick([0, 4, 8, 12, 16, 24, f.int(64)])),
        );
      } else {
        // Nearly valid: tiling entries with one field perturbed.
        const sizes = Array.from({ length: 1 + f.int(3) }, () => f.int(4));
        const header: Record<string, unknown> = {};
        let at = 0;
        sizes.forEach((n, k) => {
          const dtype = f.pick(['F32', 'F64']);
          const bytesLen = n * (dtype === 'F32' ? 4 : 8);
          header[`t${k}`] = { dtype, shape: [n], data_offsets: [at, at + bytesLen] };
          at += bytesLen;
        });
        const victim = header[`t${f.int(sizes.length)}`] as Record<string, unknown>;
        const field = f.pick(['dtype', 'shape', 'data_offsets', 'none']);
        if (field !== 'none') victim[field] = randomValue(1);
        bytes = withHeader(JSON.stringify(header), f.bytes(at + f.pick([0, 0, 0, 4, -4].map((d) => Math.max(0, d)))));
      }
      expectCleanOutcome(
        () => {
          const { tensors: out, metadata } = decodeSafetensors(bytes, { source: 'fuzz.safetensors' });
          for (const t of Object.values(out)) {
            if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) throw new Error('inconsistent tensor');
          }
          if (!Object.values(metadata).every((v) => typeof v === 'string')) throw new Error('non-string metadata');
        },
        'fuzz.safetensors',
        () => hex(bytes),
        outcome,
      );
    }
    expect(outcome.returned + outcome.rejected).toBe(CASES);
    expect(outcome.returned).toBeGreaterThan(20);
  });
});
