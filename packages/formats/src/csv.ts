import { excerpt, FormatError } from './errors.js';
import { checkMatrix, type Matrix, type MatrixLike } from './matrix.js';
import { describeValues, POINT_LIMITS } from './limits.js';
import { looksNumeric, parseStrictNumber } from './strict-number.js';

/** Options of {@link parseCsv} and {@link CsvReader}. */
export interface ParseCsvOptions {
  /** Name that starts every error message, usually the file name (default `'csv'`). */
  source?: string;
  /** Expected point dimension (number of columns); a different one is an error. */
  dim?: number;
  /** Most values (rows x columns) accepted; more is an error naming the row (default {@link POINT_LIMITS}.maxValues). */
  maxValues?: number;
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
 * Errors name the line in the file (1-based, as editors count; blank and comment lines count) and the column
 * 0-based, as `--hold` and every other message count coordinates: `data.csv: line 3, column 1 (0-based): 'abc' is not a number`.
 *
 * @returns a row-major {@link Matrix} of float64 values, rows = points, cols = dimension.
 * @throws {FormatError} for empty input, a header without data, ragged rows, non-numeric or
 *   non-finite cells, a dimension other than `opts.dim`, or more than `opts.maxValues` values.
 */
export function parseCsv(text: string, opts: ParseCsvOptions = {}): Matrix {
  const source = opts.source ?? 'csv';
  if (typeof text !== 'string') throw new FormatError(`${source}: expected text, got ${typeof text}`);
  const reader = new CsvReader(opts);
  reader.push(text);
  return reader.end();
}

/**
 * The streaming form of {@link parseCsv}, with the same rules and messages: feed the file in chunks of
 * bytes (UTF-8, e.g. from a file stream or `Blob.stream()`) or text with {@link push}, then call
 * {@link end}. Only the current line is held as text, so the size of a file is limited by the number
 * of values it holds (`maxValues`), not by the longest string the JavaScript engine can make; an error
 * is thrown as soon as the offending row arrives.
 */
export class CsvReader {
  private readonly source: string;
  private readonly dim: number | undefined;
  private readonly maxValues: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  /** Text after the last line break seen (an incomplete line). */
  private carry = '';
  /** 1-based number of the line `carry` starts. */
  private line = 1;
  private started = false;
  private header: { line: number; text: string } | undefined;
  private delimiter: Delimiter = null;
  private cols = 0;
  private rows = 0;
  private values = new Float64Array(1024);
  private count = 0;
  /** Bytes (or UTF-16 units, for text) pushed so far: for progress. */
  consumed = 0;

  constructor(opts: ParseCsvOptions = {}) {
    this.source = opts.source ?? 'csv';
    this.dim = opts.dim;
    this.maxValues = opts.maxValues ?? POINT_LIMITS.maxValues;
  }

  /** Adds the next piece of the file: bytes (decoded as UTF-8 across chunk boundaries) or text. */
  push(chunk: Uint8Array | string): void {
    this.consumed += chunk.length;
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // TextDecoder drops a BOM; text may still carry one
    }
    this.feed(text, false);
  }

  /**
   * The header's column names, once {@link end} has read the rows: the cells of the header line (split by the data's
   * delimiter, trimmed, unquoted), or undefined when the file has no header or a name is not a {@link isColumnName}.
   */
  get names(): string[] | undefined {
    if (!this.header || this.cols === 0) return undefined;
    const names = splitCells(this.header.text, this.delimiter);
    return names.length === this.cols && names.every(isColumnName) ? names : undefined;
  }

  /** The points read; throws if the file held none or ended inside a bad row. */
  end(): Matrix {
    this.feed(this.decoder.decode(), true);
    if (this.cols === 0) {
      if (this.header) throw this.fail('no data rows (only a header)');
      throw this.fail('the file is empty');
    }
    return { data: this.values.slice(0, this.count), rows: this.rows, cols: this.cols };
  }

  private fail(msg: string): FormatError {
    return new FormatError(`${this.source}: ${msg}`);
  }

  /** Splits `carry + text` at line breaks (\r\n, \n or \r) and reads each complete line. */
  private feed(text: string, last: boolean): void {
    const buf = this.carry + text;
    let start = 0;
    let nl = buf.indexOf('\n'),
      cr = buf.indexOf('\r');
    for (;;) {
      if (nl >= 0 && nl < start) nl = buf.indexOf('\n', start);
      if (cr >= 0 && cr < start) cr = buf.indexOf('\r', start);
      const i = cr < 0 ? nl : nl < 0 ? cr : Math.min(nl, cr);
      if (i < 0) break;
      // A \r at the very end may be the first half of \r\n split across chunks: wait for the next chunk.
      if (i === cr && i === buf.length - 1 && !last) break;
      this.readLine(buf.slice(start, i));
      start = i === cr && buf.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      this.line++;
    }
    this.carry = buf.slice(start);
    if (last && this.carry !== '') {
      this.readLine(this.carry);
      this.carry = '';
    } else this.checkLength(this.carry);
  }

