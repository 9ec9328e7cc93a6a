import { parseArgs } from 'node:util';
import { InputError } from '@scorefield/core-math';
import { excerpt } from '@scorefield/formats';

// The flag-value parsers live in @scorefield/models beside RunSpec, which uses them too.
export { intFlag, positiveFlag, boundedFlag, intListFlag, sigmasFlag, MAX_LEVELS } from '@scorefield/models';

/** One option of a verb: its type, help text and default (shown in --help). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder in the help text, e.g. 'N'. */
  value?: string;
  default?: string | boolean;
  short?: string;
}

/** A verb of the CLI: options, help text and the function that does the work. */
export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  description: string;
  usage: string;
  options: O;
  /** Accepts --config file.json holding any of its options (command-line flags override it). */
  config?: boolean;
  /** Accepts positional arguments (passed as `args._`); otherwise a stray argument is an input error. */
  positionals?: boolean;
  run(
    args: { [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean : string | undefined } & CommonArgs & { _: string[] },
    io: CommandIO,
    // biome-ignore lint/suspicious/noConfusingVoidType: a verb may return nothing (exit 0) or an exit code
  ): Promise<number | void>;
}

/** Where a command writes: stdout for results, stderr for progress and messages. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal that can redraw a line (progress bars use \r); false when TERM=dumb. */
  stderrIsTTY: boolean;
  /** Standard input, for `-` (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array> & { isTTY?: boolean };
}

/** Identity with type inference: one `defineCommand` per verb (citty style). */
export function defineCommand<O extends Record<string, OptionSpec>>(c: Command<O>): Command<O> {
  return c;
}

/** Flags every verb has. */
export interface CommonArgs {
  json: boolean;
  quiet: boolean;
  help: boolean;
}

/** Options every verb has. */
export const commonOptions: Record<keyof CommonArgs, OptionSpec> = {
  json: { type: 'boolean', description: 'print one JSON object with the results on stdout', default: false },
  quiet: {
    type: 'boolean',
    description:
      'no progress and no notes (the settings chosen for you, notices; --json and the model file keep them); warnings and the result ' +
      'line still print',
    default: false,
  },
  help: { type: 'boolean', short: 'h', description: 'show this help', default: false },
};

/**
 * Parses argv strictly for a command: unknown flags and stray arguments are input errors naming them.
 * Precedence: command-line flags, then --config (for commands that take one), then the defaults.
 */
export function parseCommandArgs(
  cmd: Command,
  argv: string[],
  readConfig?: (path: string) => string,
): Record<string, string | boolean | undefined> {
  const values = parseFlags(cmd, argv);
  if (cmd.config && typeof values.config === 'string' && readConfig) {
    const fromFile = parseConfig(cmd, values.config, readConfig(values.config));
    for (const [k, v] of Object.entries(fromFile)) if (values[k] === undefined) values[k] = v;
  }
  const options: Record<string, OptionSpec> = { ...cmd.options, ...commonOptions };
  for (const [k, o] of Object.entries(options)) if (values[k] === undefined && o.default !== undefined) values[k] = o.default;
  return values;
}

/** The options of a --config file: a JSON object whose keys are option names (numbers and booleans allowed). */
function parseConfig(cmd: Command, path: string, text: string): Record<string, string | boolean> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`--config ${path}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InputError(`--config ${path}: expected a JSON object of options`);
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(json)) {
    // Own properties only: '__proto__', 'constructor' or 'toString' are not options.
    const spec = Object.hasOwn(cmd.options, k) ? cmd.options[k] : undefined;
    if (!spec || k === 'config') {
      const valid = Object.keys(cmd.options).filter((o) => o !== 'config');
      throw new InputError(`--config ${path}: unknown option '${excerpt(k)}'${didYouMean(k, valid)}; valid: ${valid.join(', ')}`);
    }
    if (spec.type === 'boolean') {
      if (typeof v !== 'boolean') throw new InputError(`--config ${path}: option '${k}' must be true or false`);
      out[k] = v;
    } else {
      if (typeof v !== 'string' && typeof v !== 'number' && !(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'))) {
        throw new InputError(`--config ${path}: option '${k}' must be a string or a number`);
      }
      out[k] = Array.isArray(v) ? v.join(',') : String(v);
    }
  }
  return out;
}

function parseFlags(cmd: Command, argv: string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, OptionSpec> = { ...cmd.options, ...commonOptions };
  // `--steps -1` would read as two flags; bind a negative number to the option before it, so the
  // option's own check reports it.
  const args = [...argv];
  for (let i = args.length - 1; i > 0; i--) {
    const name = args[i - 1].startsWith('--') ? args[i - 1].slice(2) : '';
    if (/^-(\d|\.\d)/.test(args[i]) && options[name]?.type === 'string') args.splice(i - 1, 2, `${args[i - 1]}=${args[i]}`);
  }
  try {
    const { values, positionals } = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
      strict: true,
      allowPositionals: Boolean(cmd.positionals),
    });
    return { ...values, _: positionals } as unknown as Record<string, string | boolean | undefined>;
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      const first = err.message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
      const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '--([^'=]+)'/.exec(first)?.[1] : undefined;
      const hint = unknown === undefined ? '' : didYouMean(unknown, Object.keys(options), '--');
      throw new InputError(`${first}${hint}; see 'scorefield ${cmd.name} --help'`);
    }
    throw e;
  }
}

/** The --help text of a command. */
export function helpText(cmd: Command): string {
  const options = { ...cmd.options, ...commonOptions };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;
    const def = o.default !== undefined && o.type === 'string' ? ` (default: ${o.default})` : '';
    return [flag, o.description + def] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    `scorefield ${cmd.name}: ${cmd.description}`,
    '',
    `usage: ${cmd.usage}`,
    '',
    'options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
    '',
  ].join('\n');
}

/** Throws unless a required string flag is present. */
export function requireFlag(cmd: string, name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new InputError(`${cmd}: --${name} is required; see 'scorefield ${cmd} --help'`);
  return raw;
}

/**
 * ` (did you mean --steps?)` when one candidate is close to `name` (edit distance with transpositions: at most 1 for
 * names of up to 4 characters, 2 above, and less than half the name), else ''. Ties go to the first candidate.
 */
export function didYouMean(name: string, candidates: readonly string[], prefix = ''): string {
  const limit = Math.min(name.length <= 4 ? 1 : 2, Math.ceil(name.length / 2) - 1);
  let best: string | undefined,
    bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === undefined ? '' : ` (did you mean ${prefix}${best}?)`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Math.abs(a.length - b.length);
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  return rows[a.length][b.length];
}
