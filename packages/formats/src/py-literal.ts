import { excerpt, FormatError } from './errors.js';

/** A Python tuple, as in a .npy `shape`. */
export interface PyTuple {
  type: 'tuple';
  items: PyValue[];
}
/** A Python list. */
export interface PyList {
  type: 'list';
  items: PyValue[];
}
/** A Python dict; keys are kept in file order. */
export interface PyDict {
  type: 'dict';
  entries: [PyValue, PyValue][];
}
/** The Python literals a .npy header may hold: str, int, bool, None, tuple, list, dict. */
export type PyValue = string | number | boolean | null | PyTuple | PyList | PyDict;

/** Deepest nesting accepted; real headers nest 2-3 levels, and the limit keeps hostile input off the call stack. */
const MAX_DEPTH = 32;

/**
 * Parses the Python literal in a .npy header (what numpy reads with `ast.literal_eval`), e.g.
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`. Leading and trailing whitespace is
 * allowed (numpy pads headers with spaces and a newline); anything else that is not a literal is an error.
 *
 * @throws {FormatError} `source: .npy header is not a valid Python literal: <what> at offset <n>`.
 */
export function parsePyLiteral(text: string, source: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new FormatError(`${source}: .npy header is not a valid Python literal: ${what} at offset ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r\f\v'.includes(text[pos])) pos++;
  };
  const expectChar = (c: string): void => {
    skipSpace();
    if (text[pos] !== c) fail(pos < text.length ? `expected '${c}', found '${excerpt(text[pos])}'` : `expected '${c}', found the end`);
    pos++;
  };

  // Items of a tuple, list or dict up to `close`, with Python's optional trailing comma.
  const sequence = (close: string, item: () => void): void => {
    for (;;) {
      skipSpace();
      if (text[pos] === close) break;
      item();
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close)
        fail(pos < text.length ? `expected ',' or '${close}', found '${excerpt(text[pos])}'` : `expected '${close}', found the end`);
    }
    pos++;
  };

  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipSpace();
    const c = text[pos];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') return str();
    if (c === '{') {
      pos++;
      const entries: [PyValue, PyValue][] = [];
      sequence('}', () => {
        const k = value(depth + 1);
        expectChar(':');
        entries.push([k, value(depth + 1)]);
      });
      return { type: 'dict', entries };
    }
    if (c === '[') {
      pos++;
      const items: PyValue[] = [];
      sequence(']', () => items.push(value(depth + 1)));
      return { type: 'list', items };
    }
    if (c === '(') {
      pos++;
      const items: PyValue[] = [];
      const start = pos;
      sequence(')', () => items.push(value(depth + 1)));
      // `(3)` is just 3 in Python; only a comma (or nothing) makes a tuple.
      if (
        items.length === 1 &&
        !text
          .slice(start, pos - 1)
          .trimEnd()
          .endsWith(',')
      )
        return items[0];
      return { type: 'tuple', items };
    }
    const word = /^(?:[+-]?\d+L?|True|False|None)/.exec(text.slice(pos, pos + 40));
    if (!word) return fail(`unexpected '${excerpt(c)}'`);
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    // Python 2 numpy wrote long ints as `3L`; numpy still reads them.
    return Number(word[0].replace('L', ''));
  };

  const str = (): string => {
    const quote = text[pos++];
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      const c = text[pos++];
      if (c === '\n') fail('line break in a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[pos++];
      if (e === undefined) break;
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return out;
  };

  const result = value(0);
  skipSpace();
  if (pos < text.length) fail(`unexpected '${excerpt(text[pos])}' after the literal`);
  return result;
}

/** Python-style repr of a parsed literal, for messages: `(3,)`, `'<i4'`, `[('x', '<f4')]`. */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (v.type === 'tuple') return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
  if (v.type === 'list') return `[${v.items.map(pyRepr).join(', ')}]`;
  return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}
