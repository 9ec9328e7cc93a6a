import { availableParallelism } from 'node:os';
import { decodeModel, modelSigmas, sdeOf, validatedDensityLevel, type ScoreModel } from '@scorefield/models';
import { InputError, lookup } from '@scorefield/core-math';
import { dataRange } from '@scorefield/plot';
import { renderPng } from '@scorefield/plot/raster';
import { basename } from 'node:path';
import { boundedFlag, defineCommand, intFlag, requireFlag, type CommandIO } from '../command.js';
import { checkStdinOnce, loadData, readPoints, shapeText } from '../data.js';
import { digitCaptions, gridOf, imageShapeOf, readsAsMnist } from '../images.js';
import { checkOutputs, readModelFile, writeOutput } from '../io.js';
import { maxModelParams } from '../limits.js';
import { getCore } from '../core.js';
import { sampleParallel } from '@scorefield/models/node';
import { figure, plotKinds, titles, type PlotKind } from '../figures.js';
import type { LoadedData } from '../data.js';

type Points = LoadedData['points'];

export const plot = defineCommand({
  name: 'plot',
  description: 'draw a trained model: field, energy, density, samples, error or loss (2-D); grid (images); SVG or PNG',
  usage:
    'scorefield plot --model model.safetensors [--kind field|energy|density|samples|error|loss|grid] [--data <name|file>] --out ' +
    'figure.svg|figure.png',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    kind: {
      type: 'string',
      value: 'kind',
      description: Object.entries(plotKinds)
        .map(([k, d]) => `${k}: ${d}`)
        .join('; '),
      default: 'field',
    },
    data: {
      type: 'string',
      value: 'name|file',
      description: 'data to draw (default: the built-in dataset the model was trained on); grid: draws these images instead of samples',
    },
    samples: {
      type: 'string',
      value: 'file',
      description: "samples to draw (.csv/.npy; default: draw --n with the model's default sampler)",
    },
    n: { type: 'string', value: 'N', description: 'samples to draw when --samples is not given (default 1000; grid: 64 images)' },
    grid: { type: 'string', value: 'G', description: 'arrows per side', default: '25' },
    scale: { type: 'string', value: 'X', description: 'PNG pixels per SVG unit', default: '2' },
    seed: { type: 'string', value: 'S', description: 'seed for the drawn data and samples', default: '0' },
    out: { type: 'string', value: 'file', description: 'where to write the figure (.svg or .png)' },
  },
  async run(args, io) {
    const modelPath = requireFlag('plot', 'model', args.model);
    const out = requireFlag('plot', 'out', args.out);
    const kind = args.kind as PlotKind;
    lookup(plotKinds, kind, 'plot kind');
    const grid = intFlag('grid', args.grid, 2, 200);
    const n = intFlag('n', args.n ?? (kind === 'grid' ? '64' : '1000'), 1, 1e6);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    const scale = boundedFlag('scale', args.scale, 8);
    const [ext] = checkOutputs([{ flag: 'out', path: out, extensions: ['.svg', '.png'] }]);
    checkStdinOnce({ data: args.data, samples: args.samples });
    const core = await getCore();
    const bytes = readModelFile(modelPath);
    const model = decodeModel(core, bytes, modelPath, { maxParams: maxModelParams() });
    try {
      if (kind === 'grid') return await plotGrid({ model, bytes, modelPath, n, seed, out, ext, scale, args, io });
      if (model.dim !== 2 && kind !== 'loss')
        throw new InputError(
          `${modelPath}: plot --kind ${kind} draws 2-D models, this one has dimension ` +
            `${model.dim}${model.image ? ' (images: --kind grid)' : ''}`,
        );
      const t = model.training;
      const dataSpec =
        model.dim !== 2 ? undefined : (args.data ?? (t?.data && !/\.(csv|tsv|txt|npy)$|ubyte$/i.test(t.data) ? t.data : undefined));
      const data = dataSpec ? await loadData(core, dataSpec, { size: 2000, seed: seed + 1, dim: 2, io, quiet: args.quiet }) : undefined;
      const needSamples = kind === 'field' || kind === 'samples';
      let samples: Float64Array | undefined;
      if (args.samples) {
        const m = await readPoints(args.samples, { io, quiet: args.quiet });
        if (m.cols !== 2) throw new InputError(`${args.samples}: samples have dimension ${m.cols}, the model 2`);
        samples = m.data;
      } else if (needSamples) {
        samples = Float64Array.from(
          (await sampleParallel(model, bytes, modelPath, { n, seed }, Math.min(8, availableParallelism()))).samples,
        );
      }
      const values = data ? Float64Array.from(data.points.data) : undefined;
      const heldOut =
        dataSpec && data?.builtin
          ? (await loadData(core, dataSpec, { size: 2000, seed: 2 ** 31 + seed, dim: 2, io, quiet: true })).points
          : data?.points;
      // The data set the frame (samples far outside are clipped); without data, the samples do.
      const range = dataRange(values ? [values] : samples ? [samples] : [], 0.15);
      const svg = figure(kind, {
        model,
        source: modelPath,
        range,
        grid,
        samples,
        data: data && values ? { values, name: data.name, builtin: data.builtin } : undefined,
        samplesLabel: args.samples ? 'samples' : `samples (${t?.loss.name === 'ncsn' ? 'annealed Langevin' : 'model'})`,
        level: pictureLevel(model, kind, heldOut, data?.builtin ?? false),
      });
      await writeOutput(out, [ext === '.png' ? await renderPng(svg, { scale }) : svg], io.stdout);
      const result = { out, model: modelPath, kind, data: data ? data.points.rows : 0, samples: samples ? samples.length / 2 : 0 };
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else io.stdout(`wrote ${out}: ${kind} plot of ${modelPath}\n`);
    } finally {
      model.free();
    }
  },
});

