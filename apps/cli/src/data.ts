import { closeSync, read } from 'node:fs';
import { basename, extname } from 'node:path';
import { promisify } from 'node:util';
import { datasetNames, datasetSample, datasets, InputError, type Core } from '@scorefield/core-math';
import { CsvReader, detectPointsFormat, parseIdx, parseNpy, type Matrix } from '@scorefield/formats';
import type { Points } from '@scorefield/models';
import type { CommandIO } from './command.js';
import { openInput, readInputFile } from './io.js';
import { formatBytes, inputByteLimit, maxPointValues } from './limits.js';
import { createProgress } from './progress.js';

const fileKinds = { '.csv': 'csv', '.tsv': 'csv', '.txt': 'csv', '.npy': 'npy', '.idx': 'idx' } satisfies Record<
  string,
  'csv' | 'npy' | 'idx'
>;

/** The file kind of a path: by extension, or IDX for MNIST-style names (train-images-idx3-ubyte). */
export function fileKind(path: string): 'csv' | 'npy' | 'idx' | undefined {
  if (/idx\d?-u?byte$/i.test(path)) return 'idx';
  const ext = extname(path).toLowerCase();
  return Object.hasOwn(fileKinds, ext) ? fileKinds[ext as keyof typeof fileKinds] : undefined;
}

/** Data named on the command line: a built-in dataset (sampled with seed) or a .csv/.npy file. */
export interface LoadedData {
  points: Points;
  /** The dataset name, or the file's base name. */
  name: string;
  builtin: boolean;
}

/** Resolves `--data <name|file|->`; `size` points are drawn for a built-in dataset. */
export async function loadData(
  core: Core,
  spec: string,
  opts: { size: number; seed: number; dim?: number; io: CommandIO; quiet?: boolean },
): Promise<LoadedData> {
  if (spec === '-' || fileKind(spec)) {
    const m = await readPoints(spec, { io: opts.io, quiet: opts.quiet });
    if (opts.dim !== undefined && m.cols !== opts.dim) {
      throw new InputError(`${sourceName(spec)}: points have dimension ${m.cols}, the model expects ${opts.dim}`);
    }
    return { points: m, name: spec === '-' ? 'stdin' : basename(spec), builtin: false };
  }
  if (Object.hasOwn(datasets, spec)) {
    if (opts.dim !== undefined && opts.dim !== 2) throw new InputError(`dataset ${spec} is 2-D, the model expects dimension ${opts.dim}`);
    const rng = core.rng(opts.seed);
    const buf = datasetSample(core, spec, rng, opts.size);
    const data = buf.toArray();
    buf.free();
    rng.free();
    return { points: { data, rows: opts.size, cols: 2 }, name: spec, builtin: true };
  }
  throw new InputError(
    `unknown dataset '${spec}'; valid: ${datasetNames.join(', ')}, a file ending in ${Object.keys(fileKinds).join(', ')} or -ubyte (IDX), or - (stdin)`,
  );
}

/** The name in messages: the path, or `stdin`. */
function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** CSV files are read in pieces of this size; a progress bar appears for files larger than PROGRESS_BYTES. */
const CHUNK = 1 << 20;
const PROGRESS_BYTES = 64 * 2 ** 20;

/**
 * Points from a file: CSV (.csv, .tsv, .txt; streamed, so its size is limited by the values it holds, not
 * by the longest string), .npy or IDX; or `-`, standard input, read as .npy when it starts with numpy's
 * magic bytes and as CSV otherwise. Every check of io.ts (regular files only, sizes) applies first.
 */
export async function readPoints(path: string, o: { io: CommandIO; quiet?: boolean }): Promise<Matrix> {
  const maxValues = maxPointValues();
  if (path === '-') return readStdinPoints(o.io, maxValues);
  const kind = fileKind(path);
  if (kind === 'npy') return parseNpy(readInputFile(path, 'npy'), { source: path, maxValues });
  if (kind === 'idx') return parseIdx(readInputFile(path, 'idx'), { source: path, maxValues });
  if (kind !== 'csv') throw new InputError(`${path}: expected a points file ending in ${Object.keys(fileKinds).join(', ')}, or -`);
  const { fd, size } = openInput(path, inputByteLimit('csv'));
  const reader = new CsvReader({ source: path, maxValues });
  const bar = size > PROGRESS_BYTES ? createProgress(o.io, `read ${basename(path)}`, Math.ceil(size / 2 ** 20), !o.quiet) : undefined;
  const readAsync = promisify(read);
  const buf = new Uint8Array(CHUNK);
  try {
    for (;;) {
      const { bytesRead } = await readAsync(fd, buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      reader.push(buf.subarray(0, bytesRead));
      bar?.update(Math.floor(reader.consumed / 2 ** 20), 'MiB');
    }
  } catch (e) {
    if ((e as InputError).code === 'E_INPUT') throw e;
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
  const m = reader.end();
  bar?.finish(`MiB, ${m.rows} points`);
  return m;
}

/** Standard input: .npy by its magic bytes, else CSV (streamed). A terminal on stdin is refused. */
async function readStdinPoints(io: CommandIO, maxValues: number): Promise<Matrix> {
  const stdin = io.stdin ?? process.stdin;
  if (stdin.isTTY) throw new InputError('-: standard input is a terminal; pipe or redirect the points into it (e.g. < points.csv)');
  const limit = inputByteLimit('npy');
  const held: Uint8Array[] = []; // the first bytes until the format is known, then all of a .npy
  let bytes = 0;
  let format: 'npy' | 'csv' | undefined;
  const reader = new CsvReader({ source: 'stdin', maxValues });
  for await (const chunk of stdin) {
    if (format === 'csv') {
      reader.push(chunk);
      continue;
    }
    held.push(chunk);
    bytes += chunk.length;
    if (bytes > limit) throw new InputError(`stdin: more than ${formatBytes(limit)} of .npy data, the limit`);
    if (format === undefined && bytes >= 6) {
      format = detectPointsFormat(concat(held));
      if (format === 'csv') reader.push(concat(held.splice(0)));
    }
  }
  const rest = concat(held);
  if ((format ?? detectPointsFormat(rest)) === 'npy') return parseNpy(rest, { source: 'stdin', maxValues });
  if (format === undefined) reader.push(rest);
  return reader.end();
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** At most one input of a command may be `-` (standard input can be read once). */
export function checkStdinOnce(inputs: Record<string, string | undefined>): void {
  const flags = Object.entries(inputs)
    .filter(([, v]) => v === '-')
    .map(([k]) => `--${k}`);
  if (flags.length > 1) throw new InputError(`${flags.join(' and ')} both read standard input; only one input can be -`);
}
