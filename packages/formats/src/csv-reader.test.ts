import { describe, expect, it } from 'vitest';
import { CsvReader, formatCsv, formatCsvChunks, parseCsv } from './csv.js';
import { POINT_LIMITS } from './limits.js';

/** The outcome of a parse: the points or the message. */
function outcome(f: () => { data: Float64Array; rows: number; cols: number }) {
  try {
    const m = f();
    return { rows: m.rows, cols: m.cols, data: Array.from(m.data) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Feeds `bytes` to a reader in the given chunk sizes (cycled). */
function readInChunks(bytes: Uint8Array, sizes: number[], opts = {}) {
  const r = new CsvReader({ source: 'c.csv', ...opts });
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]);
    r.push(bytes.subarray(at, at + n));
    at += n;
  }
  return r.end();
}

describe('CsvReader (streaming)', () => {
  it('names: the header cells when they would be written back as they are, else undefined', () => {
    const names = (text: string) => {
      const r = new CsvReader();
      r.push(text);
      r.end();
      return r.names;
    };
    expect(names('x,y\n1,2\n')).toEqual(['x', 'y']);
    expect(names('# a comment\n "height" ; weight \n1;2\n')).toEqual(['height', 'weight']);
    expect(names('a b\n1 2\n')).toEqual(['a', 'b']);
    expect(names('1,2\n3,4\n')).toBeUndefined(); // no header
    expect(names('x,\n1,2\n')).toBeUndefined(); // an empty name
    expect(names('a"b,c\n1,2\n')).toBeUndefined(); // a quote inside: formatCsv would not write it
    expect(names(`${'n'.repeat(65)},y\n1,2\n`)).toBeUndefined();
    // Whatever names keeps, formatCsv writes back and parseCsv reads as that header.
    const back = new CsvReader();
    back.push(formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: names('# c\n u ; v \n1;2\n') }));
    back.end();
    expect(back.names).toEqual(['u', 'v']);
  });

  const texts = [
    'x,y\n1,2\n3,4\n',
    '\uFEFF# c\r\n\r\n x , y \r\n1,2\r\n"3","4"\r\n',
    '1,2\r3,4\r',
    'a;b\n1;2\n-3.5;4e2',
    'é,ü\n1,2\n',
    'x,y\n1,2\n3\n',
    'x\n',
    '',
    '# only\n\n',
    '1,abc\n',
  ];
  it.each(texts)(
    'gives what parseCsv gives for %j in any chunking, bytes split anywhere (also inside \\r\\n and UTF-8 sequences)',
    (text) => {
      const whole = outcome(() => parseCsv(text, { source: 'c.csv' }));
      const bytes = new TextEncoder().encode(text);
      for (const sizes of [[1], [2], [3], [1, 2, 5], [7], [1 << 16]]) expect(outcome(() => readInChunks(bytes, sizes))).toEqual(whole);
    },
  );

  it('counts lines across chunks, so errors name the right row', () => {
    const text = 'x,y\n1,2\r\n\r\n3,4\r\n5,oops\n';
    expect(outcome(() => readInChunks(new TextEncoder().encode(text), [1]))).toEqual({
      error: "c.csv: line 5, column 1 (0-based): 'oops' is not a number",
    });
  });

  it('stops at a line longer than the limit while it is still arriving (a file without line breaks)', () => {
    const r = new CsvReader({ source: 'z.csv' });
    const zeros = new Uint8Array(1 << 16);
    let error = '';
    let pushed = 0;
    try {
      for (; pushed < 100; pushed++) r.push(zeros);
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toBe(`z.csv: line 1 is longer than ${POINT_LIMITS.maxLineLength} characters (is this a text file of points?)`);
    expect(pushed).toBe(16); // 16 x 64 KiB = 1 MiB: it did not read on
  });

  it('refuses more values than maxValues, naming the row', () => {
    expect(outcome(() => parseCsv('x,y\n1,2\n3,4\n5,6\n', { source: 'c.csv', maxValues: 4 }))).toEqual({
      error: 'c.csv: line 4: more than 4 values, the limit (32 bytes as float64)',
    });
    expect(parseCsv('1,2\n3,4\n', { maxValues: 4 }).rows).toBe(2);
  });

  it('reports the bytes consumed (for progress)', () => {
    const r = new CsvReader();
    r.push(new TextEncoder().encode('1,2\n'));
    r.push(new TextEncoder().encode('3,4\n'));
    expect(r.consumed).toBe(8);
    expect(r.end().rows).toBe(2);
  });
});

describe('formatCsvChunks', () => {
  it('joins to formatCsv for any chunk size', () => {
    const m = { data: Float32Array.from({ length: 30 }, (_, i) => i / 7), rows: 10, cols: 3 };
    for (const rows of [1, 3, 10, 100]) expect([...formatCsvChunks(m, {}, rows)].join('')).toBe(formatCsv(m));
    expect([...formatCsvChunks(m, {}, 4)]).toHaveLength(3); // header + 3 rows, 4 rows, 3 rows
  });
});
