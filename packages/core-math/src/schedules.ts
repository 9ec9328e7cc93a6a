import { InputError, lookup } from './errors.js';
import * as detMath from './det-math.js';

/** Noise-level ladders sigma_1 > ... > sigma_L (NCSN), each from sigma_max down to sigma_min. */
export const schedules = {
  /** sigma_i = max (min/max)^(i/(L-1)): the NCSN default (Song & Ermon 2019, section 4.2). */
  geometric: (max: number, min: number, i: number, L: number) => max * detMath.pow(min / max, i / (L - 1)),
  linear: (max: number, min: number, i: number, L: number) => max + ((min - max) * i) / (L - 1),
  /** Half a cosine from max to min: more levels near both ends. */
  cosine: (max: number, min: number, i: number, L: number) => min + ((max - min) * (1 + detMath.cos((Math.PI * i) / (L - 1)))) / 2,
} satisfies Record<string, (max: number, min: number, i: number, L: number) => number>;
export type ScheduleName = keyof typeof schedules;

/** The L noise levels of a schedule, largest first. */
export function sigmaSchedule(name: string, max: number, min: number, levels: number): number[] {
  const f = lookup(schedules, name, 'schedule');
  if (!(Number.isFinite(max) && Number.isFinite(min) && min > 0 && max > min)) {
    throw new InputError(`schedule ${name}: need 0 < sigma_min < sigma_max, got max ${max}, min ${min}`);
  }
  if (!(Number.isInteger(levels) && levels >= 2 && levels <= 10_000)) {
    throw new InputError(`schedule ${name}: levels must be an integer between 2 and 10000, got ${levels}`);
  }
  return Array.from({ length: levels }, (_, i) => f(max, min, i, levels));
}

/** Parses `name:max:min:levels`, e.g. `geometric:1:0.01:10` (the --sigmas flag). */
export function parseSigmaSchedule(text: string): number[] {
  const parts = text.split(':');
  if (parts.length !== 4) {
    throw new InputError(`--sigmas: expected <schedule>:<sigma_max>:<sigma_min>:<levels>, e.g. geometric:1:0.01:10, got '${text}'`);
  }
  const [name, max, min, levels] = parts;
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
  return sigmaSchedule(name, num(max), num(min), num(levels));
}
