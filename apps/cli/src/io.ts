import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError } from '@scorefield/core-math';

/** Reads a whole input file; a missing file or a directory is an input error naming the path. */
export function readInputFile(path: string): Uint8Array {
  let st: import('node:fs').Stats;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file`);
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a file`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Checks before any long work that `path` can be written: its folder exists and it has one of the
 * allowed extensions. Returns the extension (lower case, with the dot).
 */
export function checkOutputPath(path: string, flag: string, extensions: string[]): string {
  const ext = extname(path).toLowerCase();
  if (!extensions.includes(ext)) {
    throw new InputError(`--${flag} ${path}: expected a file ending in ${extensions.join(' or ')}`);
  }
  const dir = dirname(resolve(path));
  let st: import('node:fs').Stats;
  try {
    st = statSync(dir);
  } catch {
    throw new InputError(`--${flag} ${path}: folder ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new InputError(`--${flag} ${path}: ${dir} is not a folder`);
  try {
    if (statSync(path).isDirectory()) throw new InputError(`--${flag} ${path}: is a directory`);
  } catch (e) {
    if ((e as InputError).code === 'E_INPUT') throw e;
  }
  return ext;
}

let tmpCounter = 0;
const swept = new Set<string>();

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, flushed, then renamed
 * over the target, so a reader (or a crash) sees either the old file or the complete new one.
 * A writer killed outright (SIGKILL, power loss) can leave its temporary file behind; the first write
 * to the same target from a later process removes those of processes that are no longer running.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const target = resolve(path);
  if (!swept.has(target)) {
    swept.add(target);
    removeStaleTemporaries(target);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${++tmpCounter}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
}

/** Deletes `.<name>.<pid>.<n>.tmp` next to `target` whose writer process `pid` has ended. */
function removeStaleTemporaries(target: string): void {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return; // no folder yet: the write itself reports it
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.\d+\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isRunning(pid)) continue;
    try {
      unlinkSync(join(dirname(target), name));
    } catch {
      /* raced with another sweeper */
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}
