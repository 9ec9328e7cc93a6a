import { InputError, isInputError } from '@scorefield/core-math';
import { defineCommand, didYouMean, helpText, parseCommandArgs, type Command, type CommandIO } from './command.js';
import { readInputFile, removeTemporaries } from './io.js';
import { train } from './commands/train.js';
import { sample } from './commands/sample.js';
import { score } from './commands/score.js';
import { plot } from './commands/plot.js';
import { datasets } from './commands/datasets.js';
import { evaluate } from './commands/eval.js';
import { animate } from './commands/animate.js';
import { bench } from './commands/bench.js';
import { PACKAGE_VERSION } from './version.js';
import { bashCompletion, zshCompletion } from './completion.js';

const completion = defineCommand({
  name: 'completion',
  description: 'print a shell completion script: completion bash | completion zsh',
  usage: 'scorefield completion bash|zsh   (e.g. source <(scorefield completion bash))',
  positionals: true,
  options: {},
  async run(args, io) {
    const [shell, ...extra] = args._;
    if (extra.length) throw new InputError(`completion: unexpected argument '${extra[0]}'`);
    if (shell === 'bash') io.stdout(bashCompletion(commands));
    else if (shell === 'zsh') io.stdout(zshCompletion(commands));
    else throw new InputError(`completion: name a shell: bash or zsh${shell === undefined ? '' : `, not '${shell}'`}`);
  },
});

/** The verbs, by name. */
export const commands = {
  train,
  sample,
  score,
  eval: evaluate,
  plot,
  animate,
  datasets,
  bench,
  completion,
} as unknown as Record<string, Command>;

/** The CLI's version (its package.json, at build time). */
export const VERSION = PACKAGE_VERSION;

/**
 * stdout and stderr of this process. Progress bars redraw in place (`\r`) only on a terminal that can do
 * it: stderr a TTY and TERM not `dumb`.
 */
const defaultIO: CommandIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb',
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length)) + 2;
  return [
    'scorefield: train score models, sample with Langevin dynamics, and plot',
    '',
    'usage: scorefield <command> [options]',
    '',
    'commands:',
    ...Object.values(commands).map((c) => `  ${c.name.padEnd(width)}${c.description}`),
    '',
    "run 'scorefield help <command>' or 'scorefield <command> --help' for a command's options",
    '',
  ].join('\n');
}

/**
 * One line for an error: memory exhaustion named as such, never a JavaScript error's name or stack. Library
 * messages that name the verb themselves (`sample: steps must be ...`) lose that prefix, which the line already has.
 */
function errorLine(e: unknown, verb?: string): string {
  let message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  if (verb !== undefined && message.startsWith(`${verb}: `)) message = message.slice(verb.length + 2);
  if (/WebAssembly\.Memory\.grow|Array buffer allocation failed|Invalid (typed )?array length|Invalid string length/.test(message))
    return `out of memory (${message}); the WASM core's memory is limited to 4 GiB`;
  return message;
}

/**
 * Runs the CLI on argv (without node and the script) and returns the exit code:
 * 0 success, 2 usage or input error, 1 runtime failure. Errors are one line on stderr.
 */
export async function main(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || (verb === 'help' && rest.length === 0)) {
    io.stdout(usage());
    return 0;
  }
  if (verb === '--version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (verb === 'help') {
    const [topic, ...extra] = rest;
    if (!Object.hasOwn(commands, topic) || extra.length) {
      io.stderr(
        `scorefield help: unknown command '${topic}${extra.length ? ` ${extra.join(' ')}` : ''}'` +
          `${extra.length ? '' : didYouMean(String(topic), Object.keys(commands))}; valid: ${Object.keys(commands).join(', ')}\n`,
      );
      return 2;
    }
    io.stdout(helpText(commands[topic]));
    return 0;
  }
  if (!Object.hasOwn(commands, verb)) {
    const name = verb.split('\n')[0];
    const hint = name.startsWith('-') ? '' : didYouMean(name, Object.keys(commands));
    io.stderr(`scorefield: unknown command '${name}'${hint}; valid: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  const cmd = commands[verb];
  try {
    const args = parseCommandArgs(cmd, rest, (path) => new TextDecoder().decode(readInputFile(path, 'config')));
    if (args.help) {
      io.stdout(helpText(cmd));
      return 0;
    }
    return (await cmd.run(args as never, io)) ?? 0;
  } catch (e) {
    io.stderr(`scorefield ${verb}: ${errorLine(e, verb)}\n`);
    return isInputError(e) ? 2 : 1;
  }
}

const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The `scorefield` process: {@link main} with the process around it. SIGINT and SIGTERM remove the
 * temporary files of writes in progress, print one line and exit 130 / 143; a reader closing stdout early
 * (`| head`) ends the run quietly; anything that escapes is still one line (exit 1).
 */
export async function runProcess(argv: string[]): Promise<void> {
  const verb = Object.hasOwn(commands, argv[0] ?? '') ? `scorefield ${argv[0]}` : 'scorefield';
  for (const [signal, code] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      const removed = removeTemporaries();
      process.stderr.write(`${verb}: interrupted by ${signal}${removed ? ' (unfinished output removed)' : ''}\n`);
      process.exit(code);
    });
  }
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const fatal = (e: unknown) => {
    removeTemporaries();
    process.stderr.write(`${verb}: ${errorLine(e)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.exitCode = await main(argv);
}
