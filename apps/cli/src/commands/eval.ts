import { availableParallelism } from 'node:os';
import { datasetComponents, datasetLogDensityScore, datasets, InputError } from '@scorefield/core-math';
import { decodeModel, logLikelihood, normalize, sdeOf, type ScoreModel } from '@scorefield/models';
import {
  energyDistance,
  fisherDivergence,
  gridDivergences,
  MMD_BANDWIDTHS,
  mmd2,
  modeFractions,
  slicedWasserstein,
} from '@scorefield/metrics';
import { dataRange, gridPoints } from '@scorefield/plot';
import { defineCommand, intFlag, type CommandIO } from '../command.js';
import { checkStdinOnce, loadData, readPoints } from '../data.js';
import { readInputFile } from '../io.js';
import { maxModelParams } from '../limits.js';
import { getCore } from '../core.js';
import { sampleParallel } from '../parallel-sample.js';

export const evaluate = defineCommand({
  name: 'eval',
  description: 'measure a model: sample distances to held-out data, Fisher divergence, mode weights, grid KL/TV',
  usage: 'scorefield eval --model model.safetensors [--data <name|file>] [--samples file] [--n 2000] [--json]',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    data: {
      type: 'string',
      value: 'name|file',
      description: 'held-out data (default: fresh points of the built-in dataset the model was trained on)',
    },
    samples: {
      type: 'string',
      value: 'file',
      description: "samples to measure (.csv/.npy; default: draw --n with the model's default sampler)",
    },
    n: { type: 'string', value: 'N', description: 'held-out points and samples to draw', default: '2000' },
    grid: { type: 'string', value: 'G', description: 'cells per side of the KL/TV grid', default: '64' },
    seed: { type: 'string', value: 'S', description: 'seed for the held-out data and the samples', default: '0' },
  },
  async run(args, io) {
    if (!args.model) throw new InputError("eval: --model is required; see 'scorefield eval --help'");
    const n = intFlag('n', args.n, 2, 1e6);
    const grid = intFlag('grid', args.grid, 4, 400);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    checkStdinOnce({ data: args.data, samples: args.samples });
    const core = await getCore();
    const bytes = readInputFile(args.model, 'model');
    const model = decodeModel(core, bytes, args.model, { maxParams: maxModelParams() });
    try {
      const trainedOn = model.training?.data;
      const dataSpec = args.data ?? (trainedOn && Object.hasOwn(datasets, trainedOn) ? trainedOn : undefined);
      if (!dataSpec)
        throw new InputError(`eval: --data is required (the model was trained on ${trainedOn ?? 'unknown data'}, not a built-in dataset)`);
      // Fresh points: the seed stream 2^31 + seed is never the one training drew from.
      const data = await loadData(core, dataSpec, { size: n, seed: 2 ** 31 + seed, dim: model.dim, io, quiet: args.quiet });
      const reference = { data: Float64Array.from(data.points.data), rows: data.points.rows, cols: model.dim };
      const samples = args.samples ? await readSamples(args.samples, model.dim, io) : await drawSamples(model, bytes, args.model, n, seed);
      const result: Record<string, unknown> = {
        model: args.model,
        data: data.name,
        heldOut: reference.rows,
        samples: samples.rows,
        samplesFrom: args.samples ?? 'model',
      };
      const std = (p: { data: ArrayLike<number>; rows: number; cols: number }) => ({
        data: normalize(model.normalization, p.data),
        rows: p.rows,
        cols: p.cols,
      });
      result.sampleDistances = {
        mmd2Median: mmd2(samples, reference).value,
        mmd2Fixed: mmd2(std(samples), std(reference), { bandwidths: [...MMD_BANDWIDTHS] }).value,
        slicedWasserstein: slicedWasserstein(samples, reference, { seed }),
        energyDistance: energyDistance(samples, reference),
      };
      const notApplicable: Record<string, string> = {};
      if (data.builtin && datasets[data.name as keyof typeof datasets].mixture) {
        result.scoreError = scoreError(model, data.name, reference);
        const comps = datasetComponents(core, data.name);
        const modes = modeFractions(
          samples,
          comps.map((c) => c.mean),
          comps.map((c) => c.weight),
          { radius: 4 * Math.max(...comps.map((c) => c.std)) },
        );
        result.modes = { fractions: modes.fractions, weights: modes.weights, offMode: modes.offMode, maxAbsError: modes.maxAbsError };
        const kl = gridKlTv(model, data.name, reference, grid);
        if (typeof kl === 'string') notApplicable.gridDivergences = kl;
        else result.gridDivergences = kl;
      } else {
        notApplicable.scoreError = notApplicable.modes = notApplicable.gridDivergences = `the exact density of ${data.name} is not known`;
      }
      result.notApplicable = notApplicable;
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else io.stdout(report(result));
    } finally {
      model.free();
    }
  },
});

