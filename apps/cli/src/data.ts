import { closeSync, read } from 'node:fs';
import { basename, extname } from 'node:path';
import { promisify } from 'node:util';
import { datasetNames, datasetPoints, datasets, InputError, type Core } from '@scorefield/core-math';
import { CsvReader, detectPointsFormat, parseIdx, parseNpy, type Matrix } from '@scorefield/formats';
import { loadMnist, MNIST_CLASSES } from '@scorefield/datasets';
import type { ImageShape, Points } from '@scorefield/models';
import { didYouMean, type CommandIO } from './command.js';
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

/** The built-in image data set: MNIST digits of @scorefield/datasets (pixels in [0, 1]). */
export const MNIST = 'mnist';

/** Data named on the command line: a built-in dataset (sampled with seed), MNIST, or a .csv/.npy/IDX file. */
export interface LoadedData {
  points: Points;
  /** The dataset name, or the file's base name. */
  name: string;
  builtin: boolean;
  /** The image shape, for MNIST and IDX files of images [n, height, width]. */
  image?: ImageShape;
  /** The column names of a CSV file's header (formats' CsvReader.names). */
  columns?: string[];
  /** The class of each point, for MNIST. */
  labels?: Uint8Array;
  classes?: number;
}

/** `28x28`. */
export function shapeText(s: ImageShape): string {
  return `${s.width}x${s.height}`;
}

/**
 * Resolves `--data <name|file|->`; `size` points are drawn for a built-in dataset (at most `size` digits of
 * MNIST's `split`, default train). `dim` and `image` are a model's: data of another dimension or image shape
 * are refused with one line. MNIST's image size is `imageSize`, else the model's, else 28.
 */
export async function loadData(
  core: Core,
  spec: string,
  opts: {
    size: number;
    seed: number;
    dim?: number;
    image?: ImageShape;
    imageSize?: 14 | 28;
    split?: 'train' | 'test';
    io: CommandIO;
    quiet?: boolean;
  },
): Promise<LoadedData> {
  const expected = () =>
    opts.image ? `the model's images are ${shapeText(opts.image)} (dimension ${opts.dim})` : `the model expects ${opts.dim}`;
  if (spec === '-' || fileKind(spec)) {
    const m = await readPoints(spec, { io: opts.io, quiet: opts.quiet });
    const shape = m.image ? ` (${shapeText(m.image)} images)` : '';
    if (opts.dim !== undefined && m.cols !== opts.dim)
      throw new InputError(`${sourceName(spec)}: points have dimension ${m.cols}${shape}, ${expected()}`);
    if (opts.image && m.image && (m.image.width !== opts.image.width || m.image.height !== opts.image.height))
      throw new InputError(`${sourceName(spec)}: images are ${shapeText(m.image)}, ${expected()}`);
    const points = { data: m.data, rows: m.rows, cols: m.cols };
    const name = spec === '-' ? 'stdin' : basename(spec);
    return { points, name, builtin: false, ...(m.image && { image: m.image }), ...(m.names && { columns: m.names }) };
  }
  if (spec === MNIST) {
    const side = opts.imageSize ?? (opts.image?.width === 14 && opts.image.height === 14 ? 14 : 28);
    if (opts.dim !== undefined && side * side !== opts.dim)
      throw new InputError(`mnist: ${side}x${side} images (dimension ${side * side}), ${expected()}`);
    const set = await loadMnist({ split: opts.split ?? 'train', imageSize: side, limit: opts.size });
    const { data, rows, cols, width, height, labels } = set;
    return { points: { data, rows, cols }, name: MNIST, builtin: true, image: { width, height }, labels, classes: MNIST_CLASSES };
  }
  if (Object.hasOwn(datasets, spec)) {
    if (opts.dim !== undefined && opts.dim !== 2) throw new InputError(`dataset ${spec} is 2-D, ${expected()}`);
    return { points: { data: datasetPoints(core, spec, opts.seed, opts.size), rows: opts.size, cols: 2 }, name: spec, builtin: true };
  }
  throw new InputError(
    `unknown dataset '${spec}'${didYouMean(spec, [...datasetNames, MNIST])}; valid: ${[...datasetNames, MNIST].join(', ')}, ` +
      `a file ending in ${Object.keys(fileKinds).join(', ')} ` +
      `or -ubyte (IDX), or - (stdin)`,
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
export async function readPoints(
  path: string,
  o: { io: CommandIO; quiet?: boolean },
): Promise<Matrix & { image?: ImageShape; names?: string[] }> {
  const maxValues = maxPointValues();
  if (path === '-') return readStdinPoints(o.io, maxValues);
  const kind = fileKind(path);
  if (kind === 'npy') return parseNpy(readInputFile(path, 'npy'), { source: path, maxValues });
  if (kind === 'idx') {
    const bytes = readInputFile(path, 'idx');
    const m = parseIdx(bytes, { source: path, maxValues });
    return bytes[3] === 3 ? { ...m, image: idxImageShape(bytes) } : m;
  }
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
  return reader.names ? { ...m, names: reader.names } : m;
}

/** The image shape of a checked IDX file of rank 3, [n, height, width] (MNIST's images). */
function idxImageShape(bytes: Uint8Array): ImageShape {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { height: view.getUint32(8), width: view.getUint32(12) };
}

/** Standard input: .npy by its magic bytes, else CSV (streamed). A terminal on stdin is refused. */
async function readStdinPoints(io: CommandIO, maxValues: number): Promise<Matrix & { names?: string[] }> {
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
  const m = reader.end();
  return reader.names ? { ...m, names: reader.names } : m;
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
