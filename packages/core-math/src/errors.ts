/**
 * An error in what the caller gave us (a shape, a name, a file, a number): the caller can fix it.
 * The CLI maps it to exit code 2; every other error is a runtime failure (exit code 1).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly code = 'E_INPUT';
}

/** True for an {@link InputError}, also across package copies (checks the code, not the class). */
export function isInputError(e: unknown): e is InputError {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'E_INPUT';
}

/** Throws an {@link InputError} naming the valid choices when `name` is not a key of `registry`. */
export function lookup<T>(registry: Record<string, T>, name: string, what: string): T {
  if (Object.hasOwn(registry, name)) return registry[name];
  throw new InputError(`unknown ${what} '${name}'; valid: ${Object.keys(registry).join(', ')}`);
}
