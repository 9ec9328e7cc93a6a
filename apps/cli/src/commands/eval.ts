import { availableParallelism } from 'node:os';
import { datasetComponents, datasets, InputError, type MixtureComponent } from '@scorefield/core-math';
import {
  decodeModel,
  gridLogLikelihood,
  densityBox,
  logLikelihood,
  modelSigmas,
  normalize,
  odeLogLikelihood,
  sdeOf,
  validatedDensityLevel,
  type ScoreModel,
} from '@scorefield/models';
import {
  energyDistance,
  fisherDivergence,
  gridDivergences,
  mmd2,
  modeFractions,
  slicedWasserstein,
  smearingMetrics,
} from '@scorefield/metrics';
import { dataRange, gridPoints } from '@scorefield/plot';
import { defineCommand, intFlag, type CommandIO } from '../command.js';
import { checkStdinOnce, loadData, MNIST, readPoints, shapeText } from '../data.js';
import { fileReference, imageMetrics, imageReport, mnistReference } from '../image-eval.js';
import { settingsText, stationarityReport } from './sample.js';
import { readModelFile } from '../io.js';
import { maxModelParams } from '../limits.js';
import { getCore } from '../core.js';
import { sampleParallel } from '@scorefield/models/node';
import { perturbedMixture, type Matrix } from '../mixture.js';

