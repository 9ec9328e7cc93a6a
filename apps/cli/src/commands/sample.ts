import { availableParallelism } from 'node:os';
import { encodeNpy, encodeNpyArray, encodeNpyHeader, excerpt, formatCsvChunks, parseStrictNumber } from '@scorefield/formats';
import {
  decodeModel,
  defaultSampler,
  langevinSchemes,
  plannedSteps,
  samplers,
  type InitSpec,
  type SampleOptions,
  type SamplerName,
  type SamplerSettings,
  type ScoreModel,
  type Stationarity,
} from '@scorefield/models';
import { InputError, lookup } from '@scorefield/core-math';
import { defineCommand, intFlag, positiveFlag, requireFlag, sigmasFlag, type CommandIO } from '../command.js';
import { checkStdinOnce, MNIST, readPoints } from '../data.js';
import { imageShapeOf, maskCoords, masks } from '../images.js';
import { loadMnist } from '@scorefield/datasets';
import { checkOutputs, readModelFile, writeOutput } from '../io.js';
import { checkMemory, maxModelParams } from '../limits.js';
import { createProgress, type Progress } from '../progress.js';
import { getCore } from '../core.js';
import { sampleParallel } from '@scorefield/models/node';

export const sample = defineCommand({
  name: 'sample',
  description:
    'draw samples from a trained model: langevin, annealed, pc, ode, adaptive, dpm or dpm-sde ' +
    '(one step convention: x + (alpha/2) s + sqrt(alpha) z)',
  usage:
    'scorefield sample --model model.safetensors [--sampler langevin|annealed|pc|ode|adaptive|dpm|dpm-sde] [--mask top] --n N --out ' +
    'samples.csv|samples.npy',
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
      description:
        'langevin: steps (default: ln(100) / alpha, 500 to 2000); annealed: steps per level (100); pc: predictor steps (500); dpm: ' +
        'steps (20); dpm-sde: steps (50)',
    },
    'step-size': {
      type: 'string',
      value: 'A',
      description:
        "langevin: alpha (default: 0.1 / the model's curvature; --scheme euler adds 200 steps at a tenth of it); " +
        'annealed: eps (default: the variance-matching step for the levels); standardised units',
    },
    decay: { type: 'string', value: 'G', description: 'langevin: multiply alpha by G every step (default 1: fixed)' },
    scheme: {
      type: 'string',
      value: 'name',
      description:
        `langevin: the integrator, ${Object.keys(langevinSchemes).join(' | ')} ` +
        '(default: lm, Leimkuhler-Matthews; euler: the earlier default, with 200 final steps)',
    },
    sigma: { type: 'string', value: 'S', description: 'langevin: noise level the model is read at (default: its smallest)' },
    sigmas: { type: 'string', value: 'sched', description: "annealed: levels schedule:max:min:levels (default: the model's)" },
    denoise: {
      type: 'boolean',
      description: 'annealed, pc, ode, adaptive, dpm, dpm-sde, langevin at a noise level: finish with a denoising step (the default)',
      default: false,
    },
    'no-denoise': {
      type: 'boolean',
      description: 'annealed, pc, ode, adaptive, dpm, dpm-sde, langevin: no final denoising step',
      default: false,
    },
    snr: {
      type: 'string',
      value: 'R',
      description: "pc: the corrector's signal-to-noise ratio (Song et al.'s adaptive step; 0.16); giving it turns the corrector on",
    },
    'corrector-steps': {
      type: 'string',
      value: 'M',
      description:
        'pc: corrector steps per predictor step (default: 1 with --snr or above 4 dimensions; else 0, where the predictor alone ' +
        'measured best)',
    },
    rtol: { type: 'string', value: 'TOL', description: 'ode: relative tolerance (1e-5); adaptive: of its local error (1e-2)' },
    atol: { type: 'string', value: 'TOL', description: 'ode: absolute tolerance (1e-5); adaptive: of its local error (1e-2)' },
    init: {
      type: 'string',
      value: 'spec',
      description: 'gaussian | uniform | prior | box:LO:HI (data units) | points.csv|.npy|- (default: gaussian; prior for pc/ode)',
    },
    hold: { type: 'string', value: 'J,..', description: 'inpainting: hold these coordinates (0-based) at the values of --hold-from' },
    'hold-from': {
      type: 'string',
      value: 'file|-',
      description:
        'points (.csv/.npy/IDX or -, n rows) whose --hold or --mask coordinates are kept (--mask on mnist models: the test digits)',
    },
    mask: {
      type: 'string',
      value: 'top',
      description: `image models, inpainting: ${Object.entries(masks)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    },
    trajectory: {
      type: 'string',
      value: 'file.npy',
      description: 'record the chains into this .npy, shape [frames, n, d] (frame 0: the initial particles)',
    },
    'record-every': { type: 'string', value: 'K', description: 'with --trajectory: a frame every K steps (default: about 100 frames)' },
    threads: {
      type: 'string',
      value: 'T',
      description: 'threads the particles are split over (default: the cores); the result does not depend on it',
    },
    workers: { type: 'string', value: 'W', description: 'the same as --threads (its earlier name)' },
    seed: { type: 'string', value: 'S', description: 'random seed (initial points and noise)', default: '0' },
    out: { type: 'string', value: 'file|-', description: 'where to write the samples (.csv or .npy; - for CSV on stdout)' },
  },
  async run(args, io) {
    const modelPath = requireFlag('sample', 'model', args.model);
    const out = requireFlag('sample', 'out', args.out);
    const n = intFlag('n', args.n, 1, 1e8);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    if (args.threads !== undefined && args.workers !== undefined)
      throw new InputError('--threads and --workers are the same option: give one');
    const [threadFlag, threadValue] = args.workers !== undefined ? ['workers', args.workers] : ['threads', args.threads];
    const workers = threadValue === undefined ? Math.min(8, availableParallelism()) : intFlag(threadFlag, threadValue, 1, 64);
    if (args.scheme !== undefined) lookup(langevinSchemes, args.scheme, 'langevin scheme');
    if (args.denoise && args['no-denoise']) throw new InputError('--denoise and --no-denoise contradict each other; give one');
    if (args.trajectory === undefined && args['record-every'] !== undefined)
      throw new InputError('--record-every needs --trajectory <file.npy>');
    const [ext] = checkOutputs(
      [
        { flag: 'out', path: out, extensions: ['.csv', '.npy'], stdout: true },
        ...(args.trajectory !== undefined ? [{ flag: 'trajectory', path: args.trajectory, extensions: ['.npy'] }] : []),
      ],
      { init: args.init, 'hold-from': args['hold-from'] },
    );
    if (ext === '-' && args.json) throw new InputError('--json and --out - both write to stdout; give --out a file name');
    checkStdinOnce({ init: args.init, 'hold-from': args['hold-from'] });
    const core = await getCore();
    const bytes = readModelFile(modelPath);
    const model = decodeModel(core, bytes, modelPath, { maxParams: maxModelParams() });
    try {
      const sampler = (args.sampler ?? defaultSampler(model)) as SamplerName;
      lookup(samplers, sampler, 'sampler');
      const d = model.dim;
      // Each worker draws all n initial particles and keeps its block; the result is copied twice on its way out.
      const floats = n * d;
      checkMemory(`--n ${n} (x ${d} dimensions, ${workers} workers)`, 4 * floats * (workers + 5), 4 * floats * 2);
      const options: SampleOptions = {
        n,
        seed,
        sampler,
        ...(args.steps !== undefined && { steps: intFlag('steps', args.steps, 0, 1e9) }),
        ...(args['step-size'] !== undefined && { stepSize: positiveFlag('step-size', args['step-size']) }),
        ...(args.decay !== undefined && { decay: positiveFlag('decay', args.decay) }),
        ...(args.scheme !== undefined && { scheme: args.scheme }),
        ...(args.sigma !== undefined && { sigma: positiveFlag('sigma', args.sigma) }),
        ...(args.sigmas !== undefined && { sigmas: sigmasFlag(args.sigmas) }),
        ...(args.denoise && { denoise: true }),
        ...(args['no-denoise'] && { denoise: false }),
        ...(args.snr !== undefined && { snr: positiveFlag('snr', args.snr) }),
        ...(args['corrector-steps'] !== undefined && { correctorSteps: intFlag('corrector-steps', args['corrector-steps'], 0, 100) }),
        ...(args.rtol !== undefined && { rtol: positiveFlag('rtol', args.rtol) }),
        ...(args.atol !== undefined && { atol: positiveFlag('atol', args.atol) }),
      };
      if (args.trajectory !== undefined) {
        const planned = plannedSteps(model, sampler, options);
        options.recordEvery =
          args['record-every'] !== undefined
            ? intFlag('record-every', args['record-every'], 1, 1e9)
            : Math.max(1, Math.round(planned / 100));
        // Frames are held in the workers and once more merged, then streamed to the file: refused up front if too many.
        const frames = Math.floor(planned / options.recordEvery) + 1;
        checkMemory(`--trajectory: ${frames} frames x --n ${n} x ${d} dimensions`, 4 * frames * floats * 2 + 4 * floats * (workers + 5));
      }
      // Progress every 1% of the run, at most every 100 steps: a run of a billion steps reports within seconds.
      options.progressEvery = Math.max(1, Math.min(100, Math.round(plannedSteps(model, sampler, options) / 100)));
      if (args.init !== undefined) options.init = await parseInit(args.init, n, d, io);
      if (args.hold !== undefined && args.mask !== undefined)
        throw new InputError('--hold and --mask both choose the held coordinates; give one');
      if (args.hold !== undefined) options.hold = await parseHold(args.hold, args['hold-from'], n, d, io);
      if (args.mask !== undefined) options.hold = await parseMask(model, modelPath, args.mask, args['hold-from'], n, io);
      let bar: Progress | undefined;
      const t0 = performance.now();
      const result = await sampleParallel(model, bytes, modelPath, options, workers, (p) => {
        bar ??= createProgress(io, 'sample', p.steps, !args.quiet);
        bar.update(p.step, p.sigma !== undefined && model.spec.conditioning !== 'none' ? `σ ${p.sigma.toPrecision(3)}` : undefined);
      });
      const seconds = (performance.now() - t0) / 1000;
      bar?.finish();
      const m = { data: result.samples, rows: n, cols: d };
      await writeOutput(out, ext === '.npy' ? [encodeNpy(m, 'f4')] : formatCsvChunks(m, { header: model.columns ?? true }), io.stdout);
      const frames = result.trajectory.length;
      if (args.trajectory !== undefined) {
        // Frame by frame after the header: the same bytes as encodeNpyArray of all frames, never held at once.
        const header = encodeNpyHeader([frames, n, d], 'f4');
        const body = (f: Float32Array) => encodeNpyArray(f, [f.length], 'f4').subarray(encodeNpyHeader([f.length]).length);
        const pieces = function* () {
          yield header;
          for (const f of result.trajectory) yield body(f);
        };
        await writeOutput(args.trajectory, pieces(), io.stdout);
      }
      const summary = {
        out,
        model: modelPath,
        n,
        dim: d,
        sampler: result.sampler,
        settings: result.settings,
        stationarity: stationarityReport(result.sampler, result.stationarity),
        evaluations: result.evaluations,
        seed,
        workers,
        seconds,
        ...(args.trajectory !== undefined && { trajectory: args.trajectory, frames, recordEvery: options.recordEvery }),
      };
      if (samplers[result.sampler].stationary && !result.stationarity.settled)
        io.stderr(`scorefield sample: warning: ${unsettled(result.stationarity)}\n`);
      const say = ext === '-' ? (t: string) => !args.quiet && io.stderr(t) : io.stdout;
      if (args.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else
        say(
          `wrote ${out === '-' ? 'stdout' : out}: ${n} samples, ${result.sampler} ${settingsText(result.settings)} ` +
            `(${Math.round(result.evaluations)} score evaluations per particle) in ${seconds.toFixed(1)} s\n`,
        );
    } finally {
      model.free();
    }
  },
});

/** Points from a .csv/.npy file or -, checked to be rows x d. */
async function pointsOf(path: string, rows: number, d: number, flag: string, io: CommandIO) {
  const m = await readPoints(path, { io });
  if (m.cols !== d) throw new InputError(`--${flag} ${path}: points have dimension ${m.cols}, the model ${d}`);
  if (m.rows !== rows) throw new InputError(`--${flag} ${path}: ${m.rows} points, expected --n ${rows}`);
  return m;
}

async function parseInit(spec: string, n: number, d: number, io: CommandIO): Promise<InitSpec> {
  if (spec === 'gaussian' || spec === 'uniform' || spec === 'prior') return spec;
  const box = /^box:([^:]+):([^:]+)$/.exec(spec);
  if (box) {
    const lo = parseStrictNumber(box[1]),
      hi = parseStrictNumber(box[2]);
    if (!(typeof lo === 'number' && typeof hi === 'number' && lo < hi))
      throw new InputError(`--init ${spec}: expected box:LO:HI with LO < HI`);
    return { uniform: [lo, hi] };
  }
  if (spec === '-' || /\.(csv|tsv|txt|npy)$/i.test(spec)) return pointsOf(spec, n, d, 'init', io);
  throw new InputError(`--init: expected gaussian, uniform, prior, box:LO:HI, a .csv/.npy file or -, got '${excerpt(spec, 40)}'`);
}

/**
 * `--mask top`: the top half of each image held at the --hold-from images' (for models trained on MNIST, by
 * default the first n digits of its held-out test split), the bottom half sampled.
 */
async function parseMask(model: ScoreModel, source: string, mask: string, from: string | undefined, n: number, io: CommandIO) {
  const shape = imageShapeOf(model, source, 'sample --mask');
  lookup(masks, mask, '--mask');
  const coords = maskCoords(mask as keyof typeof masks, shape);
  if (from !== undefined) return { coords, points: await pointsOf(from, n, model.dim, 'hold-from', io) };
  if (model.training?.data !== MNIST)
    throw new InputError(
      `--mask needs --hold-from <file> with the images whose ${mask} half is given (${source} was not trained on mnist)`,
    );
  const test = await loadMnist({ split: 'test', imageSize: shape.width as 28 | 14 });
  if (n > test.rows) throw new InputError(`--mask: --n ${n} is more than the ${test.rows} held-out test digits; give --hold-from <file>`);
  return { coords, points: { data: test.data.subarray(0, n * model.dim), rows: n, cols: model.dim } };
}

async function parseHold(coords: string, from: string | undefined, n: number, d: number, io: CommandIO) {
  if (from === undefined) throw new InputError('--hold needs --hold-from <file> with the values to hold');
  const list = coords.split(',').map((c) => parseStrictNumber(c));
  if (!list.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < d))
    throw new InputError(`--hold: expected coordinates between 0 and ${d - 1}, got '${excerpt(coords, 40)}'`);
  return { coords: list as number[], points: await pointsOf(from, n, d, 'hold-from', io) };
}

/** The settings a sampler chose, short: `steps=1400 stepSize=1.4e-4 sigmas=14 levels 3.71..0.0276`. */
export function settingsText(settings: SamplerSettings): string {
  const p = (v: number) => String(Number(v.toPrecision(3)));
  const parts = Object.entries(settings).map(([k, v]) =>
    Array.isArray(v) ? `${k}=${v.length} levels ${p(v[0])}..${p(v[v.length - 1])}` : `${k}=${typeof v === 'number' ? p(v) : v}`,
  );
  return `(${parts.join(' ')})`;
}

/**
 * The Stein check as `sample --json` and `eval` report it: a settled verdict only for samplers whose chains should end
 * at the model's law (plain Langevin). The others end at a small noise level by design, so their residual only
 * measures how well the model's last-level score agrees with the samples: `settled` is null there, with the reason.
 */
export function stationarityReport(
  sampler: string,
  s: Stationarity,
): Omit<Stationarity, 'settled'> & { settled: boolean | null; settledNotApplicable?: string } {
  const stationary = Object.hasOwn(samplers, sampler) && samplers[sampler as SamplerName].stationary;
  if (stationary) return { ...s };
  return { ...s, settled: null, settledNotApplicable: `${sampler} does not end at a stationary chain` };
}

/** The warning for Langevin chains that have not settled into the model's law (see @scorefield/models stationarity). */
export function unsettled(s: Stationarity): string {
  const direction = s.direction.map((v) => v.toFixed(2)).join(', ');
  return (
    `the chains have not settled: Stein residual ${s.residual.toFixed(3)} ± ${s.standardError.toFixed(3)} along (${direction}) ` +
    `(standardised units; 0 at the model's law); try more --steps, or a smaller --step-size if it grows with them`
  );
}
