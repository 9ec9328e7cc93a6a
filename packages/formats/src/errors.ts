/**
 * The error every loader and encoder in this package throws for bad input.
 *
 * `name` is `'InputError'` and `code` is `'E_INPUT'` so callers that recognise input errors by
 * code (the CLI maps them to exit code 2) treat these like `@scorefield/core-math`'s `InputError`
 * without depending on it. The message is always one line that starts with the source name,
 * e.g. `data.csv: line 3, column 1 (0-based): 'abc' is not a number`.
 */
export class FormatError extends Error {
  override readonly name = 'InputError';
  readonly code = 'E_INPUT';
}

/** Longest excerpt of user data quoted in a message, in characters (longer ones end in `...`). */
export const MAX_QUOTE = 20;

/**
 * Makes a piece of untrusted text safe to quote in a one-line message: control and line-separator
 * characters become `\uXXXX` escapes, and text longer than {@link MAX_QUOTE} characters is cut.
 */
export function excerpt(text: string, max = MAX_QUOTE): string {
  const cut = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are exactly what is escaped
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
