import { datasetNames, datasets as registry, datasetSample, InputError, lookup } from '@scorefield/core-math';
import { encodeNpy, formatCsv } from '@scorefield/formats';
import { defineCommand, intFlag, requireFlag } from '../command.js';
import { checkOutputPath, writeFileAtomic } from '../io.js';
import { getCore } from '../core.js';

export const datasets = defineCommand({
  name: 'datasets',
  description: 'list the built-in toy datasets, or draw points of one: datasets sample <name> --n N --out f.csv',
  usage: 'scorefield datasets [--json] | scorefield datasets sample <name> [--n 1000] [--seed 0] --out points.csv|points.npy',
  positionals: true,
  options: {
    n: { type: 'string', value: 'N', description: 'sample: number of points', default: '1000' },
    seed: { type: 'string', value: 'S', description: 'sample: random seed', default: '0' },
    out: { type: 'string', value: 'file', description: 'sample: where to write the points (.csv or .npy)' },
  },
  async run(args, io) {
    const [action, name, ...extra] = args._;
    if (action === undefined) {
      const rows = Object.entries(registry).map(([n, spec]) => ({ name: n, description: spec.description, exactScore: spec.mixture }));
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
    if (extra.length) throw new InputError(`unexpected argument '${extra[0]}'`);
    lookup(registry, name, 'dataset');
    const out = requireFlag('datasets', 'out', args.out);
    const n = intFlag('n', args.n, 1, 1e8);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    const ext = checkOutputPath(out, 'out', ['.csv', '.npy']);
    const core = await getCore();
    const rng = core.rng(seed);
    const points = datasetSample(core, name, rng, n);
    const m = { data: Float64Array.from(points.view), rows: n, cols: 2 };
    points.free();
    rng.free();
    writeFileAtomic(out, ext === '.npy' ? encodeNpy(m, 'f4') : formatCsv(m));
    if (args.json) io.stdout(`${JSON.stringify({ out, dataset: name, n, seed })}\n`);
    else io.stdout(`wrote ${out}: ${n} points of ${name} (seed ${seed})\n`);
  },
});
