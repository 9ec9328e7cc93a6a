// The CLI run in-process for tests: its exit code and what it wrote, with stderr not a terminal (no \r).
import { Readable } from 'node:stream';
import { main } from '../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scorefield <argv>` in this process; `stdin` feeds `-`. */
export async function runCli(argv: string[], stdin?: string | Uint8Array): Promise<CliRun> {
  let stdout = '',
    stderr = '';
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTTY: false,
    ...(stdin !== undefined && { stdin: Readable.from([typeof stdin === 'string' ? Buffer.from(stdin) : stdin]) }),
  });
  return { code, stdout, stderr };
}

/** {@link runCli} with the arguments spread. */
export const cli = (...argv: string[]): Promise<CliRun> => runCli(argv);