export const evaluate = defineCommand({
  name: 'eval',
  description:
    'measure a model: sample distances and smearing metrics, each beside its data-vs-data floor; score error, mode weights and ' +
    'grid KL/TV against the exact density of built-in mixtures; log-likelihood (MMD² and energy distance are unbiased ' +
    'estimates: 0 in expectation for samples of the data, so a value can be slightly negative)',
  usage: 'scorefield eval --model model.safetensors [--data <name|file>] [--samples file] [--n 2000] [--json]',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    data: {
      type: 'string',
      value: 'name|file',
      description:
        'reference data (default: --n fresh points of the built-in dataset the model was trained on, and --n more for the data ' +
        "floors); a file's even rows (0, 2, ...) are the reference and its odd rows give the floors: they are held out only if the " +
        'model was not trained on that file',
    },
    samples: {
      type: 'string',
      value: 'file',
      description: "samples to measure (.csv/.npy; default: draw --n with the model's default sampler)",
    },
    n: {
      type: 'string',
      value: 'N',
      description:
        'samples to draw, and points of a built-in dataset (default 2000; image models: 1000 samples; every row of a --data file is used)',
    },
    labels: {
      type: 'string',
      value: 'file',
      description: 'image models with --data a file: the class (0-9) of each held-out image (IDX bytes or a one-column CSV)',
    },
    train: { type: 'string', value: 'file', description: 'image models with --data a file: the training images (the memorisation check)' },
    grid: { type: 'string', value: 'G', description: 'cells per side of the KL/TV grid', default: '64' },
    seed: { type: 'string', value: 'S', description: 'seed for the held-out data and the samples', default: '0' },
  },
  async run(args, io) {
    if (!args.model) throw new InputError("eval: --model is required; see 'scorefield eval --help'");
    const n = intFlag('n', args.n ?? '2000', 2, 1e6);
    const grid = intFlag('grid', args.grid, 4, 400);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    checkStdinOnce({ data: args.data, samples: args.samples });
    const core = await getCore();
    const bytes = readModelFile(args.model);
    const model = decodeModel(core, bytes, args.model, { maxParams: maxModelParams() });
    try {
      if (model.image) return await evaluateImages(model, bytes, args, io, seed);
      const trainedOn = model.training?.data;
      const dataSpec = args.data ?? (trainedOn && Object.hasOwn(datasets, trainedOn) ? trainedOn : undefined);
      if (!dataSpec)
        throw new InputError(`eval: --data is required (the model was trained on ${trainedOn ?? 'unknown data'}, not a built-in dataset)`);
      // Fresh points: the streams 2^31 + seed and 2^33 + seed are never the ones training drew from.
      const data = await loadData(core, dataSpec, { size: n, seed: 2 ** 31 + seed, dim: model.dim, io, quiet: args.quiet });
      const all = asMatrix(data.points);
      const [reference, twin] = data.builtin
        ? [all, asMatrix((await loadData(core, dataSpec, { size: n, seed: 2 ** 33 + seed, dim: model.dim, io, quiet: true })).points)]
        : halves(all, dataSpec);
      const drawn = args.samples ? undefined : await drawSamples(model, bytes, args.model, n, seed);
      const samples = args.samples ? await readSamples(args.samples, model.dim, io) : drawn!.samples;
      const conditional = model.spec.conditioning !== 'none';
      const trainedOnFile = !data.builtin && trainedOn === data.name;
      const result: Record<string, unknown> = {
        model: args.model,
        data: data.name,
        heldOut: reference.rows,
        // Where the reference and the floors' twin come from, and whether the reference is held out (null: not known).
        reference: data.builtin
          ? { from: `fresh points of ${data.name}`, floorFrom: `${twin.rows} more fresh points`, heldOut: true }
          : {
              from: `the even rows of ${data.name}`,
              floorFrom: `its ${twin.rows} odd rows`,
              heldOut: trainedOnFile ? false : null,
            },
        samples: samples.rows,
        samplesFrom: args.samples ?? 'model',
        // Where a noise-conditional model is read when no level is named (the samplers' last level).
        sigma: conditional ? model.defaultSigma : null,
      };
      if (drawn)
        result.sampler = {
          name: drawn.sampler,
          settings: drawn.settings,
          stationarity: stationarityReport(drawn.sampler, drawn.stationarity),
        };
      const mixture = data.builtin && datasets[data.name as keyof typeof datasets].mixture;
      const comps = mixture ? datasetComponents(core, data.name) : undefined;
      // Each beside its floor: the same distance for the twin, a second draw of the data, against the reference.
      const distances = (p: Matrix) => ({
        mmd2Median: mmd2(p, reference).value,
        slicedWasserstein: slicedWasserstein(p, reference, { seed }),
        energyDistance: energyDistance(p, reference),
      });
      const [ofSamples, ofTwin] = [distances(samples), distances(twin)];
      result.sampleDistances = Object.fromEntries(
        (Object.keys(ofSamples) as (keyof typeof ofSamples)[]).map((k) => [k, { value: ofSamples[k], floor: ofTwin[k] }]),
      );
      result.smearing = smearingMetrics(samples, reference, twin, comps ? { components: comps } : {});
      const notApplicable: Record<string, string> = {};
      if (comps) {
        result.scoreError = scoreError(model, comps, reference);
        const modes = modeFractions(
          samples,
          comps.map((c) => c.mean),
          comps.map((c) => c.weight),
          { radius: 4 * Math.max(...comps.map((c) => c.std)) },
        );
        result.modes = { fractions: modes.fractions, weights: modes.weights, offMode: modes.offMode, maxAbsError: modes.maxAbsError };
      } else notApplicable.scoreError = notApplicable.modes = `the exact score of ${data.name} is not known`;
      const density = densityOf(model, reference);
      if (typeof density === 'string') notApplicable.density = notApplicable.gridDivergences = density;
      else {
        const truth = comps ? mixtureLogDensity(comps, reference, []) : undefined;
        const caveat = degenerateAxes(model, reference);
        result.density = {
          ...density.summary,
          ...(truth && { trueNats: mean(truth), trueBitsPerDim: -mean(truth) / (model.dim * Math.LN2) }),
          ...(caveat && { caveat }),
        };
        if (comps && model.dim === 2) result.gridDivergences = gridKlTv(model, comps, reference, grid, density.sigma);
        else notApplicable.gridDivergences = comps ? 'the KL/TV grid is 2-D' : `the exact density of ${data.name} is not known`;
      }
      result.notApplicable = notApplicable;
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else io.stdout(report(result));
    } finally {
      model.free();
    }
  },
});

