import { existsSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  activations,
  conditionings,
  FOURIER_FREQUENCIES,
  InputError,
  modelDims,
  modelKinds,
  objectives,
  projections,
} from '@scorefield/core-math';
import {
  decodeCheckpoint,
  defaultHidden,
  defaultSteps,
  defaultStepsOf,
  defaultBatch,
  defaultBatchOf,
  defaultConditioning,
  defaultLoss,
  encodeCheckpoint,
  encodeModel,
  lossCurve,
  objectiveLabel,
  trainDefaults,
  Trainer,
  runDefaults,
  runFlags,
  runFromFlags,
  runToTrainOptions,
  type NoiseLadder,
  type ObjectiveRequest,
  type RunFlags,
  type TrainOptions,
} from '@scorefield/models';
import { ParallelTrainer } from '@scorefield/models/node';
import { defineCommand, intFlag, requireFlag } from '../command.js';
import { loadData } from '../data.js';
import { checkOutputs, readInputFile, writeFileAtomic } from '../io.js';
import { checkMemory, maxModelParams } from '../limits.js';
import { createProgress } from '../progress.js';
import { getCore } from '../core.js';
import { decodeRecord, encodeRecord, newRecord, recordPath, snapshot } from '../record.js';

/** Above this dimension `--loss esm` is refused unless --force: the exact trace costs d backward passes a step. */
export const ESM_MAX_DIM = 64;

/** Where the resumable state of a run writing `out` lives. */
export function checkpointPath(out: string): string {
  return `${out}.ckpt`;
}