/** Image models: a grid of `n` images: the --samples file's, --data's (the first n), or drawn from the model. */
async function plotGrid(o: {
  model: ScoreModel;
  bytes: Uint8Array;
  modelPath: string;
  n: number;
  seed: number;
  out: string;
  ext: string;
  scale: number;
  args: { data?: string; samples?: string; json?: boolean; quiet?: boolean };
  io: CommandIO;
}): Promise<void> {
  const { model, modelPath, n, args, io } = o;
  const shape = imageShapeOf(model, modelPath, 'plot --kind grid');
  const d = model.dim;
  let images: ArrayLike<number>, what: string;
  if (args.samples) {
    const m = await readPoints(args.samples, { io, quiet: args.quiet });
    if (m.cols !== d)
      throw new InputError(`${args.samples}: samples have dimension ${m.cols}, the model's ${shapeText(shape)} images ${d}`);
    images = m.data.subarray(0, Math.min(n, m.rows) * d);
    what = `samples from ${basename(args.samples)}`;
  } else if (args.data) {
    const data = await loadData(await getCore(), args.data, { size: n, seed: o.seed, dim: d, image: shape, io, quiet: args.quiet });
    images = Float64Array.from(data.points.data).subarray(0, Math.min(n, data.points.rows) * d);
    what = `data: ${data.name}`;
  } else {
    const r = await sampleParallel(model, o.bytes, modelPath, { n, seed: o.seed }, Math.min(8, availableParallelism()));
    images = r.samples;
    what = `samples (${r.sampler}, seed ${o.seed})`;
  }
  const count = images.length / d;
  const captions = readsAsMnist(model) ? await digitCaptions(images, shape) : undefined;
  const t = titles(model, modelPath, what);
  const svg = gridOf(images, shape, {
    title: t.title,
    subtitle: `${t.subtitle}${captions ? " · captions: the MNIST classifier's top class · probability" : ''}`,
    captions,
  });
  await writeOutput(o.out, [o.ext === '.png' ? await renderPng(svg, { scale: o.scale }) : svg], io.stdout);
  if (args.json) io.stdout(`${JSON.stringify({ out: o.out, model: modelPath, kind: 'grid', images: count, image: shape })}\n`);
  else io.stdout(`wrote ${o.out}: grid of ${count} ${shapeText(shape)} images (${what})\n`);
}

/**
 * The noise level a picture reads a noise-conditional model at, and why: densities and energies of energy
 * models at the level whose density best predicts held-out data (2-D grid), densities of continuous models
 * by the probability-flow ODE (down to the SDE's smallest sigma), everything else at the smallest level.
 */
function pictureLevel(
  model: ScoreModel,
  kind: PlotKind,
  heldOut: Points | undefined,
  fresh: boolean,
): { sigma: number; why: string } | undefined {
  if (model.spec.conditioning === 'none') return undefined;
  if (kind === 'density' && model.training?.loss.name === 'continuous') {
    const sde = sdeOf(model.training.loss);
    return { sigma: sde.sigma(sde.eps), why: 'probability-flow ODE likelihood' };
  }
  const energyPicture = model.spec.kind === 'energy' && (kind === 'density' || kind === 'energy' || kind === 'field');
  const levels = ['ncsn', 'continuous'].includes(model.training?.loss.name ?? '') ? modelSigmas(model) : [];
  if (energyPicture && heldOut && levels.length > 1) {
    const { best } = validatedDensityLevel(model, { data: Float64Array.from(heldOut.data), rows: heldOut.rows, cols: 2 }, levels);
    return { sigma: best.sigma, why: `best log-likelihood of ${fresh ? 'held-out' : 'the --data'} points` };
  }
  return { sigma: model.defaultSigma, why: 'smallest training level' };
}