/**
 * Image models: KID, class coverage and the memorisation check of samples (--samples, or --n drawn with the
 * model's default sampler) against held-out images: MNIST's test split for models trained on MNIST (the
 * default), or --data with --labels and --train.
 */
async function evaluateImages(
  model: ScoreModel,
  bytes: Uint8Array,
  args: { model?: string; data?: string; samples?: string; labels?: string; train?: string; n?: string; json?: boolean },
  io: CommandIO,
  seed: number,
): Promise<void> {
  const shape = model.image!;
  const source = args.model!;
  if (!['28x28', '14x14'].includes(shapeText(shape)))
    throw new InputError(`eval: the image metrics read 28x28 or 14x14 images (the MNIST classifier's); ${source} has ${shapeText(shape)}`);
  const trainedOnMnist = model.training?.data === MNIST;
  if (args.data === undefined && !trainedOnMnist)
    throw new InputError(`eval: --data is required (held-out images, with --labels and --train): ${source} was not trained on mnist`);
  const ref =
    args.data === undefined || args.data === MNIST ? await mnistReference(shape) : await fileReference(args as { data: string }, shape, io);
  const n = intFlag('n', args.n ?? '1000', 20, 1e6);
  const drawn = args.samples ? undefined : await drawSamples(model, bytes, source, n, seed);
  const samples = args.samples ? await readSamples(args.samples, model.dim, io) : drawn!.samples;
  if (samples.rows < 20) throw new InputError(`--samples ${args.samples}: KID needs at least 20 samples, found ${samples.rows}`);
  const metrics = await imageMetrics(samples, ref, seed);
  const result = {
    model: source,
    data: ref.name,
    image: shape,
    samples: samples.rows,
    samplesFrom: args.samples ?? 'model',
    sigma: model.spec.conditioning !== 'none' ? model.defaultSigma : null,
    ...(drawn && {
      sampler: { name: drawn.sampler, settings: drawn.settings, stationarity: stationarityReport(drawn.sampler, drawn.stationarity) },
    }),
    ...metrics,
  };
  if (args.json) {
    io.stdout(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [`${source} (${shapeText(shape)} images): ${samples.rows} samples (${result.samplesFrom})`];
  if (drawn) lines.push(`samples drawn with ${drawn.sampler} ${settingsText(drawn.settings)}`);
  io.stdout(`${[...lines, ...imageReport(metrics)].join('\n')}\n`);
}

function asMatrix(p: { data: ArrayLike<number>; rows: number; cols: number }): Matrix {
  return { data: Float64Array.from(p.data), rows: p.rows, cols: p.cols };
}

/** A data file split into its even and odd rows: the reference, and an independent twin for the floors. */
function halves(m: Matrix, source: string): [Matrix, Matrix] {
  if (m.rows < 4) throw new InputError(`${source}: eval needs at least 4 held-out points (two halves of 2), found ${m.rows}`);
  const d = m.cols;
  const pick = (parity: number) => {
    const rows = Math.floor((m.rows - parity + 1) / 2);
    const data = new Float64Array(rows * d);
    for (let i = 0; i < rows; i++) data.set(m.data.subarray((2 * i + parity) * d, (2 * i + parity + 1) * d), i * d);
    return { data, rows, cols: d };
  };
  return [pick(0), pick(1)];
}

async function readSamples(path: string, d: number, io: CommandIO): Promise<Matrix> {
  const m = await readPoints(path, { io });
  if (m.cols !== d) throw new InputError(`--samples ${path}: points have dimension ${m.cols}, the model ${d}`);
  if (m.rows < 2) throw new InputError(`--samples ${path}: need at least 2 samples, found ${m.rows}`);
  return asMatrix(m);
}

async function drawSamples(model: ScoreModel, bytes: Uint8Array, source: string, n: number, seed: number) {
  const r = await sampleParallel(model, bytes, source, { n, seed }, Math.min(8, availableParallelism()));
  return { ...r, samples: { data: Float64Array.from(r.samples), rows: n, cols: model.dim } };
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

function mixtureLogDensity(comps: MixtureComponent[], x: Matrix, noiseVar: number[]): Float64Array {
  return perturbedMixture(comps, x, noiseVar).logp;
}

/**
 * The Fisher divergence of the model's score against the exact score of the density it models, on held-out
 * points: at the model's default level sigma the data blurred by N(0, sigma^2) (standardised units), and
 * for noise-conditional models at every level of its ladder too.
 */
function scoreError(model: ScoreModel, comps: MixtureComponent[], reference: Matrix) {
  const conditional = model.spec.conditioning !== 'none';
  const at = (sigma: number | null) => {
    const noiseVar = sigma === null ? [] : model.normalization.std.map((s) => (sigma * s) ** 2);
    const truth = perturbedMixture(comps, reference, noiseVar);
    const f = fisherDivergence(model.score(reference, sigma ?? model.defaultSigma), truth.score, model.dim, truth.logp);
    return { sigma, overall: f.overall, topDensityDecile: f.topDecile, bottomDensityDecile: f.bottomDecile };
  };
  // Unconditional models: against the clean data's score (dsm models learn the data blurred by their sigma).
  const dsmSigma = model.training?.loss.name === 'dsm' ? model.training.loss.sigma : null;
  const main = at(conditional ? model.defaultSigma : dsmSigma);
  const levels = conditional && ['ncsn', 'continuous'].includes(model.training?.loss.name ?? '') ? modelSigmas(model) : [];
  return {
    ...main,
    against: main.sigma === null ? 'the data score' : `the score of the data blurred by N(0, sigma^2) (standardised units)`,
    ...(levels.length && { levels: levels.map((s) => ({ sigma: s, overall: at(s).overall })) }),
  };
}

/**
 * Why a log-likelihood on these data is not an absolute figure, or undefined: a coordinate that is constant (train
 * announced it and keeps it with unit scale; or constant in the reference) has no density along it, so the model's
 * density there is on a degenerate axis and its value depends on that arbitrary scale.
 */
function degenerateAxes(model: ScoreModel, reference: Matrix): string | undefined {
  const d = reference.cols;
  const constant = new Set(model.normalization.constant ?? []);
  for (let j = 0; j < d && reference.rows > 1; j++) {
    let same = true;
    for (let i = 1; i < reference.rows && same; i++) same = reference.data[i * d + j] === reference.data[j];
    if (same) constant.add(j);
  }
  if (!constant.size) return undefined;
  const list = [...constant].sort((a, b) => a - b);
  return (
    `coordinate${list.length > 1 ? 's' : ''} ${list.join(', ')} (0-based) ${list.length > 1 ? 'are' : 'is'} constant in the data: ` +
    'the data have no density along it, so this log-likelihood is a density on a degenerate axis (its value depends on the unit ' +
    'scale the model keeps there): compare it only between models of these data'
  );
}

/** The model's density and where it is read, or why it has none. */
function densityOf(model: ScoreModel, reference: Matrix) {
  const d = model.dim;
  if (model.training?.loss.name === 'continuous') {
    const l = odeLogLikelihood(model, reference, { rtol: 1e-4, atol: 1e-4 });
    return {
      sigma: l.sigma,
      summary: { how: 'probability-flow ODE likelihood', sigma: l.sigma, nats: l.nats, bitsPerDim: l.bitsPerDim },
    };
  }
  if (model.spec.kind !== 'energy')
    return 'a score model has no density (train an energy model, or a continuous one for the ODE likelihood)';
  if (d !== 2) return `the energy is normalised on a 2-D grid; this model has dimension ${d}`;
  if (model.spec.conditioning === 'none') {
    const nats = gridLogLikelihood(model, reference, 1, densityBox(model, reference, 0));
    return { sigma: 1, summary: { how: 'exp(-E) normalised on a grid', sigma: null, nats, bitsPerDim: -nats / (d * Math.LN2) } };
  }
  const { best, levels } = validatedDensityLevel(model, reference, modelSigmas(model));
  return {
    sigma: best.sigma,
    summary: {
      how: 'exp(-E) normalised on a grid, at the level with the best held-out log-likelihood',
      sigma: best.sigma,
      nats: best.logLikelihood,
      bitsPerDim: -best.logLikelihood / (d * Math.LN2),
      levels: levels.map((l) => ({ sigma: l.sigma, nats: l.logLikelihood })),
    },
  };
}

/** KL and TV between the model density (read at sigma) and the true clean one, on a grid over the data (2-D). */
function gridKlTv(model: ScoreModel, comps: MixtureComponent[], reference: Matrix, cells: number, sigma: number) {
  const range = dataRange([reference.data], 0.2);
  const points = gridPoints(range.x, range.y, cells, cells),
    rows = cells * cells;
  let modelLog: Float64Array;
  if (model.training?.loss.name === 'continuous') {
    modelLog = logLikelihood(model, sdeOf(model.training.loss), normalize(model.normalization, points), {
      rtol: 1e-4,
      atol: 1e-4,
      maxSteps: 20_000,
      seed: 0,
    }).logp;
  } else {
    // p proportional to exp(-E); E is the energy of standardised data, a constant away from data units.
    modelLog = Float64Array.from(model.energy({ data: points, rows, cols: 2 }, sigma), (e) => -e);
  }
  const truth = mixtureLogDensity(comps, { data: Float64Array.from(points), rows, cols: 2 }, []);
  const cellArea = ((range.x[1] - range.x[0]) / cells) * ((range.y[1] - range.y[0]) / cells);
  const g = gridDivergences(modelLog, truth, cellArea);
  return { kl: g.kl, reverseKl: g.reverseKl, tv: g.tv, cells, range, sigma: model.spec.conditioning === 'none' ? null : sigma };
}

/** The text report: one section per measurement, each naming the noise level it reads the model at. */
function report(r: Record<string, unknown>): string {
  const fmt = (v: unknown): string =>
    typeof v === 'number' ? String(Number(v.toPrecision(4))) : v === null ? 'none' : Array.isArray(v) ? v.map(fmt).join(', ') : String(v);
  const ref = r.reference as { from: string; floorFrom: string; heldOut: boolean | null };
  const heldOut = ref.heldOut === true ? 'held-out ' : '';
  const lines = [
    `${r.model} on ${r.data}: ${r.samples} samples (${r.samplesFrom}) vs ${r.heldOut} ${heldOut}reference points (${ref.from}; ` +
      `${ref.floorFrom} give the data floors)`,
  ];
  if (ref.heldOut === false)
    lines.push(`note: the model was trained on a file named ${r.data}: these are its training points, not held out`);
  if (r.sigma !== null) lines.push(`noise-conditional model: scores are read at sigma ${fmt(r.sigma)} (its smallest level) unless named`);
  const sampler = r.sampler as
    | {
        name: string;
        settings: Record<string, unknown>;
        stationarity: { residual: number; settled: boolean | null; settledNotApplicable?: string };
      }
    | undefined;
  // The JSON's verdict (stationarityReport): null, with its reason, for samplers that end at a small noise level by design.
  if (sampler) {
    const s = sampler.stationarity;
    const verdict = s.settled === null ? `settled: n/a, ${s.settledNotApplicable}` : s.settled ? 'settled' : 'NOT settled';
    lines.push(`samples drawn with ${sampler.name}: Stein residual ${fmt(sampler.stationarity.residual)} (${verdict})`);
  }
  const d = r.sampleDistances as Record<string, { value: number; floor: number }>;
  lines.push(
    'sample distances (samples | data-vs-data floor):',
    ...Object.entries(d).map(([k, v]) => `  ${k.padEnd(22)}${fmt(v.value)} | ${fmt(v.floor)}`),
  );
  const sm = r.smearing as { mmd2: { value: number; floor: number }; inModeShare?: { value: number; floor: number } };
  lines.push(
    'smearing (samples | data-vs-data floor):',
    `  ${'mmd2 standardised'.padEnd(22)}${fmt(sm.mmd2.value)} | ${fmt(sm.mmd2.floor)}`,
  );
  if (sm.inModeShare) lines.push(`  ${'in-mode share'.padEnd(22)}${fmt(sm.inModeShare.value)} | ${fmt(sm.inModeShare.floor)}`);
  if ([d.mmd2Median, d.energyDistance, sm.mmd2].some((v) => v.value < 0 || v.floor < 0))
    lines.push('  (MMD² and energy distance are unbiased estimates, 0 in expectation for samples of the data: a value can be below 0)');
  const se = r.scoreError as
    | {
        sigma: number | null;
        overall: number;
        topDensityDecile: number;
        bottomDensityDecile: number;
        against: string;
        levels?: { sigma: number; overall: number }[];
      }
    | undefined;
  if (se) {
    lines.push(
      `score error (Fisher divergence against ${se.against}${se.sigma === null ? '' : `, sigma ${fmt(se.sigma)}`}):`,
      `  ${'overall'.padEnd(22)}${fmt(se.overall)}`,
      `  ${'top density decile'.padEnd(22)}${fmt(se.topDensityDecile)}`,
      `  ${'bottom density decile'.padEnd(22)}${fmt(se.bottomDensityDecile)}`,
    );
    if (se.levels) lines.push(`  ${'per level'.padEnd(22)}${se.levels.map((l) => `sigma ${fmt(l.sigma)}: ${fmt(l.overall)}`).join('; ')}`);
  }
  const modes = r.modes as Record<string, unknown> | undefined;
  if (modes) lines.push('modes:', ...Object.entries(modes).map(([k, v]) => `  ${k.padEnd(22)}${fmt(v)}`));
  const dens = r.density as
    | {
        how: string;
        sigma: number | null;
        nats: number;
        bitsPerDim: number;
        trueNats?: number;
        levels?: { sigma: number; nats: number }[];
        caveat?: string;
      }
    | undefined;
  if (dens) {
    const title = ref.heldOut === true ? 'held-out log-likelihood' : 'log-likelihood of the reference points';
    lines.push(
      `${title} (${dens.how}${dens.sigma === null ? '' : `, sigma ${fmt(dens.sigma)}`}; data units):`,
      `  ${'nats per point'.padEnd(22)}${fmt(dens.nats)}${dens.trueNats !== undefined ? ` (true density: ${fmt(dens.trueNats)})` : ''}`,
      `  ${'bits per dimension'.padEnd(22)}${fmt(dens.bitsPerDim)}`,
    );
    if (dens.levels) lines.push(`  ${'per level'.padEnd(22)}${dens.levels.map((l) => `sigma ${fmt(l.sigma)}: ${fmt(l.nats)}`).join('; ')}`);
    if (dens.caveat) lines.push(`  caveat: ${dens.caveat}`);
  }
  const g = r.gridDivergences as { kl: number; reverseKl: number; tv: number; sigma: number | null } | undefined;
  if (g)
    lines.push(
      `grid divergences against the true density${g.sigma === null ? '' : ` (model read at sigma ${fmt(g.sigma)})`}:`,
      `  ${'kl'.padEnd(22)}${fmt(g.kl)}`,
      `  ${'reverseKl'.padEnd(22)}${fmt(g.reverseKl)}`,
      `  ${'tv'.padEnd(22)}${fmt(g.tv)}`,
    );
  for (const [k, why] of Object.entries(r.notApplicable as Record<string, string>)) lines.push(`${k}: n/a (${why})`);
  return `${lines.join('\n')}\n`;
}
