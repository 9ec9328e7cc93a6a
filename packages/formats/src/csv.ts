import { excerpt, FormatError } from './errors.js';
import { checkMatrix, type Matrix, type MatrixLike } from './matrix.js';
import { looksNumeric, parseStrictNumber } from './strict-number.js';

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Name that starts every error message, usually the file name (default `'csv'`). */
  source?: string;
  /** Expected point dimension (number of columns); a different one is an error. */
  dim?: number;
}

/** Options of {@link formatCsv}. */
export interface FormatCsvOptions {
  /** `true` (default) writes `x0,x1,...`; `false` writes no header; an array gives the column names. */
  header?: boolean | string[];
}

/** A cell separator, or `null` for runs of whitespace. */
type Delimiter = ',' | ';' | '\t' | null;

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * Parses delimited text into points, one point per row.
 *
 * - The first non-empty row is a header when none of its cells reads as a number (so a first row
 *   such as `1,abc` is data and fails loudly instead of being dropped as a header).
 * - The delimiter is whichever of `,` `;` tab occurs most on the first data row; when none occurs,
 *   cells are separated by runs of whitespace.
 * - Tolerates a UTF-8 BOM, CRLF or CR line ends, blank lines, `#` comment lines, spaces around cells
 *   and double quotes around a whole cell.
 *
 * Errors name the 1-based line number in the file (blank and comment lines count) and 1-based column:
 * `data.csv: row 3, column 2: 'abc' is not a number`.
 *
 * @returns a row-major {@link Matrix} of float64 values, rows = points, cols = dimension.
 * @throws {FormatError} for empty input, a header without data, ragged rows, non-numeric or
 *   non-finite cells, or a dimension other than `opts.dim`.
 */
export function parseCsv(text: string, opts: ParseCsvOptions = {}): Matrix {
  const source = opts.source ?? 'csv';
  if (typeof text !== 'string') throw new FormatError(`${source}: expected text, got ${typeof text}`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);

  let at = nextContentLine(lines, 0);
  if (at < 0) throw new FormatError(`${source}: the file is empty`);
  let delimiter = detectDelimiter(lines[at]);
  let headerLine = -1;
  if (!splitCells(lines[at], delimiter).some(looksNumeric)) {
    headerLine = at;
    at = nextContentLine(lines, at + 1);
    if (at < 0) throw new FormatError(`${source}: no data rows (only a header)`);
    // The header may be written differently (e.g. quoted names); the data decide the delimiter.
    delimiter = detectDelimiter(lines[at]);
  }

  const cols = splitCells(lines[at], delimiter).length;
  if (headerLine >= 0) {
    const names = splitCells(lines[headerLine], delimiter).length;
    if (names !== cols) {
      throw new FormatError(`${source}: row ${headerLine + 1}: the header has ${names} columns, the data rows have ${cols}`);
    }
  }

  // Checked before reading the rows: a file of the wrong dimension fails fast, whatever else is in it.
  if (opts.dim !== undefined && cols !== opts.dim) {
    throw new FormatError(`${source}: points have dimension ${cols}, expected ${opts.dim}`);
  }

  const values: number[] = [];
  let rows = 0;
  for (; at >= 0; at = nextContentLine(lines, at + 1)) {
    const cells = splitCells(lines[at], delimiter);
    const row = at + 1;
    if (cells.length !== cols) throw new FormatError(`${source}: row ${row}: expected ${cols} columns, found ${cells.length}`);
    for (let c = 0; c < cols; c++) {
      const v = parseStrictNumber(cells[c]);
      if (typeof v === 'number') {
        values.push(v);
        continue;
      }
      const why = v === 'non-finite' ? 'is not a finite number' : 'is not a number';
      throw new FormatError(`${source}: row ${row}, column ${c + 1}: '${excerpt(cells[c])}' ${why}`);
    }
    rows++;
  }
  return { data: Float64Array.from(values), rows, cols };
}

/**
 * Writes points as CSV: comma-separated, `\n` line ends, a trailing newline, and by default a header
 * `x0,x1,...`. Each number is written as `String(v)` (and -0 as `-0`), the shortest text that reads back to the same
 * float64, so float32 and float64 values round-trip exactly through {@link parseCsv}. (NaN and
 * Infinity are written as such, and parseCsv refuses them.)
 *
 * @param m row-major points; `data` may be any array-like (Float32Array, Float64Array, number[]).
 * @throws {FormatError} when `m` is inconsistent or a header name would not read back as a header.
 */
export function formatCsv(m: MatrixLike, opts: FormatCsvOptions = {}): string {
  const source = 'formatCsv';
  checkMatrix(m, source);
  const { data, rows, cols } = m;
  const out: string[] = [];
  const header = opts.header ?? true;
  if (header === true) out.push(Array.from({ length: cols }, (_, j) => `x${j}`).join(','));
  else if (Array.isArray(header)) out.push(checkHeader(header, cols, source).join(','));
  const cells: string[] = new Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) cells[j] = numberText(data[i * cols + j]);
    out.push(cells.join(','));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** `String(v)`, except that -0 keeps its sign (String(-0) is '0'). */
function numberText(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** Header names must survive a round trip: no separators or line ends, not numeric, not a comment. */
function checkHeader(names: string[], cols: number, source: string): string[] {
  if (names.length !== cols) throw new FormatError(`${source}: header has ${names.length} names, the data have ${cols} columns`);
  names.forEach((name, j) => {
    if (typeof name !== 'string' || /[,;\t\r\n"]/.test(name)) {
      throw new FormatError(
        `${source}: header name ${j + 1} '${excerpt(String(name))}' must be a string without , ; tab quote or line break`,
      );
    }
    // A numeric name would make parseCsv read the header as a data row.
    if (looksNumeric(name.trim())) throw new FormatError(`${source}: header name ${j + 1} '${excerpt(name)}' looks like a number`);
  });
  if (names[0]?.trim().startsWith('#')) throw new FormatError(`${source}: header name 1 '${excerpt(names[0])}' would read as a comment`);
  return names;
}

/** Index of the first line at or after `from` that is neither blank nor a `#` comment, or -1. */
function nextContentLine(lines: string[], from: number): number {
  for (let i = from; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t !== '' && t[0] !== '#') return i;
  }
  return -1;
}

/** The most frequent of `,` `;` tab in the line (ties in that order), or whitespace when none occurs. */
function detectDelimiter(line: string): Delimiter {
  let best: Delimiter = null;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = line.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Splits a line into trimmed, unquoted cells. */
function splitCells(line: string, delimiter: Delimiter): string[] {
  const raw = delimiter === null ? line.trim().split(/\s+/) : line.split(delimiter);
  return raw.map(clean);
}

function clean(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).trim() : t;
}
