import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError } from '@scorefield/core-math';
import { excerpt } from '@scorefield/formats';
import { formatBytes, inputByteLimit, type InputKind } from './limits.js';

/** What a special file is, for messages. */
function fileType(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `EACCES: permission denied`: an errno error as a short cause. */
export function errnoCause(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EIO: 'input/output error',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'is a directory',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'name too long',
    EFBIG: 'file too large',
    EMFILE: 'too many open files',
  };
  if (typeof err?.code === 'string') return Object.hasOwn(known, err.code) ? `${err.code}: ${known[err.code]}` : err.code;
  return (err as Error)?.message?.split('\n')[0] ?? String(e);
}

/**
 * Opens an input for reading: regular files only (devices, FIFOs and sockets are refused with one line
 * before they are opened, since reading /dev/zero never ends and opening a FIFO blocks), and no larger
 * than `maxBytes`. Opened with O_NONBLOCK and checked again with fstat, so a file swapped for a FIFO
 * after the first check cannot block or slip through either.
 */
export function openInput(path: string, maxBytes: number): { fd: number; size: number } {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError(`${path}: no such file`);
    throw new InputError(`${path}: cannot read (${errnoCause(e)})`);
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a file`);
  if (!st.isFile()) throw new InputError(`${path}: is ${fileType(st)}, expected a regular file`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${errnoCause(e)})`);
  }
  const now = fstatSync(fd);
  if (!now.isFile()) {
    closeSync(fd);
    throw new InputError(`${path}: is ${fileType(now)}, expected a regular file`);
  }
  if (now.size > maxBytes) {
    closeSync(fd);
    throw new InputError(`${path}: ${formatBytes(now.size)} is more than the limit for this input (${formatBytes(maxBytes)})`);
  }
  return { fd, size: now.size };
}

