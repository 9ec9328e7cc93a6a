import { datasetNames, datasetPoints, datasets as registry, InputError, lookup } from '@scorefield/core-math';
import { encodeNpy, formatCsvChunks } from '@scorefield/formats';
import { defineCommand, intFlag, requireFlag } from '../command.js';
import { checkOutputs, writeOutput } from '../io.js';
import { checkMemory } from '../limits.js';
import { getCore } from '../core.js';
import { MNIST } from '../data.js';

export const datasets = defineCommand({
  name: 'datasets',
  description: 'list the built-in toy datasets, or draw points of one: datasets sample <name> --n N --out f.csv',
  usage: 'scorefield datasets [--json] | scorefield datasets sample <name> [--n 1000] [--seed 0] --out points.csv|points.npy',
  positionals: true,
  options: {
    n: { type: 'string', value: 'N', description: 'sample: number of points', default: '1000' },
    seed: { type: 'string', value: 'S', description: 'sample: random seed', default: '0' },
    out: { type: 'string', value: 'file|-', description: 'sample: where to write the points (.csv or .npy; - for CSV on stdout)' },
  },
  async run(args, io) {
    const [action, name, ...extra] = args._;
    if (action === undefined) {
      const rows: { name: string; description: string; exactScore: boolean; image?: boolean }[] = [
        ...Object.entries(registry).map(([n, spec]) => ({ name: n, description: spec.description, exactScore: spec.mixture })),
        // The image set: train, eval, plot and sample read it by name (`datasets sample` draws the 2-D ones).
        {
          name: MNIST,
          description:
            'handwritten digits (images): 9,003 train and 997 held-out test digits, 28x28 (--image-size 14: 14x14), pixels ' +
            'in [0, 1]; train --data mnist',
          exactScore: false,
          image: true,
        },
      ];
      if (args.json) {
        io.stdout(`${JSON.stringify({ datasets: rows })}\n`);
        return;
      }
      const width = Math.max(...rows.map((r) => r.name.length)) + 2;
      for (const r of rows) io.stdout(`${r.name.padEnd(width)}${r.description}${r.exactScore ? ' (exact score)' : ''}\n`);
      return;
    }
    if (action !== 'sample') throw new InputError(`unknown action '${action}'; valid: sample (or no action to list the datasets)`);
    if (name === undefined) throw new InputError(`sample: name a dataset; valid: ${datasetNames.join(', ')}`);
    if (name === MNIST)
      throw new InputError(`sample: mnist is an image set, not drawn by 'datasets sample': train, eval and plot read it as --data mnist`);
    if (extra.length) throw new InputError(`unexpected argument '${extra[0]}'`);
    lookup(registry, name, 'dataset');
    const out = requireFlag('datasets', 'out', args.out);
    const n = intFlag('n', args.n, 1, 1e8);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    const [ext] = checkOutputs([{ flag: 'out', path: out, extensions: ['.csv', '.npy'], stdout: true }]);
    if (ext === '-' && args.json) throw new InputError('--json and --out - both write to stdout; give --out a file name');
    checkMemory(`--n ${n}`, 4 * 2 * n * 3, 4 * 2 * n);
    const core = await getCore();
    const m = { data: datasetPoints(core, name, seed, n), rows: n, cols: 2 };
    await writeOutput(out, ext === '.npy' ? [encodeNpy(m, 'f4')] : formatCsvChunks(m), io.stdout);
    if (ext === '-') return;
    if (args.json) io.stdout(`${JSON.stringify({ out, dataset: name, n, seed })}\n`);
    else io.stdout(`wrote ${out}: ${n} points of ${name} (seed ${seed})\n`);
  },
});