async function readSamples(path: string, d: number, io: CommandIO) {
  const m = await readPoints(path, { io });
  if (m.cols !== d) throw new InputError(`--samples ${path}: points have dimension ${m.cols}, the model ${d}`);
  if (m.rows < 2) throw new InputError(`--samples ${path}: need at least 2 samples, found ${m.rows}`);
  return { data: m.data, rows: m.rows, cols: m.cols };
}

async function drawSamples(model: ScoreModel, bytes: Uint8Array, source: string, n: number, seed: number) {
  const r = await sampleParallel(model, bytes, source, { n, seed }, Math.min(8, availableParallelism()));
  return { data: Float64Array.from(r.samples), rows: n, cols: model.dim };
}

/** Fisher divergence to the exact score on held-out points, overall and in the top/bottom log-density deciles. */
function scoreError(model: ScoreModel, name: string, reference: { data: Float64Array; rows: number; cols: number }) {
  const core = model.core,
    x = core.f32(reference.data.length, reference.data),
    truth = core.f32(reference.data.length),
    logp = core.f32(reference.rows);
  try {
    datasetLogDensityScore(core, name, x, { score: truth, logp });
    const sigma = model.defaultSigma;
    const f = fisherDivergence(model.score(reference, sigma), truth.view, 2, logp.view);
    return {
      overall: f.overall,
      topDensityDecile: f.topDecile,
      bottomDensityDecile: f.bottomDecile,
      sigma: model.spec.conditioning === 'none' ? null : sigma,
    };
  } finally {
    x.free();
    truth.free();
    logp.free();
  }
}

/** KL and TV between the model density and the true one on a grid over the data (2-D). */
function gridKlTv(model: ScoreModel, name: string, reference: { data: Float64Array }, cells: number) {
  const range = dataRange([reference.data], 0.2);
  const points = gridPoints(range.x, range.y, cells, cells),
    rows = cells * cells;
  let modelLog: Float64Array;
  if (model.spec.kind === 'energy') {
    // p proportional to exp(-E); E is the energy of standardised data, a constant away from data units.
    modelLog = Float64Array.from(model.energy({ data: points, rows, cols: 2 }, model.defaultSigma), (e) => -e);
  } else if (model.training?.loss.name === 'continuous') {
    const { logp } = logLikelihood(model, sdeOf(model.training.loss), normalize(model.normalization, points), {
      rtol: 1e-4,
      atol: 1e-4,
      maxSteps: 20_000,
      seed: 0,
    });
    modelLog = logp;
  } else {
    return 'a score model has no density (train an energy model, or a continuous one for the ODE likelihood)';
  }
  const x = model.core.f32(2 * rows, points),
    truth = model.core.f32(rows);
  try {
    datasetLogDensityScore(model.core, name, x, { logp: truth });
    const cellArea = ((range.x[1] - range.x[0]) / cells) * ((range.y[1] - range.y[0]) / cells);
    const g = gridDivergences(modelLog, truth.view, cellArea);
    return {
      kl: g.kl,
      reverseKl: g.reverseKl,
      tv: g.tv,
      cells,
      range,
      density: model.spec.kind === 'energy' ? 'exp(-E)' : 'ODE likelihood',
    };
  } finally {
    x.free();
    truth.free();
  }
}

function report(r: Record<string, unknown>): string {
  const lines = [`${r.model} on ${r.data}: ${r.samples} samples (${r.samplesFrom}) vs ${r.heldOut} held-out points`];
  const fmt = (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : JSON.stringify(v));
  for (const [section, values] of Object.entries(r)) {
    if (typeof values !== 'object' || values === null || section === 'notApplicable') continue;
    lines.push(`${section}:`);
    for (const [k, v] of Object.entries(values)) lines.push(`  ${k.padEnd(20)}${Array.isArray(v) ? v.map(fmt).join(', ') : fmt(v)}`);
  }
  for (const [k, why] of Object.entries(r.notApplicable as Record<string, string>)) lines.push(`${k}: n/a (${why})`);
  return `${lines.join('\n')}\n`;
}
