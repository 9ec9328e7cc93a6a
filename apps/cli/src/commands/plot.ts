import { decodeModel, objectiveLabel } from '@scorefield/models';
import { availableParallelism } from 'node:os';
import { sampleParallel } from '../parallel-sample.js';
import { parseCsv, parseNpy } from '@scorefield/formats';
import { InputError } from '@scorefield/core-math';
import { dataRange, fieldPlot, gridPoints } from '@scorefield/plot';
import { extname } from 'node:path';
import { defineCommand, intFlag, requireFlag } from '../command.js';
import { loadData } from '../data.js';
import { checkOutputPath, readInputFile, writeFileAtomic } from '../io.js';
import { getCore } from '../core.js';

export const plot = defineCommand({
  name: 'plot',
  description: 'draw the learned score field as arrows over the data and the samples (SVG)',
  usage: 'scorefield plot --model model.safetensors [--data <name|file>] [--samples file] --out figure.svg',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    data: { type: 'string', value: 'name|file', description: 'data to draw (default: the built-in dataset the model was trained on)' },
    samples: { type: 'string', value: 'file', description: 'samples to draw (.csv/.npy; default: draw --n with the model\'s default sampler)' },
    n: { type: 'string', value: 'N', description: 'samples to draw when --samples is not given', default: '1000' },
    grid: { type: 'string', value: 'G', description: 'arrows per side', default: '25' },
    seed: { type: 'string', value: 'S', description: 'seed for the drawn data and samples', default: '0' },
    out: { type: 'string', value: 'file', description: 'where to write the figure (.svg)' },
  },
  async run(args, io) {
    const modelPath = requireFlag('plot', 'model', args.model);
    const out = requireFlag('plot', 'out', args.out);
    const grid = intFlag('grid', args.grid, 2, 200);
    const n = intFlag('n', args.n, 1, 1e6);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    checkOutputPath(out, 'out', ['.svg']);
    const core = await getCore();
    const bytes = readInputFile(modelPath);
    const model = decodeModel(core, bytes, modelPath);
    if (model.dim !== 2) throw new InputError(`${modelPath}: plot draws 2-D models, this one has dimension ${model.dim}`);
    const t = model.training;
    const dataSpec = args.data ?? (t?.data && !/\.(csv|tsv|txt|npy)$/i.test(t.data) ? t.data : undefined);
    const data = dataSpec ? loadData(core, dataSpec, { size: 2000, seed: seed + 1, dim: 2 }) : undefined;
    let samples: Float32Array | Float64Array;
    if (args.samples) {
      const bytes = readInputFile(args.samples);
      const m = extname(args.samples).toLowerCase() === '.npy'
        ? parseNpy(bytes, { source: args.samples })
        : parseCsv(new TextDecoder().decode(bytes), { source: args.samples });
      if (m.cols !== 2) throw new InputError(`${args.samples}: samples have dimension ${m.cols}, the model 2`);
      samples = m.data;
    } else {
      samples = (await sampleParallel(model, bytes, modelPath, { n, seed }, Math.min(8, availableParallelism()))).samples;
    }
    const dataValues = data ? Float64Array.from(data.points.data) : undefined;
    const range = dataRange([...(dataValues ? [dataValues] : []), Float64Array.from(samples)], 0.1);
    const points = gridPoints(range.x, range.y, grid, grid);
    const vectors = model.score({ data: points, rows: grid * grid, cols: 2 });
    const title = `learned ${model.spec.kind === 'energy' ? 'energy model' : 'score field'} · ${t ? `${objectiveLabel(t.loss)} · ${t.steps} steps · seed ${t.seed}` : modelPath}`;
    // Energy models: a heatmap of E(x) under the arrows (cell-centred grid, as fieldPlot expects).
    const heatSide = 80;
    const heat = model.spec.kind === 'energy'
      ? { values: model.energy({ data: gridPoints(range.x, range.y, heatSide, heatSide), rows: heatSide * heatSide, cols: 2 }), nx: heatSide, ny: heatSide, label: 'energy E(x)' }
      : undefined;
    const svg = fieldPlot({
      title,
      subtitle: `${model.spec.kind} model, ${model.config.activation} MLP ${model.layout.dims.join('-')}${model.spec.conditioning !== 'none' ? `, conditioning ${model.spec.conditioning}` : ''}${data ? ` · data: ${data.name}` : ''}`,
      heat,
      xRange: range.x, yRange: range.y,
      field: { points, vectors },
      data: dataValues,
      samples: Float64Array.from(samples),
      labels: { data: data ? `data (${data.name})` : undefined, samples: args.samples ? 'samples' : 'samples (model)', field: 'score s(x)' },
    });
    writeFileAtomic(out, svg);
    model.free();
    const result = { out, model: modelPath, arrows: grid * grid, data: data ? data.points.rows : 0, samples: samples.length / 2 };
    if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
    else io.stdout(`wrote ${out}: ${result.arrows} arrows, ${result.data} data points, ${result.samples} samples\n`);
  },
});
