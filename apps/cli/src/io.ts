import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError } from '@scorefield/core-math';

/** Reads a whole input file; a missing file or a directory is an input error naming the path. */
export function readInputFile(path: string): Uint8Array {
  let st;
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
  let st;
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

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, flushed, then renamed
 * over the target, so a reader (or a crash) sees either the old file or the complete new one.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const target = resolve(path);
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
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}
