import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { encodeNpy, encodeNpyArray, formatCsv, parseCsv, parseNpy } from '@scorefield/formats';
import {
  decodeModel,
  defaultSampler,
  plannedSteps,
  samplers,
  type InitSpec,
  type SampleOptions,
  type SamplerName,
  type SamplerSettings,
  type Stationarity,
} from '@scorefield/models';
import { InputError, lookup, parseSigmaSchedule } from '@scorefield/core-math';
import { defineCommand, intFlag, positiveFlag, requireFlag } from '../command.js';
import { checkOutputPath, readInputFile, writeFileAtomic } from '../io.js';
import { createProgress, type Progress } from '../progress.js';
import { getCore } from '../core.js';
import { sampleParallel } from '../parallel-sample.js';

export const sample = defineCommand({
  name: 'sample',
  description: 'draw samples from a trained model: langevin, annealed, pc or ode (one step convention: x + (alpha/2) s + sqrt(alpha) z)',
  usage: 'scorefield sample --model model.safetensors [--sampler langevin|annealed|pc|ode] --n N --out samples.csv|samples.npy',
  options: {
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    sampler: {
      type: 'string',
      value: 'name',
      description: `${Object.keys(samplers).join(', ')} (default: annealed for ncsn models, pc for continuous ones, else langevin)`,
    },
    n: { type: 'string', value: 'N', description: 'number of samples', default: '1000' },
    steps: {
      type: 'string',
      value: 'T',
      description: 'langevin: steps (default: ln(100) / alpha, 500 to 2000); annealed: steps per level (100); pc: predictor steps (500)',
    },
    'step-size': {
      type: 'string',
      value: 'A',
      description:
        "langevin: alpha (default: 0.1 / the model's curvature); annealed: eps (default: the variance-matching step for the levels); standardised units",
    },
    decay: { type: 'string', value: 'G', description: 'langevin: multiply alpha by G every step (default 1: fixed)' },
    sigma: { type: 'string', value: 'S', description: 'langevin: noise level the model is read at (default: its smallest)' },
    sigmas: { type: 'string', value: 'sched', description: "annealed: levels schedule:max:min:levels (default: the model's)" },
    denoise: { type: 'boolean', description: 'annealed, pc: finish with a denoising step x + sigma^2 s(x) (the default)', default: false },
    'no-denoise': { type: 'boolean', description: 'annealed, pc: no final denoising step', default: false },
    snr: {
      type: 'string',
      value: 'R',
      description: "pc: Song et al.'s SNR-adaptive corrector with this signal-to-noise ratio (e.g. 0.16)",
    },
    'corrector-steps': { type: 'string', value: 'M', description: 'pc: corrector steps per predictor step (1)' },
    rtol: { type: 'string', value: 'TOL', description: 'ode: relative tolerance (1e-5)' },
    atol: { type: 'string', value: 'TOL', description: 'ode: absolute tolerance (1e-5)' },
    init: {
      type: 'string',
      value: 'spec',
      description: 'gaussian | uniform | prior | box:LO:HI (data units) | points.csv|.npy (default: gaussian; prior for pc/ode)',
    },
    hold: { type: 'string', value: 'J,..', description: 'inpainting: hold these coordinates (0-based) at the values of --hold-from' },
    'hold-from': { type: 'string', value: 'file', description: 'points (.csv/.npy, n rows) whose --hold coordinates are kept' },
    trajectory: {
      type: 'string',
      value: 'file.npy',
      description: 'record the chains into this .npy, shape [frames, n, d] (frame 0: the initial particles)',
    },
    'record-every': { type: 'string', value: 'K', description: 'with --trajectory: a frame every K steps (default: about 100 frames)' },
    workers: { type: 'string', value: 'W', description: 'worker threads (default: the number of cores); the result does not depend on it' },
    seed: { type: 'string', value: 'S', description: 'random seed (initial points and noise)', default: '0' },
    out: { type: 'string', value: 'file', description: 'where to write the samples (.csv or .npy)' },
  },
  async run(args, io) {
    const modelPath = requireFlag('sample', 'model', args.model);
    const out = requireFlag('sample', 'out', args.out);
    const n = intFlag('n', args.n, 1, 1e8);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    const workers = args.workers === undefined ? Math.min(8, availableParallelism()) : intFlag('workers', args.workers, 1, 64);
    if (args.denoise && args['no-denoise']) throw new InputError('--denoise and --no-denoise contradict each other; give one');
    const ext = checkOutputPath(out, 'out', ['.csv', '.npy']);
    if (args.trajectory !== undefined) checkOutputPath(args.trajectory, 'trajectory', ['.npy']);
    else if (args['record-every'] !== undefined) throw new InputError('--record-every needs --trajectory <file.npy>');
    const core = await getCore();
    const bytes = readInputFile(modelPath);
    const model = decodeModel(core, bytes, modelPath);
    try {
      const sampler = (args.sampler ?? defaultSampler(model)) as SamplerName;
      lookup(samplers, sampler, 'sampler');
      const options: SampleOptions = {
        n,
        seed,
        sampler,
        ...(args.steps !== undefined && { steps: intFlag('steps', args.steps, 0, 1e9) }),
        ...(args['step-size'] !== undefined && { stepSize: positiveFlag('step-size', args['step-size']) }),
        ...(args.decay !== undefined && { decay: positiveFlag('decay', args.decay) }),
        ...(args.sigma !== undefined && { sigma: positiveFlag('sigma', args.sigma) }),
        ...(args.sigmas !== undefined && { sigmas: parseSigmaSchedule(args.sigmas) }),
        ...(args.denoise && { denoise: true }),
        ...(args['no-denoise'] && { denoise: false }),
        ...(args.snr !== undefined && { snr: positiveFlag('snr', args.snr) }),
        ...(args['corrector-steps'] !== undefined && { correctorSteps: intFlag('corrector-steps', args['corrector-steps'], 0, 100) }),
        ...(args.rtol !== undefined && { rtol: positiveFlag('rtol', args.rtol) }),
        ...(args.atol !== undefined && { atol: positiveFlag('atol', args.atol) }),
        ...(args.init !== undefined && { init: parseInit(args.init, n, model.dim) }),
        ...(args.hold !== undefined && { hold: parseHold(args.hold, args['hold-from'], n, model.dim) }),
      };
      if (args.trajectory !== undefined) {
        options.recordEvery =
          args['record-every'] !== undefined
            ? intFlag('record-every', args['record-every'], 1, 1e9)
            : Math.max(1, Math.round(plannedSteps(model, sampler, options) / 100));
      }
      let bar: Progress | undefined;
      const t0 = performance.now();
      const result = await sampleParallel(model, bytes, modelPath, options, workers, (p) => {
        bar ??= createProgress(io, 'sample', p.steps, !args.quiet);
        bar.update(p.step, p.sigma !== undefined && model.spec.conditioning !== 'none' ? `σ ${p.sigma.toPrecision(3)}` : undefined);
      });
      const seconds = (performance.now() - t0) / 1000;
      bar?.finish();
      const m = { data: Float64Array.from(result.samples), rows: n, cols: model.dim };
      writeFileAtomic(out, ext === '.npy' ? encodeNpy(m, 'f4') : formatCsv(m));
      let frames = 0;
      if (args.trajectory !== undefined) {
        const all = result.trajectory;
        frames = all.length;
        const flat = new Float32Array(frames * n * model.dim);
        all.forEach((f, i) => flat.set(f, i * n * model.dim));
        writeFileAtomic(args.trajectory, encodeNpyArray(flat, [frames, n, model.dim], 'f4'));
      }
      const summary = {
        out,
        model: modelPath,
        n,
        dim: m.cols,
        sampler: result.sampler,
        settings: result.settings,
        stationarity: result.stationarity,
        evaluations: result.evaluations,
        seed,
        workers,
        seconds,
        ...(args.trajectory !== undefined && { trajectory: args.trajectory, frames, recordEvery: options.recordEvery }),
      };
      if (samplers[result.sampler].stationary && !result.stationarity.settled)
        io.stderr(`scorefield sample: warning: ${unsettled(result.stationarity)}\n`);
      if (args.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else
        io.stdout(
          `wrote ${out}: ${n} samples, ${result.sampler} ${settingsText(result.settings)} (${Math.round(result.evaluations)} score evaluations per particle) in ${seconds.toFixed(1)} s\n`,
        );
    } finally {
      model.free();
    }
  },
});

/** Points from a .csv/.npy file, checked to be rows x d. */
function readPoints(path: string, rows: number, d: number, flag: string) {
  const bytes = readInputFile(path);
  const m =
    extname(path).toLowerCase() === '.npy'
      ? parseNpy(bytes, { source: path })
      : parseCsv(new TextDecoder().decode(bytes), { source: path });
  if (m.cols !== d) throw new InputError(`--${flag} ${path}: points have dimension ${m.cols}, the model ${d}`);
  if (m.rows !== rows) throw new InputError(`--${flag} ${path}: ${m.rows} points, expected --n ${rows}`);
  return { data: m.data, rows: m.rows, cols: m.cols };
}

function parseInit(spec: string, n: number, d: number): InitSpec {
  if (spec === 'gaussian' || spec === 'uniform' || spec === 'prior') return spec;
  const box = /^box:([^:]+):([^:]+)$/.exec(spec);
  if (box) {
    const lo = Number(box[1]),
      hi = Number(box[2]);
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new InputError(`--init ${spec}: expected box:LO:HI with LO < HI`);
    return { uniform: [lo, hi] };
  }
  if (/\.(csv|tsv|txt|npy)$/i.test(spec)) return readPoints(spec, n, d, 'init');
  throw new InputError(`--init: expected gaussian, uniform, prior, box:LO:HI or a .csv/.npy file, got '${spec}'`);
}

function parseHold(coords: string, from: string | undefined, n: number, d: number) {
  if (from === undefined) throw new InputError('--hold needs --hold-from <file> with the values to hold');
  const list = coords.split(',').map((c) => Number(c));
  if (!list.every((c) => Number.isInteger(c) && c >= 0 && c < d))
    throw new InputError(`--hold: expected coordinates between 0 and ${d - 1}, got '${coords}'`);
  return { coords: list, points: readPoints(from, n, d, 'hold-from') };
}

/** The settings a sampler chose, short: `steps=1400 stepSize=1.4e-4 sigmas=14 levels 3.71..0.0276`. */
export function settingsText(settings: SamplerSettings): string {
  const p = (v: number) => String(Number(v.toPrecision(3)));
  const parts = Object.entries(settings).map(([k, v]) =>
    Array.isArray(v) ? `${k}=${v.length} levels ${p(v[0])}..${p(v[v.length - 1])}` : `${k}=${typeof v === 'number' ? p(v) : v}`,
  );
  return `(${parts.join(' ')})`;
}

/** The warning for Langevin chains that have not settled into the model's law (see @scorefield/models stationarity). */
export function unsettled(s: Stationarity): string {
  const direction = s.direction.map((v) => v.toFixed(2)).join(', ');
  return `the chains have not settled: Stein residual ${s.residual.toFixed(3)} ± ${s.standardError.toFixed(3)} along (${direction}) (standardised units; 0 at the model's law); try more --steps, or a smaller --step-size if it grows with them`;
}
