import { encodeNpy, formatCsv } from '@scorefield/formats';
import { decodeModel, langevinDefaults, sampleLangevin } from '@scorefield/models';
import { lookup } from '@scorefield/core-math';
import { defineCommand, intFlag, positiveFlag, requireFlag } from '../command.js';
import { checkOutputPath, readInputFile, writeFileAtomic } from '../io.js';
import { createProgress } from '../progress.js';
import { getCore } from '../core.js';

const inits = { gaussian: 'standard normal in standardised units', uniform: 'uniform on [-3, 3]^d in standardised units' } satisfies Record<string, string>;

export const sample = defineCommand({
  name: 'sample',
  description: 'draw samples from a trained model with Langevin dynamics, x <- x + (alpha/2) s(x) + sqrt(alpha) z',
  usage: 'scorefield sample --model model.safetensors --n N --out samples.csv|samples.npy',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    n: { type: 'string', value: 'N', description: 'number of samples', default: '1000' },
    steps: { type: 'string', value: 'T', description: 'Langevin steps', default: String(langevinDefaults.steps) },
    'step-size': { type: 'string', value: 'A', description: 'alpha, in standardised data units', default: String(langevinDefaults.stepSize) },
    init: { type: 'string', value: 'kind', description: `initial particles: ${Object.keys(inits).join(', ')}`, default: langevinDefaults.init },
    seed: { type: 'string', value: 'S', description: 'random seed (initial points and noise)', default: '0' },
    out: { type: 'string', value: 'file', description: 'where to write the samples (.csv or .npy)' },
  },
  async run(args, io) {
    const modelPath = requireFlag('sample', 'model', args.model);
    const out = requireFlag('sample', 'out', args.out);
    const n = intFlag('n', args.n, 1, 1e8);
    const steps = intFlag('steps', args.steps, 0, 1e9);
    const stepSize = positiveFlag('step-size', args['step-size']);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    const init = args.init as keyof typeof inits;
    lookup(inits, init, 'init');
    const ext = checkOutputPath(out, 'out', ['.csv', '.npy']);
    const core = await getCore();
    const model = decodeModel(core, readInputFile(modelPath), modelPath);
    const bar = createProgress(io, 'sample', steps, !args.quiet);
    const t0 = performance.now();
    const x = sampleLangevin(model, { n, steps, stepSize, seed, init, onProgress: ({ step }) => bar.update(step) });
    const seconds = (performance.now() - t0) / 1000;
    bar.finish();
    const m = { data: Float64Array.from(x), rows: n, cols: model.dim };
    writeFileAtomic(out, ext === '.npy' ? encodeNpy(m, 'f4') : formatCsv(m));
    model.free();
    const result = { out, model: modelPath, n, dim: m.cols, steps, stepSize, init, seed, seconds };
    if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
    else io.stdout(`wrote ${out}: ${n} samples, ${steps} Langevin steps (alpha ${stepSize}) in ${seconds.toFixed(1)} s\n`);
  },
});
