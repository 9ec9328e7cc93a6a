/**
 * The error this package throws for bad input (a wrong option, a corrupt file, images of the wrong size).
 *
 * `name` is `'InputError'` and `code` is `'E_INPUT'`, the contract of the other `@scorefield/*` packages (the CLI
 * maps that code to exit status 2). The message is one line that starts with the function or file name, e.g.
 * `loadMnist: imageSize must be 28 or 14, got 7`.
 */
export class DatasetError extends Error {
  override readonly name = 'InputError';
  readonly code = 'E_INPUT';
}

/** Throws a {@link DatasetError} whose message is `${source}: ${problem}`. */
export function fail(source: string, problem: string): never {
  throw new DatasetError(`${source}: ${problem}`);
}