  /** A line longer than the limit (checked while it is still arriving, too) is an error. */
  private checkLength(text: string): void {
    if (text.length > POINT_LIMITS.maxLineLength)
      throw this.fail(`line ${this.line} is longer than ${POINT_LIMITS.maxLineLength} characters (is this a text file of points?)`);
  }

  private readLine(text: string): void {
    this.checkLength(text);
    const t = text.trim();
    if (t === '' || t[0] === '#') return;
    if (this.cols === 0) {
      this.firstRows(text);
      return;
    }
    this.readRow(text);
  }

  /** The header (if any) and the first data row decide the delimiter and the width. */
  private firstRows(text: string): void {
    const delimiter = detectDelimiter(text);
    if (!this.header && !splitCells(text, delimiter).some(looksNumeric)) {
      this.header = { line: this.line, text };
      return;
    }
    // The header may be written differently (e.g. quoted names); the data decide the delimiter.
    this.delimiter = delimiter;
    const cols = splitCells(text, delimiter).length;
    if (this.header) {
      const names = splitCells(this.header.text, delimiter).length;
      if (names !== cols) throw this.fail(`line ${this.header.line}: the header has ${names} columns, the data rows have ${cols}`);
    }
    // Checked before reading the rows: a file of the wrong dimension fails fast, whatever else is in it.
    if (this.dim !== undefined && cols !== this.dim) throw this.fail(`points have dimension ${cols}, expected ${this.dim}`);
    this.cols = cols;
    this.readRow(text);
  }

  private readRow(text: string): void {
    const cells = splitCells(text, this.delimiter);
    const cols = this.cols;
    if (cells.length !== cols) throw this.fail(`line ${this.line}: expected ${cols} columns, found ${cells.length}`);
    if (this.count + cols > this.maxValues)
      throw this.fail(`line ${this.line}: more than ${this.maxValues} values, the limit (${describeValues(this.maxValues)})`);
    if (this.count + cols > this.values.length) {
      const grown = new Float64Array(Math.min(this.maxValues, Math.max(2 * this.values.length, this.count + cols)));
      grown.set(this.values.subarray(0, this.count));
      this.values = grown;
    }
    for (let c = 0; c < cols; c++) {
      const v = parseStrictNumber(cells[c]);
      if (typeof v !== 'number') {
        const why = v === 'non-finite' ? 'is not a finite number' : 'is not a number';
        throw this.fail(`line ${this.line}, column ${c} (0-based): '${excerpt(cells[c])}' ${why}`);
      }
      this.values[this.count++] = v;
    }
    this.rows++;
  }
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
  return [...formatCsvChunks(m, opts)].join('');
}

/**
 * {@link formatCsv} in pieces of at most `rowsPerChunk` rows (the header comes with the first), for
 * writing files larger than the longest string the JavaScript engine can make (about 512 MB in V8).
 */
export function* formatCsvChunks(m: MatrixLike, opts: FormatCsvOptions = {}, rowsPerChunk = 16384): Generator<string> {
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
    if (out.length >= rowsPerChunk) yield `${out.splice(0).join('\n')}\n`;
  }
  if (out.length) yield `${out.join('\n')}\n`;
}

/** `String(v)`, except that -0 keeps its sign (String(-0) is '0'). */
function numberText(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** The longest column name ({@link isColumnName}). */
export const MAX_COLUMN_NAME = 64;

/** What a column name must be ({@link isColumnName}), for messages. */
export const COLUMN_NAME_RULE = `1 to ${MAX_COLUMN_NAME} characters, not a number, without , ; tab quote, line break or a leading #`;

/**
 * Whether `name` is a column name: a header name {@link formatCsv} writes and {@link parseCsv} reads back as the same
 * header ({@link COLUMN_NAME_RULE}); what {@link CsvReader.names} keeps and a model stores.
 */
export function isColumnName(name: unknown): name is string {
  if (typeof name !== 'string' || name.length > MAX_COLUMN_NAME || headerProblem(name) !== undefined) return false;
  const t = name.trim();
  return t !== '' && !t.startsWith('#');
}

/** Why a header name would not read back as the same header, or undefined. */
function headerProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || /[,;\t\r\n"]/.test(name)) return 'must be a string without , ; tab quote or line break';
  // A numeric name would make parseCsv read the header as a data row.
  if (looksNumeric(name.trim())) return 'looks like a number';
  return undefined;
}

/** Header names must survive a round trip: no separators or line ends, not numeric, not a comment. */
function checkHeader(names: string[], cols: number, source: string): string[] {
  if (names.length !== cols) throw new FormatError(`${source}: header has ${names.length} names, the data have ${cols} columns`);
  names.forEach((name, j) => {
    const problem = headerProblem(name);
    if (problem) throw new FormatError(`${source}: header name ${j} (0-based) '${excerpt(String(name))}' ${problem}`);
  });
  if (names[0]?.trim().startsWith('#'))
    throw new FormatError(`${source}: header name 0 (0-based) '${excerpt(names[0])}' would read as a comment`);
  return names;
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