/** Reads a whole input file of a kind (model, config, .npy, ...) after the checks of {@link openInput}. */
export function readInputFile(path: string, kind: InputKind): Uint8Array {
  const { fd, size } = openInput(path, inputByteLimit(kind));
  try {
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, out, at, size - at, null);
      if (n === 0) break;
      at += n;
    }
    if (at !== size) throw new InputError(`${path}: the file changed while it was read (${at} of ${size} bytes)`);
    return out;
  } catch (e) {
    if ((e as InputError).code === 'E_INPUT') throw e;
    throw new InputError(`${path}: cannot read (${errnoCause(e)})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * A model file's bytes (`--model`), refused with one line when they are not a safetensors file at all: safetensors
 * starts with the header's length (8 bytes, little-endian) and the header, a JSON object (`{` at byte 8). A CSV or
 * other text file read that way gives an absurd length (`x,y` ... is about 7e17), so the decoder's message would
 * name a length instead of the file's kind. Truncated or corrupted safetensors are left to the decoder.
 */
export function readModelFile(path: string): Uint8Array {
  const bytes = readInputFile(path, 'model');
  if (bytes.length < 9) return bytes;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const text = (b: number) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127);
  const looksText = bytes.subarray(0, 8).every(text) && headerLength > BigInt(bytes.length);
  if (bytes[8] === 0x7b && !looksText) return bytes;
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 24)));
  const what =
    head.startsWith('\x93NUMPY') || bytes[0] === 0x93
      ? 'it is a NumPy .npy file'
      : bytes.subarray(0, Math.min(bytes.length, 64)).every(text)
        ? `it starts with text: '${excerpt(head.split(/[\r\n]/)[0], 20)}'`
        : `its first 8 bytes give a header length of ${headerLength} for a file of ${bytes.length} bytes`;
  throw new InputError(`${path}: not a safetensors file (${what}); --model takes a model written by 'scorefield train'`);
}

/** Where a command writes one of its outputs. */
export interface OutputSpec {
  flag: string;
  path: string;
  extensions: string[];
  /** `-` (stdout) is accepted for this output. */
  stdout?: boolean;
}

/**
 * Checks every output of a command before any long work: a known extension, distinct paths, the target
 * not a directory, and a folder that exists and where a file can be created (a probe file is created and
 * removed). Returns the extensions (lower case, with the dot; `-` for stdout), in order.
 */
export function checkOutputs(specs: OutputSpec[], inputs: Record<string, string | undefined> = {}): string[] {
  const seen = new Map<string, string>();
  // The inputs' files (stdin and built-in names aside): an output there would replace what the run reads.
  const read = new Map<string, string>();
  for (const [flag, path] of Object.entries(inputs)) {
    if (path === undefined || path === '-') continue;
    try {
      read.set(realpathSync(path), flag);
    } catch {
      // An input that is missing or cannot be resolved is refused when it is read, with its own message.
    }
  }
  return specs.map((s) => {
    if (s.path === '-') {
      if (!s.stdout) throw new InputError(`--${s.flag} -: this output cannot go to stdout; give a file name`);
      if (seen.has('-')) throw new InputError(`--${s.flag} - and --${seen.get('-')} - both write to stdout`);
      seen.set('-', s.flag);
      return '-';
    }
    const ext = checkOutputPath(s.path, s.flag, s.extensions);
    // The real folder: two spellings of one file (a symlinked folder, `./x`, `a/../x`) are the same output.
    const key = join(realpathSync(dirname(resolve(s.path))), basename(s.path));
    if (seen.has(key)) throw new InputError(`--${s.flag} ${s.path}: the same file as --${seen.get(key)}; give each output its own path`);
    if (read.has(key))
      throw new InputError(`--${s.flag} ${s.path}: the same file as the input --${read.get(key)}; write the output elsewhere`);
    seen.set(key, s.flag);
    return ext;
  });
}

/**
 * Checks before any long work that `path` can be written: it has one of the allowed extensions, is not
 * a directory, and its folder exists and takes a new file. Returns the extension (lower case, with the dot).
 */
export function checkOutputPath(path: string, flag: string, extensions: string[]): string {
  const ext = extname(path).toLowerCase();
  if (!extensions.includes(ext)) {
    throw new InputError(`--${flag} ${path}: expected a file ending in ${extensions.join(' or ')}`);
  }
  const dir = dirname(resolve(path));
  let st: Stats;
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
  const probe = join(dir, `.${basename(path)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    unlinkSync(probe);
  } catch (e) {
    throw new InputError(`--${flag} ${path}: cannot write in folder ${dir} (${errnoCause(e)})`);
  }
  return ext;
}

/** A write that failed: names the output, not its temporary file. A runtime failure (exit 1), e.g. disk full. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** Temporary files being written now: removed by {@link removeTemporaries} when the process is interrupted. */
const pending = new Set<string>();

/** Removes the temporary files of writes in progress (from a signal handler); returns how many. */
export function removeTemporaries(): number {
  let n = 0;
  for (const tmp of pending) {
    try {
      unlinkSync(tmp);
      n++;
    } catch {
      /* already gone */
    }
  }
  pending.clear();
  return n;
}

let tmpCounter = 0;
const swept = new Set<string>();

/** A temporary file next to `target`, removing those of killed writers first (see {@link writeFileAtomic}). */
function temporaryFor(target: string): string {
  if (!swept.has(target)) {
    swept.add(target);
    removeStaleTemporaries(target);
  }
  return join(dirname(target), `.${basename(target)}.${process.pid}.${++tmpCounter}.tmp`);
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, flushed, then renamed
 * over the target, so a reader (or a crash) sees either the old file or the complete new one.
 * A writer killed outright (SIGKILL, power loss) can leave its temporary file behind; the first write
 * to the same target from a later process removes those of processes that are no longer running.
 * A failure (disk full, permissions) is an {@link OutputError} naming `path`.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const target = resolve(path);
  const tmp = temporaryFor(target);
  let fd: number | undefined;
  try {
    pending.add(tmp);
    fd = openSync(tmp, 'wx', 0o644);
    writeAll(fd, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    abandon(fd, tmp);
    throw new OutputError(`${path}: cannot write (${errnoCause(e)})`);
  } finally {
    pending.delete(tmp);
  }
}

/**
 * {@link writeFileAtomic} for large outputs given in pieces (strings are UTF-8 encoded), yielding to the
 * event loop between pieces so SIGINT/SIGTERM can remove the temporary file. `-` writes to `stdout`.
 */
export async function writeOutput(path: string, pieces: Iterable<Uint8Array | string>, stdout: (text: string) => void): Promise<void> {
  if (path === '-') {
    for (const p of pieces) stdout(typeof p === 'string' ? p : new TextDecoder().decode(p));
    return;
  }
  const target = resolve(path);
  const tmp = temporaryFor(target);
  const encoder = new TextEncoder();
  let fd: number | undefined;
  try {
    pending.add(tmp);
    fd = openSync(tmp, 'wx', 0o644);
    for (const p of pieces) {
      writeAll(fd, typeof p === 'string' ? encoder.encode(p) : p);
      await new Promise((r) => setImmediate(r));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    abandon(fd, tmp);
    throw new OutputError(`${path}: cannot write (${errnoCause(e)})`);
  } finally {
    pending.delete(tmp);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

function abandon(fd: number | undefined, tmp: string): void {
  if (fd !== undefined) {
    try {
      closeSync(fd);
    } catch {
      /* the write error is what matters */
    }
  }
  try {
    unlinkSync(tmp);
  } catch {
    /* already gone, or never created */
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
