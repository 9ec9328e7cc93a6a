/**
 * The error every metric in this package throws for bad input.
 *
 * `name` is `'InputError'` and `code` is `'E_INPUT'`, the same contract as the other
 * `@scorefield/*` packages (the CLI maps that code to exit status 2). The message is always one
 * line that starts with the function name, e.g. `mmd2: x has dimension 2, y has dimension 3`.
 */
export class MetricError extends Error {
  override readonly name = 'InputError';
  readonly code = 'E_INPUT';
}

/** Throws a {@link MetricError} whose message is `${fn}: ${problem}`. */
export function fail(fn: string, problem: string): never {
  throw new MetricError(`${fn}: ${problem}`);
}

/** `1 point` / `3 points`: count with a correctly pluralised noun, for messages. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
