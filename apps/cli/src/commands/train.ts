import { activations, conditionings, lookup, modelKinds, objectives, projections, type Activation, type ModelKind } from '@scorefield/core-math';
import { encodeModel, trainDefaults, trainScoreModel } from '@scorefield/models';
import { defineCommand, intFlag, intListFlag, positiveFlag, requireFlag } from '../command.js';
import { loadData } from '../data.js';
import { checkOutputPath, writeFileAtomic } from '../io.js';
import { createProgress } from '../progress.js';
import { getCore } from '../core.js';
import { conditioningFromFlag, objectiveFlagDefaults, objectiveFromFlags } from '../objective-flags.js';

export const train = defineCommand({
  name: 'train',
  description: 'train a score model on a dataset and write it as safetensors',
  usage: 'scorefield train --data <name|file.csv|file.npy> [--loss esm|ssm|ssm-vr|dsm|ncsn|continuous] [--model score|energy] --out model.safetensors',
  options: {
    data: { type: 'string', value: 'name|file', description: 'built-in dataset name (see `scorefield datasets`) or a .csv/.npy file' },
    loss: { type: 'string', value: 'name', description: `objective: ${Object.keys(objectives).join(', ')}`, default: objectiveFlagDefaults.loss },
    model: { type: 'string', value: 'kind', description: `parametrisation: ${Object.keys(modelKinds).join(', ')} (energy: s = -grad E)`, default: 'score' },
    conditioning: { type: 'string', value: 'how', description: `noise conditioning: ${Object.keys(conditionings).join(', ')} (default: both for ncsn and continuous, else none)` },
    projections: { type: 'string', value: 'kind', description: `ssm/ssm-vr projections: ${Object.keys(projections).join(', ')} (default: ${objectiveFlagDefaults.projections})` },
    slices: { type: 'string', value: 'M', description: `ssm/ssm-vr projections per point (default: ${objectiveFlagDefaults.slices})` },
    sigma: { type: 'string', value: 'S', description: `dsm noise level, standardised units (default: ${objectiveFlagDefaults.sigma})` },
    sigmas: { type: 'string', value: 'sched', description: `ncsn levels schedule:max:min:levels, schedule geometric|linear|cosine (default: ${objectiveFlagDefaults.sigmas})` },
    sde: { type: 'string', value: 've|vp', description: `continuous-time SDE (default: ${objectiveFlagDefaults.sde})` },
    hidden: { type: 'string', value: 'W,W,..', description: 'hidden layer widths', default: trainDefaults.hidden.join(',') },
    activation: { type: 'string', value: 'name', description: `activation: ${Object.keys(activations).join(', ')}`, default: trainDefaults.activation },
    steps: { type: 'string', value: 'N', description: 'Adam steps', default: String(trainDefaults.steps) },
    batch: { type: 'string', value: 'B', description: 'points per step', default: String(trainDefaults.batch) },
    lr: { type: 'string', value: 'LR', description: 'Adam learning rate', default: String(trainDefaults.lr) },
    seed: { type: 'string', value: 'S', description: 'random seed (weights, batches, noise, built-in data)', default: '0' },
    'data-size': { type: 'string', value: 'N', description: 'points drawn from a built-in dataset', default: '10000' },
    out: { type: 'string', value: 'file', description: 'where to write the model (.safetensors)' },
  },
  async run(args, io) {
    const dataSpec = requireFlag('train', 'data', args.data);
    const out = requireFlag('train', 'out', args.out);
    const loss = objectiveFromFlags(args);
    lookup(modelKinds, args.model!, 'model');
    const kind = args.model as ModelKind;
    const conditioning = conditioningFromFlag(args.conditioning);
    const activation = args.activation as Activation;
    lookup(activations, activation, 'activation');
    const options = {
      hidden: intListFlag('hidden', args.hidden),
      activation,
      steps: intFlag('steps', args.steps, 1, 1e9),
      batch: intFlag('batch', args.batch, 1, 1 << 20),
      lr: positiveFlag('lr', args.lr),
      loss,
      kind,
      conditioning,
      seed: intFlag('seed', args.seed, 0, 2 ** 32 - 1),
    };
    const size = intFlag('data-size', args['data-size'], 1, 1e8);
    checkOutputPath(out, 'out', ['.safetensors']);

    const core = await getCore();
    const data = loadData(core, dataSpec, { size, seed: options.seed });
    const bar = createProgress(io, 'train', options.steps, !args.quiet);
    const t0 = performance.now();
    const { model, losses: curve } = trainScoreModel(core, data.points, {
      ...options,
      dataName: data.name,
      onProgress: ({ step, loss }) => bar.update(step, `loss ${loss.toFixed(4)}`),
      progressEvery: Math.max(1, Math.floor(options.steps / 200)),
    });
    const seconds = (performance.now() - t0) / 1000;
    const tail = curve.subarray(Math.max(0, curve.length - 100));
    const finalLoss = tail.reduce((s, v) => s + v, 0) / tail.length;
    bar.finish(`loss ${finalLoss.toFixed(4)}`);
    writeFileAtomic(out, encodeModel(model));
    const result = {
      out, data: data.name, points: data.points.rows, dim: data.points.cols, loss, model: kind, conditioning: model.spec.conditioning,
      steps: options.steps, batch: options.batch, lr: options.lr, seed: options.seed,
      hidden: options.hidden, activation, params: model.layout.paramCount, finalLoss, seconds,
      stepsPerSecond: options.steps / seconds, build: core.build,
    };
    model.free();
    if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
    else io.stdout(`wrote ${out}: ${result.params} parameters, ${options.steps} steps in ${seconds.toFixed(1)} s (${result.stepsPerSecond.toFixed(0)} steps/s, ${core.build}), final loss ${finalLoss.toFixed(4)}\n`);
  },
});
