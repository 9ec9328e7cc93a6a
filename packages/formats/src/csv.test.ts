import { describe, expect, it } from 'vitest';
import { mulberry32 } from './testing/helpers.js';
import { formatCsv, parseCsv } from './csv.js';
import { FormatError } from './errors.js';

const values = (m: { data: Float64Array }) => Array.from(m.data);

/** The exact message thrown by parseCsv, and a check that it is a FormatError. */
function errorOf(text: string, opts?: Parameters<typeof parseCsv>[1]): string {
  try {
    parseCsv(text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('E_INPUT');
    expect((e as FormatError).name).toBe('InputError');
    return (e as Error).message;
  }
  throw new Error('parseCsv did not throw');
}

describe('parseCsv', () => {
  it('reads a file with a header', () => {
    const m = parseCsv('x,y\n1,2\n3,4\n');
    expect(m).toMatchObject({ rows: 2, cols: 2 });
    expect(m.data).toBeInstanceOf(Float64Array);
    expect(values(m)).toEqual([1, 2, 3, 4]);
  });

  it('reads a file without a header', () => {
    expect(values(parseCsv('1,2\n3,4'))).toEqual([1, 2, 3, 4]);
    expect(parseCsv('5\n6\n7')).toMatchObject({ rows: 3, cols: 1 });
  });

  it('treats a first row with any numeric cell as data', () => {
    expect(errorOf('1,abc\n2,3\n', { source: 'a.csv' })).toBe("a.csv: line 1, column 1 (0-based): 'abc' is not a number");
    expect(errorOf('nan,inf\n2,3\n', { source: 'a.csv' })).toBe("a.csv: line 1, column 0 (0-based): 'nan' is not a finite number");
  });

  it.each([
    ['comma', 'a,b\n1,2\n-3.5,4e2\n'],
    ['semicolon', 'a;b\n1;2\n-3.5;4e2\n'],
    ['tab', 'a\tb\n1\t2\n-3.5\t4e2\n'],
    ['whitespace', 'a b\n1   2\n  -3.5 4e2  \n'],
  ])('detects the %s delimiter', (_, text) => {
    const m = parseCsv(text);
    expect(m).toMatchObject({ rows: 2, cols: 2 });
    expect(values(m)).toEqual([1, 2, -3.5, 400]);
  });

  it('picks the delimiter from the first data row, not the header', () => {
    expect(values(parseCsv('"x";"y"\n1;2\n'))).toEqual([1, 2]);
  });

  it('tolerates CRLF, a BOM, blank lines, comments, spaces and quoted cells', () => {
    const text = '\uFEFF# made by a tool\r\n\r\n x , y \r\n# a comment\r\n 1 , 2 \r\n\r\n"3","4"\r\n\r\n\r\n';
    expect(values(parseCsv(text))).toEqual([1, 2, 3, 4]);
    expect(values(parseCsv('1,2\r3,4\r'))).toEqual([1, 2, 3, 4]);
  });

  it('parses numbers strictly', () => {
    expect(values(parseCsv('1e-3,-.5,+2,3.,1E+2\n'))).toEqual([0.001, -0.5, 2, 3, 100]);
    for (const bad of ['1.2.3', '0x10', '1e', '1_000', '--1', '.', 'e5', '1e+', '1 2']) {
      expect(errorOf(`1;${bad}\n`, { source: 's' })).toMatch(/^s: line 1, column 1 \(0-based\): '.*' is not a number$/);
    }
  });

  it('rejects an empty cell', () => {
    expect(errorOf('x,y\n1,\n', { source: 'd.csv' })).toBe("d.csv: line 2, column 1 (0-based): '' is not a number");
  });

  describe('errors', () => {
    it('empty input', () => {
      expect(errorOf('')).toBe('csv: the file is empty');
      expect(errorOf('\uFEFF\n  \r\n# only a comment\n', { source: 'e.csv' })).toBe('e.csv: the file is empty');
    });

    it('header only', () => {
      expect(errorOf('x,y\n\n', { source: 'h.csv' })).toBe('h.csv: no data rows (only a header)');
    });

    it('ragged rows, located by file line', () => {
      expect(errorOf('# c\nx,y\n1,2\n\n3,4,5\n', { source: 'r.csv' })).toBe('r.csv: line 5: expected 2 columns, found 3');
      expect(errorOf('1,2\n3\n', { source: 'r.csv' })).toBe('r.csv: line 2: expected 2 columns, found 1');
    });

    it('header and data of different widths', () => {
      expect(errorOf('x,y,z\n1,2\n', { source: 'w.csv' })).toBe('w.csv: line 1: the header has 3 columns, the data rows have 2');
    });

    it('non-numeric cell', () => {
      expect(errorOf('x,y\n1,2\n3,abc\n', { source: 'data.csv' })).toBe("data.csv: line 3, column 1 (0-based): 'abc' is not a number");
    });

    it.each(['NaN', 'nan', 'inf', '-Inf', 'Infinity', '+infinity', '1e999'])('non-finite cell %s', (cell) => {
      expect(errorOf(`x,y\n1,${cell}\n`, { source: 'n.csv' })).toBe(`n.csv: line 2, column 1 (0-based): '${cell}' is not a finite number`);
    });

    it('dimension mismatch', () => {
      expect(errorOf('1,2,3\n', { source: 'd.csv', dim: 2 })).toBe('d.csv: points have dimension 3, expected 2');
      expect(parseCsv('1,2\n', { dim: 2 }).cols).toBe(2);
    });

    it('truncates long cells and escapes control characters', () => {
      expect(errorOf(`1,${'z'.repeat(100)}\n`)).toBe("csv: line 1, column 1 (0-based): 'zzzzzzzzzzzzzzzzz...' is not a number");
      expect(errorOf('1,a\u0007b\n')).toBe("csv: line 1, column 1 (0-based): 'a\\u0007b' is not a number");
    });
  });
});

describe('formatCsv', () => {
  it('writes a default header, \\n line ends and a trailing newline', () => {
    expect(formatCsv({ data: [1, 2.5, -3, 4e-7], rows: 2, cols: 2 })).toBe('x0,x1\n1,2.5\n-3,4e-7\n');
  });

  it('writes no header or given names', () => {
    expect(formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: false })).toBe('1,2\n');
    expect(formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: ['u', 'v'] })).toBe('u,v\n1,2\n');
  });

  it('refuses inconsistent matrices and headers that would not read back', () => {
    expect(() => formatCsv({ data: [1, 2, 3], rows: 2, cols: 2 })).toThrow(
      'formatCsv: data has 3 values, expected rows x cols = 2 x 2 = 4',
    );
    expect(() => formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: ['a'] })).toThrow(FormatError);
    expect(() => formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: ['a', '2'] })).toThrow(
      "formatCsv: header name 1 (0-based) '2' looks like a number",
    );
    expect(() => formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: ['a,b', 'c'] })).toThrow(FormatError);
  });

  it('round-trips float32 values exactly through parseCsv', () => {
    const rand = mulberry32(42);
    const rows = 500,
      cols = 3;
    const data = new Float32Array(rows * cols);
    for (let k = 0; k < data.length; k++) {
      // Wide exponent range, both signs, plus exact edge values.
      data[k] = (rand() - 0.5) * 10 ** Math.floor(rand() * 60 - 30);
    }
    data.set([0, -0, 3.4028234663852886e38, -1.1754943508222875e-38, 1.401298464324817e-45], 0);
    const back = parseCsv(formatCsv({ data, rows, cols }), { dim: cols });
    expect(back).toMatchObject({ rows, cols });
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(Float32Array.from(back.data)).toEqual(data);
  });

  it('round-trips float64 values exactly too', () => {
    const rand = mulberry32(7);
    const data = Float64Array.from({ length: 200 }, () => (rand() - 0.5) * 1e10 * rand());
    expect(parseCsv(formatCsv({ data, rows: 100, cols: 2 }, { header: false })).data).toEqual(data);
  });
});
