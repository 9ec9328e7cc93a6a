/** Decimal number syntax: optional sign, digits with at most one point (at least one digit), optional exponent with digits. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Spellings of non-finite values that other tools write (numpy `nan`, `inf`; JS `NaN`, `Infinity`). */
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/**
 * Result of {@link parseStrictNumber}: `value` for a finite number; `'non-finite'` for a NaN/Inf literal
 * or a decimal that overflows to infinity (e.g. `1e999`); `'invalid'` for anything else.
 */
export type StrictNumber = number | 'non-finite' | 'invalid';

/**
 * Parses a trimmed cell as a decimal number, strictly: accepts `1e-3`, `-.5`, `+2`, `3.`; rejects `''`,
 * `1.2.3`, `0x10`, `1e`, `1_000`, which `Number()` or `parseFloat()` would partly accept.
 */
export function parseStrictNumber(cell: string): StrictNumber {
  if (DECIMAL.test(cell)) {
    const v = Number(cell);
    return Number.isFinite(v) ? v : 'non-finite';
  }
  return NON_FINITE.test(cell) ? 'non-finite' : 'invalid';
}

/** True when a cell reads as a number of some kind (finite or a NaN/Inf literal), i.e. is data rather than a column name. */
export function looksNumeric(cell: string): boolean {
  return parseStrictNumber(cell) !== 'invalid';
}