export const train = defineCommand({
  name: 'train',
  description: 'train a score model on a dataset and write it as safetensors',
  usage:
    'scorefield train --data <name|file.csv|file.npy|file-idx> [--loss esm|ssm|ssm-vr|dsm|ncsn|continuous] [--model score|energy] ' +
    '--out model.safetensors',
  config: true,
  options: {
    config: {
      type: 'string',
      value: 'file.json',
      description: 'options as a JSON object {"loss": "ncsn", "steps": 5000, ...}; flags override it',
    },
    data: {
      type: 'string',
      value: 'name|file|-',
      description:
        'built-in dataset name (see `scorefield datasets`), mnist (the train digits, pixels in [0, 1]), a .csv/.npy/IDX file, or - ' +
        '(stdin: .npy by its magic bytes, else CSV)',
    },
    loss: {
      type: 'string',
      value: 'name',
      description: `objective: ${Object.keys(objectives).join(', ')} (default: ${runDefaults.loss} up to 4 dimensions, ncsn above)`,
    },
    model: {
      type: 'string',
      value: 'kind',
      description: `parametrisation: ${Object.keys(modelKinds).join(', ')} (energy: s = -grad E)`,
      default: 'score',
    },
    conditioning: {
      type: 'string',
      value: 'how',
      description:
        `noise conditioning: ${Object.keys(conditionings).join(', ')} (default: fourier, precond with Fourier features of x, for ` +
        'ncsn and continuous score models up to 4 dimensions, mixture for ncsn score models above, both for the other ncsn ' +
        'and continuous models, else none)',
    },
    projections: {
      type: 'string',
      value: 'kind',
      description: `ssm/ssm-vr projections: ${Object.keys(projections).join(', ')} (default: ${runDefaults.projection})`,
    },
    slices: { type: 'string', value: 'M', description: `ssm/ssm-vr projections per point (default: ${runDefaults.slices})` },
    sigma: {
      type: 'string',
      value: 'S',
      description: `dsm noise level, standardised units, or 'data': the smallest level of the data's ladder (default: data)`,
    },
    sigmas: {
      type: 'string',
      value: 'sched',
      description: `ncsn levels schedule:max:min:levels, schedule geometric|linear|cosine, or 'data': chosen from the data (default: data)`,
    },
    sde: { type: 'string', value: 've|vp', description: `continuous-time SDE (default: ${runDefaults.sde})` },
    'sigma-max': {
      type: 'string',
      value: 'S',
      description: 'continuous VE: largest noise level, standardised units (default: from the data)',
    },
    'sigma-min': {
      type: 'string',
      value: 'S',
      description: 'continuous VE: smallest noise level, standardised units (default: from the data)',
    },
    'noise-levels': {
      type: 'string',
      value: 'data|fixed',
      description:
        'where noise levels not given come from: the data (largest pairwise distance, nearest-neighbour scale, ratio from the ' +
        'dimension) or the fixed levels of scorefield 0.1 (ncsn geometric:1:0.01:10, dsm 0.1, VE 5 -> 0.01)',
      default: 'data',
    },
    ema: {
      type: 'string',
      value: 'M',
      description: 'decay of the moving average of the weights that is saved and sampled; 0 saves the last weights',
      default: String(trainDefaults.ema),
    },
    hidden: {
      type: 'string',
      value: 'W,W,..',
      description:
        `hidden layer widths (default: ${defaultHidden(2).join(',')} up to 64 dimensions, ${defaultHidden(784).join(',')} above; ` +
        `${defaultHidden(2, { name: 'ncsn' }).join(',')} for ncsn and continuous in up to 4 dimensions)`,
    },
    activation: {
      type: 'string',
      value: 'name',
      description: `activation: ${Object.keys(activations).join(', ')}`,
      default: trainDefaults.activation,
    },
    steps: {
      type: 'string',
      value: 'N',
      description:
        `Adam steps (default: ${defaultStepsOf.conditionalLowDim} for ncsn and continuous in up to 4 dimensions, ` +
        `${defaultStepsOf.conditional} above, ${defaultStepsOf.dsm} for dsm, ${defaultStepsOf.unconditional} otherwise)`,
    },
    batch: {
      type: 'string',
      value: 'B',
      description:
        `points per step (default: ${defaultBatchOf.conditionalLowDim} for ncsn and continuous score models in up to ` +
        `4 dimensions, ${defaultBatchOf.other} otherwise)`,
    },
    lr: { type: 'string', value: 'LR', description: 'Adam learning rate', default: String(trainDefaults.lr) },
    'lr-decay': {
      type: 'string',
      value: 'none|cosine|linear-tail',
      description: 'learning-rate schedule (default: linear-tail for dsm, constant for the rest: none)',
    },
    'clip-grad': { type: 'string', value: 'C', description: 'rescale gradients to norm C when larger' },
    standardize: {
      type: 'string',
      value: 'yes|no|global',
      description:
        'standardise each coordinate (yes), all by one mean and std (global), or not (no); noise levels are then in standardised units ' +
        '(default: global for images, else yes)',
    },
    force: {
      type: 'boolean',
      description: `train esm above ${ESM_MAX_DIM} dimensions anyway (its exact trace costs d backward passes a step)`,
      default: false,
    },
    seed: { type: 'string', value: 'S', description: 'random seed (weights, batches, noise, built-in data)', default: '0' },
    'data-size': { type: 'string', value: 'N', description: 'points drawn from a built-in dataset', default: '10000' },
    'image-size': { type: 'string', value: '28|14', description: 'mnist: image side (14: 2x2 mean pooling)', default: '28' },
    'checkpoint-every': {
      type: 'string',
      value: 'N',
      description: 'every N steps, write the model and a resumable checkpoint (<out>.ckpt)',
    },
    resume: { type: 'boolean', description: 'continue from <out>.ckpt (same options and seed give the same final bytes)', default: false },
    threads: {
      type: 'string',
      value: 'T',
      description: 'threads each training step is split over (default: the cores, 1 with --workers > 1); the result does not depend on it',
    },
    workers: {
      type: 'string',
      value: 'W',
      description:
        'data-parallel worker threads (default 1; with W > 1 the batch is split into W shards, each with its own stream: deterministic ' +
        'for a seed and W)',
      default: '1',
    },
    'record-every': {
      type: 'string',
      value: 'K',
      description: 'every K steps, record the field for `animate --kind training` (<out>.record.safetensors)',
    },
    out: { type: 'string', value: 'file', description: 'where to write the model (.safetensors)' },
  },
  async run(args, io) {
    const dataSpec = requireFlag('train', 'data', args.data);
    const out = requireFlag('train', 'out', args.out);
    // The run these flags describe (RunSpec: the page's link describes runs the same way), then the trainer's options.
    // Without --loss the objective depends on the data's dimension (defaultLoss): the flags of one objective are checked
    // once the data are read, the others now.
    const flags = pickRunFlags(args);
    const general = runFromFlags(flags.loss === undefined ? generalFlags(flags) : flags);
    const size = general.dataSize;
    const imageSize = general.imageSize;
    const every = args['checkpoint-every'] === undefined ? 0 : intFlag('checkpoint-every', args['checkpoint-every'], 1, 1e9);
    const recordEvery = args['record-every'] === undefined ? 0 : intFlag('record-every', args['record-every'], 1, 1e9);
    const workers = intFlag('workers', args.workers, 1, 64);
    if (workers > 1 && (every || args.resume))
      throw new InputError(
        "--workers > 1 cannot be combined with --checkpoint-every or --resume (the shards' streams are not checkpointed)",
      );
    // One way to use the cores per run: threads inside each step (same bits for any count), or data-parallel workers.
    const threads =
      args.threads === undefined ? (workers > 1 ? 1 : Math.min(64, availableParallelism())) : intFlag('threads', args.threads, 1, 64);
    if (threads > 1 && workers > 1)
      throw new InputError('--threads > 1 cannot be combined with --workers > 1 (both use the cores: choose one)');
    checkOutputs([{ flag: 'out', path: out, extensions: ['.safetensors'] }]);
    const ckptPath = checkpointPath(out),
      recPath = recordPath(out);
    if (args.resume && !existsSync(ckptPath))
      throw new InputError(`--resume: no checkpoint ${ckptPath} (write one with --checkpoint-every N)`);

    const core = await getCore(threads);
    const data = await loadData(core, dataSpec, { size, seed: general.seed, imageSize, io, quiet: args.quiet });
    const run = flags.loss === undefined ? runFromFlags({ ...flags, loss: defaultLoss(data.points.cols) }) : general;
    const options = runToTrainOptions(run);
    const { loss } = options as { loss: ObjectiveRequest };
    if (data.image) options.image = data.image;
    if (data.columns) options.columns = data.columns;
    if (loss.name === 'esm' && data.points.cols > ESM_MAX_DIM && !args.force)
      throw new InputError(
        `--loss esm at dimension ${data.points.cols}: its exact trace costs ${data.points.cols} backward passes a step (measured: ` +
          `docs/bench, "Exact-trace cost"); train ssm-vr or dsm (one pass each), or give --force`,
      );
    const batch = options.batch ?? defaultBatch(loss, data.points.cols, options.kind);
    if (workers > batch) throw new InputError(`--workers ${workers}: more workers than points in a batch (${batch})`);
    checkTrainingMemory(
      { ...options, steps: options.steps ?? defaultSteps(loss, data.points.cols), batch },
      data.points.rows,
      data.points.cols,
    );
    if (recordEvery && data.points.cols !== 2)
      throw new InputError(`--record-every: field snapshots need 2-D data, ${data.name} has dimension ${data.points.cols}`);
    // Everything that must match for a resumed run to equal an uninterrupted one.
    const config = JSON.stringify({ data: data.name, size, options, recordEvery });
    const parallel =
      workers > 1 ? new ParallelTrainer(core, data.points, { ...options, dataName: data.name, workers, wasm: core.build }) : undefined;
    const trainer = parallel?.trainer ?? new Trainer(core, data.points, { ...options, dataName: data.name });
    const steps = trainer.options.steps;
    if (!args.quiet) for (const notice of trainer.notices) io.stderr(`scorefield train: ${notice}\n`);
    // Warnings print under --quiet too (it silences progress and notes, not what may make the result wrong).
    const warnings = dataWarnings(data.points, options.standardize ?? true);
    for (const w of warnings) io.stderr(`scorefield train: warning: ${w}\n`);
    await parallel?.start();
    const step = (count: number, onStep: (s: number, loss: number) => void) =>
      parallel ? parallel.run(count, onStep) : trainer.run(count, onStep);
    const record = recordEvery ? newRecord(data.points.data, 24, `${args.model} model, ${run.loss}`) : undefined;
    try {
      if (args.resume) {
        const ckpt = decodeCheckpoint(readInputFile(ckptPath, 'checkpoint'), ckptPath);
        if (ckpt.config !== config)
          throw new InputError(`--resume: ${ckptPath} was written with other options or data; rerun without --resume to start over`);
        trainer.restore(ckpt.state, ckpt.params);
        if (record && existsSync(recPath)) {
          const old = decodeRecord(readInputFile(recPath, 'record'), recPath);
          const keep = old.steps.filter((s) => s <= ckpt.state.step).length;
          Object.assign(record, {
            steps: old.steps.slice(0, keep),
            fields: old.fields.slice(0, keep),
            energies: old.energies.slice(0, keep),
          });
        }
      }
      if (record && trainer.step === 0) snapshot(record, trainer.model, 0);
      if (trainer.ladder && !args.json && !args.quiet) io.stdout(`${ladderLine(trainer.ladder, objectiveLabel(trainer.loss))}\n`);
      const bar = createProgress(io, 'train', steps, !args.quiet);
      const progressEvery = Math.max(1, Math.floor(steps / 200));
      let piece = 1;
      const t0 = performance.now(),
        startStep = trainer.step;
      const save = () => {
        trainer.model.training!.curve = lossCurve(trainer.losses);
        writeFileAtomic(out, encodeModel(trainer.model));
        if (record) writeFileAtomic(recPath, encodeRecord(record));
      };
      while (trainer.step < steps) {
        const next = Math.min(steps, ...[every, recordEvery].filter((k) => k > 0).map((k) => (Math.floor(trainer.step / k) + 1) * k));
        // In pieces of about 50 ms, yielding to the event loop between them, so SIGINT/SIGTERM are handled
        // at once while training (the same bits however the steps are split).
        while (trainer.step < next) {
          const t = performance.now();
          step(Math.min(next - trainer.step, piece), (done) => {
            if (done % progressEvery === 0 || done === steps) bar.update(done, lossText(trainer.losses));
          });
          // Between the per-step updates (every 0.5% of the run), so a long run's first line comes within seconds.
          bar.update(trainer.step, lossText(trainer.losses));
          const ms = performance.now() - t;
          piece = ms < 25 ? piece * 2 : ms > 100 ? Math.max(1, piece >> 1) : piece;
          await new Promise((r) => setImmediate(r));
        }
        if (record && trainer.step % recordEvery === 0) snapshot(record, trainer.model, trainer.step);
        if (every && trainer.step % every === 0 && trainer.step < steps) {
          save();
          writeFileAtomic(ckptPath, encodeCheckpoint(trainer, config)); // after the model: a checkpoint never runs ahead of it
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const finalLoss = recentLoss(trainer.losses);
      bar.finish(lossText(trainer.losses));
      save();
      if (existsSync(ckptPath)) unlinkSync(ckptPath);
      const model = trainer.model;
      const result = {
        out,
        data: data.name,
        points: data.points.rows,
        dim: data.points.cols,
        loss: trainer.loss,
        ...(trainer.ladder && { noiseLevels: trainer.ladder }),
        ema: model.training?.ema ?? 0,
        notices: trainer.notices,
        warnings,
        model: args.model,
        conditioning: model.spec.conditioning,
        steps,
        resumedFrom: args.resume ? startStep : undefined,
        batch: trainer.options.batch,
        lr: options.lr,
        seed: options.seed,
        hidden: trainer.options.hidden,
        ...(data.image && { image: data.image }),
        activation: run.activation,
        params: model.layout.paramCount,
        finalLoss,
        seconds,
        stepsPerSecond: (steps - startStep) / seconds,
        build: core.build,
        workers,
        record: record ? recPath : undefined,
      };
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else
        io.stdout(
          `wrote ${out}: ${result.params} parameters, ${steps} steps in ${seconds.toFixed(1)} s (${result.stepsPerSecond.toFixed(0)} ` +
            `steps/s, ${core.build}), final loss ${finalLoss.toFixed(4)} (mean of the last ${Math.min(LOSS_WINDOW, steps)} steps)\n`,
        );
    } finally {
      await parallel?.close();
      trainer.free();
      trainer.model.free();
    }
  },
});

/** Steps the reported loss is averaged over: one batch's loss is noisy (on the quickstart's last step 71.8, the mean 62.2). */
export const LOSS_WINDOW = 100;

/** The mean loss of the last {@link LOSS_WINDOW} steps (fewer at the start). */
function recentLoss(losses: Float32Array): number {
  const tail = losses.subarray(Math.max(0, losses.length - LOSS_WINDOW));
  return tail.reduce((s, v) => s + v, 0) / Math.max(1, tail.length);
}

/** The progress bar's loss: the same mean as the final summary's, so the last line and the summary agree. */
function lossText(losses: Float32Array): string {
  return `loss ${recentLoss(losses).toFixed(4)} (mean of last ${Math.min(LOSS_WINDOW, losses.length)})`;
}

/** Fewer points than this are too few for a meaningful fit: `train` warns. */
export const FEW_POINTS = 100;

/** Above this magnitude, values trained without standardisation are far from the unit scale the defaults assume. */
export const UNSCALED_LIMIT = 1e4;

/**
 * One-line warnings about data a run can train on but not learn much from: too few points, or values far from unit
 * scale when standardisation is off (standardised, even 1e30 is fine: the scale is stored in the model, in float64).
 */
export function dataWarnings(points: { data: ArrayLike<number>; rows: number }, standardize: boolean | 'global'): string[] {
  const out: string[] = [];
  if (points.rows < FEW_POINTS)
    out.push(
      `only ${points.rows} points: too few for a meaningful fit (under ${FEW_POINTS}; the model learns these points, not the ` +
        'distribution they come from)',
    );
  if (standardize === false) {
    let largest = 0;
    for (let i = 0; i < points.data.length; i++) largest = Math.max(largest, Math.abs(points.data[i]));
    if (largest > UNSCALED_LIMIT)
      out.push(
        `values up to ${largest.toPrecision(2)} are trained unscaled (--standardize no): ` +
          (largest > 1.8e19 ? 'their squares overflow float32 (3.4e38)' : 'far from the unit scale the network and --lr assume') +
          '; expect a diverging or poor fit (the default, --standardize yes, scales them and stores the scale in the model)',
      );
  }
  return out;
}

/** The line `train` prints about the noise levels it chose from the data. */
function ladderLine(l: NoiseLadder, objective: string): string {
  const p = (v: number) => Number(v.toPrecision(3));
  return (
    `noise levels from the data (standardised units): ${l.levels} geometric levels ${p(l.sigmaMax)} -> ${p(l.sigmaMin)}, ratio ` +
    `${p(l.ratio)}; trains ${objective}`
  );
}

/**
 * Refuses, before training, a network or data set that cannot fit: more parameters than a model file may
 * hold (so `sample` could not read the result), or more memory than WASM's 4 GiB or this machine's budget.
 * WASM holds the weights, gradient and Adam's two moments (4 copies), the standardised data, a batch and
 * the objective's workspace (about batch x widths x lanes floats; esm's exact trace takes 2d + 2 lanes).
 */
function checkTrainingMemory(o: TrainOptions & { steps: number; batch: number }, rows: number, d: number): void {
  const hidden = o.hidden ?? defaultHidden(d, o.loss);
  const loss = o.loss!.name;
  const conditioning = o.conditioning ?? defaultConditioning(loss, d, o.kind);
  const dims = modelDims({ kind: o.kind ?? 'score', conditioning, fourier: { count: FOURIER_FREQUENCIES } }, d, hidden);
  const params = dims.slice(1).reduce((n, out, l) => n + (dims[l] + 1) * out, 0);
  const what = `--hidden ${hidden.join(',')} (${params} parameters at dimension ${d})`;
  if (params > maxModelParams()) throw new InputError(`${what}: more than the limit of ${maxModelParams()} parameters`);
  const lanes = loss === 'esm' ? 2 * d + 2 : 4;
  const wasm = 4 * (4 * params + (rows + o.batch) * d + o.batch * lanes * dims.reduce((a, b) => a + b, 0));
  checkMemory(`${what}, ${rows} points, --batch ${o.batch}`, wasm + 8 * rows * d + 4 * o.steps, wasm);
}

/** The flags of `args` that describe the run (RunSpec's), not how or where it runs. */
/** The flags that apply to every objective (those naming their losses dropped). */
function generalFlags(flags: RunFlags): RunFlags {
  return Object.fromEntries(
    Object.entries(flags).filter(([flag]) => !(runFlags[flag as keyof typeof runFlags] as { losses?: unknown }).losses),
  );
}

function pickRunFlags(args: object): RunFlags {
  const flags: RunFlags = {};
  for (const flag of Object.keys(runFlags) as (keyof typeof runFlags)[]) {
    const v = (args as Record<string, unknown>)[flag];
    if (typeof v === 'string') flags[flag] = v;
  }
  return flags;
}
