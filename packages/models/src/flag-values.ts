import { InputError, parseSigmaSchedule } from '@scorefield/core-math';
import { excerpt, parseStrictNumber } from '@scorefield/formats';

// Values of command-line flags and link parameters, read strictly: the CLI's verbs and RunSpec (which the
// web page's link also goes through) share these rules, so a value means the same thing everywhere.

/**
 * A number flag, read by the CSV reader's rules (formats' parseStrictNumber): decimal only, so `0x10`,
 * `1_000`, ` 5` or `Infinity` are refused instead of being read the way Number() reads them.
 */
export function strictNumber(raw: string | undefined): number | undefined {
  const v = raw === undefined ? 'invalid' : parseStrictNumber(raw);
  return typeof v === 'number' ? v : undefined;
}

/** Parses an integer flag within [min, max]; an input error naming the flag otherwise. */
export function intFlag(name: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = strictNumber(raw);
  if (v === undefined || !Number.isInteger(v) || v < min || v > max) {
    throw new InputError(`--${name}: expected an integer between ${min} and ${max}, got '${excerpt(String(raw), 40)}'`);
  }
  return v;
}

/** Parses a finite number flag > 0. */
export function positiveFlag(name: string, raw: string | undefined): number {
  const v = strictNumber(raw);
  if (v === undefined || v <= 0) throw new InputError(`--${name}: expected a finite number > 0, got '${excerpt(String(raw), 40)}'`);
  return v;
}

/** Parses a finite number flag in (0, max]. */
export function boundedFlag(name: string, raw: string | undefined, max: number): number {
  const v = strictNumber(raw);
  if (v === undefined || v <= 0 || v > max)
    throw new InputError(`--${name}: expected a number in (0, ${max}], got '${excerpt(String(raw), 40)}'`);
  return v;
}

/** Parses a comma-separated list of positive integers, e.g. --hidden 128,128,128. */
export function intListFlag(name: string, raw: string | undefined, max = 65536): number[] {
  const parts = (raw ?? '').split(',');
  return parts.map((p) => {
    const v = strictNumber(p);
    if (v === undefined || !Number.isInteger(v) || v < 1 || v > max) {
      throw new InputError(`--${name}: expected comma-separated integers between 1 and ${max}, got '${excerpt(String(raw), 40)}'`);
    }
    return v;
  });
}

/** Most noise levels a --sigmas schedule may have (NCSN uses 10 to 1000). */
export const MAX_LEVELS = 10_000;

/**
 * --sigmas schedule:max:min:levels, with the numbers read strictly (as every flag) and at most
 * {@link MAX_LEVELS} levels, before core-math builds the schedule.
 */
export function sigmasFlag(raw: string): number[] {
  const parts = raw.split(':');
  if (parts.length === 4) {
    const [max, min, levels] = parts.slice(1).map(strictNumber);
    if (max === undefined || min === undefined || levels === undefined)
      throw new InputError(
        `--sigmas: expected <schedule>:<sigma_max>:<sigma_min>:<levels> with decimal numbers, got '${excerpt(raw, 40)}'`,
      );
    if (!Number.isInteger(levels) || levels < 1 || levels > MAX_LEVELS)
      throw new InputError(`--sigmas: levels must be an integer between 1 and ${MAX_LEVELS}, got ${levels}`);
  }
  return parseSigmaSchedule(raw);
}
