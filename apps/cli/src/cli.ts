import { isInputError } from '@scorefield/core-math';
import { helpText, parseCommandArgs, type Command, type CommandIO } from './command.js';
import { readInputFile } from './io.js';
import { train } from './commands/train.js';
import { sample } from './commands/sample.js';
import { plot } from './commands/plot.js';
import { datasets } from './commands/datasets.js';
import { evaluate } from './commands/eval.js';
import { animate } from './commands/animate.js';
import { bench } from './commands/bench.js';
import { PACKAGE_VERSION } from './version.js';

/** The verbs, by name. */
export const commands = { train, sample, eval: evaluate, plot, animate, datasets, bench } as unknown as Record<string, Command>;

/** The CLI's version (its package.json, at build time). */
export const VERSION = PACKAGE_VERSION;

const defaultIO: CommandIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
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
    "run 'scorefield <command> --help' for a command's options",
    '',
  ].join('\n');
}

/**
 * Runs the CLI on argv (without node and the script) and returns the exit code:
 * 0 success, 2 usage or input error, 1 runtime failure. Errors are one line on stderr.
 */
export async function main(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout(usage());
    return 0;
  }
  if (verb === '--version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (!Object.hasOwn(commands, verb)) {
    io.stderr(`scorefield: unknown command '${verb}'; valid: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  const cmd = commands[verb];
  try {
    const args = parseCommandArgs(cmd, rest, (path) => new TextDecoder().decode(readInputFile(path)));
    if (args.help) {
      io.stdout(helpText(cmd));
      return 0;
    }
    return (await cmd.run(args as never, io)) ?? 0;
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    io.stderr(`scorefield ${verb}: ${message}\n`);
    return isInputError(e) ? 2 : 1;
  }
}
