import { extname, basename } from 'node:path';
import { datasetNames, datasetSample, datasets, InputError, type Core } from '@scorefield/core-math';
import { parseCsv, parseIdx, parseNpy } from '@scorefield/formats';
import type { Points } from '@scorefield/models';
import { readInputFile } from './io.js';

const fileKinds = { '.csv': 'csv', '.tsv': 'csv', '.txt': 'csv', '.npy': 'npy', '.idx': 'idx' } satisfies Record<
  string,
  'csv' | 'npy' | 'idx'
>;

/** The file kind of a path: by extension, or IDX for MNIST-style names (train-images-idx3-ubyte). */
function fileKind(path: string): 'csv' | 'npy' | 'idx' | undefined {
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

/** Resolves `--data <name|file>`; `size` points are drawn for a built-in dataset. */
export function loadData(core: Core, spec: string, opts: { size: number; seed: number; dim?: number }): LoadedData {
  const kind = fileKind(spec);
  if (kind) {
    const bytes = readInputFile(spec);
    const m =
      kind === 'npy'
        ? parseNpy(bytes, { source: spec })
        : kind === 'idx'
          ? parseIdx(bytes, { source: spec })
          : parseCsv(new TextDecoder('utf-8', { fatal: false }).decode(bytes), { source: spec });
    if (opts.dim !== undefined && m.cols !== opts.dim) {
      throw new InputError(`${spec}: points have dimension ${m.cols}, the model expects ${opts.dim}`);
    }
    return { points: { data: m.data, rows: m.rows, cols: m.cols }, name: basename(spec), builtin: false };
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
    `unknown dataset '${spec}'; valid: ${datasetNames.join(', ')}, or a file ending in ${Object.keys(fileKinds).join(', ')} or -ubyte (IDX)`,
  );
}
