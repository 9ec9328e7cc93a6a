import { encodeNpy, formatCsvChunks } from '@scorefield/formats';
import { decodeModel } from '@scorefield/models';
import { InputError } from '@scorefield/core-math';
import { defineCommand, positiveFlag, requireFlag } from '../command.js';
import { readPoints } from '../data.js';
import { checkOutputs, readModelFile, writeOutput } from '../io.js';
import { getCore } from '../core.js';
import { maxModelParams } from '../limits.js';

export const score = defineCommand({
  name: 'score',
  description: 'evaluate a model at given points: the score s(x) in data units (and the energy E(x) of energy models)',
  usage: 'scorefield score --model model.safetensors --points points.csv|points.npy|- [--sigma S] --out scores.csv|scores.npy|-',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    points: {
      type: 'string',
      value: 'file|-',
      description: 'where to evaluate: .csv/.npy (n x d), or - for standard input (.npy by its magic bytes, else CSV)',
    },
    sigma: {
      type: 'string',
      value: 'S',
      description: "noise level the model is read at, standardised units (default: the model's; ignored by unconditional models)",
    },
    out: {
      type: 'string',
      value: 'file|-',
      description: 'columns s0..s{d-1} (then energy, for energy models) as .csv, .npy (float32) or - (CSV on stdout)',
    },
  },
  async run(args, io) {
    const modelPath = requireFlag('score', 'model', args.model);
    const pointsPath = requireFlag('score', 'points', args.points);
    const out = requireFlag('score', 'out', args.out);
    const sigmaFlag = args.sigma === undefined ? undefined : positiveFlag('sigma', args.sigma);
    const [ext] = checkOutputs([{ flag: 'out', path: out, extensions: ['.csv', '.npy'], stdout: true }], {
      points: pointsPath,
    });
    if (ext === '-' && args.json) throw new InputError('--json and --out - both write to stdout; give --out a file name');
    const core = await getCore();
    const model = decodeModel(core, readModelFile(modelPath), modelPath, { maxParams: maxModelParams() });
    try {
      const points = await readPoints(pointsPath, { io, quiet: args.quiet });
      const source = pointsPath === '-' ? 'stdin' : pointsPath;
      if (points.cols !== model.dim) throw new InputError(`${source}: points have dimension ${points.cols}, the model ${model.dim}`);
      const conditional = model.spec.conditioning !== 'none';
      const sigma = sigmaFlag ?? model.defaultSigma;
      if (!args.quiet) {
        io.stderr(
          conditional
            ? `score: sigma ${sigma} (${sigmaFlag === undefined ? "the model's default reading level" : '--sigma'}, standardised units)\n`
            : `score: sigma not used (the model has no noise ` +
                `conditioning)${sigmaFlag === undefined ? '' : `; --sigma ${sigmaFlag} ignored`}\n`,
        );
      }
      const d = model.dim,
        n = points.rows;
      const s = model.score(points, sigma);
      const energy = model.spec.kind === 'energy' ? model.energy(points, sigma) : undefined;
      const bad = [s, energy ?? new Float32Array()].map((a) => a.findIndex((v) => !Number.isFinite(v)));
      if (bad[0] >= 0 || bad[1] >= 0) {
        const at = bad[0] >= 0 ? Math.floor(bad[0] / d) : bad[1];
        throw new Error(
          `${modelPath}: the ${bad[0] >= 0 ? 'score' : 'energy'} at point ${at} (0-based) is not finite ` +
            '(the model overflows float32 there)',
        );
      }
      const cols = d + (energy ? 1 : 0);
      // float32 values, written as the shortest text that reads back to the same float32 bits.
      const table = new Float32Array(n * cols);
      for (let i = 0; i < n; i++) {
        table.set(s.subarray(i * d, (i + 1) * d), i * cols);
        if (energy) table[i * cols + d] = energy[i];
      }
      const m = { data: table, rows: n, cols };
      const header = [...Array.from({ length: d }, (_, j) => `s${j}`), ...(energy ? ['energy'] : [])];
      await writeOutput(out, ext === '.npy' ? [encodeNpy(m, 'f4')] : formatCsvChunks(m, { header }), io.stdout);
      const result = { out, model: modelPath, points: n, dim: d, sigma: conditional ? sigma : null, columns: header };
      if (ext === '-') return;
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else io.stdout(`wrote ${out}: ${header.join(', ')} at ${n} points\n`);
    } finally {
      model.free();
    }
  },
});
