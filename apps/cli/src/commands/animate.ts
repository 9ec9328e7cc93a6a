import { existsSync } from 'node:fs';
import {
  decodeModel,
  plannedSteps,
  defaultSampler,
  modelSigmas,
  sample,
  samplers,
  type SamplerName,
  type ScoreModel,
} from '@scorefield/models';
import { createRng } from '@scorefield/metrics';
import { InputError, lookup } from '@scorefield/core-math';
import { dataRange, fieldPlot, gridPoints, scatterPlot } from '@scorefield/plot';
import { animateSvgs } from '@scorefield/plot/raster';
import { boundedFlag, defineCommand, intFlag, requireFlag, type CommandIO } from '../command.js';
import { loadData, MNIST } from '../data.js';
import { gridOf, greyRange, imageShapeOf } from '../images.js';
import { checkOutputs, readInputFile, readModelFile, writeOutput } from '../io.js';
import { checkMemory, maxModelParams } from '../limits.js';
import { getCore } from '../core.js';
import { decodeRecord, recordPath } from '../record.js';
import { titles } from '../figures.js';

const kinds = {
  training: 'the score field during training, from the snapshots of `train --record-every`',
  sampling: 'particles moving from noise to the data, with marginal histograms (image models: a grid of images forming)',
  denoise: 'image models: one held-out image noised at each level of the model and denoised by x + sigma^2 s(x)',
} satisfies Record<string, string>;

export const animate = defineCommand({
  name: 'animate',
  description: 'animate training (the field learning), sampling (particles flowing to the data) or denoising (images) as a GIF',
  usage: 'scorefield animate --kind training|sampling|denoise --model model.safetensors --out movie.gif',
  options: {
    kind: {
      type: 'string',
      value: 'kind',
      description: Object.entries(kinds)
        .map(([k, d]) => `${k}: ${d}`)
        .join('; '),
      default: 'sampling',
    },
    model: { type: 'string', value: 'file', description: 'a model written by `scorefield train`' },
    record: { type: 'string', value: 'file', description: 'training: the snapshots (default: <model>.record.safetensors)' },
    data: { type: 'string', value: 'name|file', description: 'data to draw (default: the built-in dataset the model was trained on)' },
    sampler: { type: 'string', value: 'name', description: `sampling: ${Object.keys(samplers).join(', ')} (default: the model's)` },
    n: { type: 'string', value: 'N', description: 'sampling: particles (default 500; image models: 16 images)' },
    frames: { type: 'string', value: 'F', description: 'sampling: frames (about)', default: '60' },
    delay: { type: 'string', value: 'MS', description: 'milliseconds per frame', default: '80' },
    scale: { type: 'string', value: 'X', description: 'pixels per SVG unit, in (0, 4]', default: '0.75' },
    seed: { type: 'string', value: 'S', description: 'seed for the data and the particles', default: '0' },
    out: { type: 'string', value: 'file', description: 'where to write the animation (.gif)' },
  },
  async run(args, io) {
    const modelPath = requireFlag('animate', 'model', args.model);
    const out = requireFlag('animate', 'out', args.out);
    const kind = lookup(kinds, args.kind!, 'animation kind') && (args.kind as keyof typeof kinds);
    const delayMs = intFlag('delay', args.delay, 20, 10_000);
    // The GIF encoder holds every frame as pixels: the scale and frame count are checked before any rendering.
    const scale = boundedFlag('scale', args.scale, 4);
    const seed = intFlag('seed', args.seed, 0, 2 ** 32 - 1);
    const n = intFlag('n', args.n ?? '500', 1, 100_000),
      frameCount = intFlag('frames', args.frames, 2, 1000);
    checkOutputs([{ flag: 'out', path: out, extensions: ['.gif'] }]);
    const core = await getCore();
    const model = decodeModel(core, readModelFile(modelPath), modelPath, { maxParams: maxModelParams() });
    try {
      if (kind === 'denoise' || (model.image && kind === 'sampling')) {
        const svgs =
          kind === 'denoise'
            ? await denoiseFrames(model, modelPath, args.data, seed, io)
            : samplingGrids(model, modelPath, intFlag('n', args.n ?? '16', 1, 1024), frameCount, seed, args.sampler);
        const gif = await animateSvgs(svgs, { delayMs, scale });
        await writeOutput(out, [gif], io.stdout);
        if (args.json) io.stdout(`${JSON.stringify({ out, model: modelPath, kind, frames: svgs.length, bytes: gif.length })}\n`);
        else io.stdout(`wrote ${out}: ${svgs.length} frames\n`);
        return;
      }
      if (model.dim !== 2)
        throw new InputError(
          `${modelPath}: animate --kind ${kind} draws 2-D models, this one has dimension ` +
            `${model.dim}${model.image ? ' (images: --kind sampling or denoise)' : ''}`,
        );
      const t = model.training;
      const dataSpec = args.data ?? (t?.data && !/\.(csv|tsv|txt|npy)$|ubyte$/i.test(t.data) ? t.data : undefined);
      const data = dataSpec ? await loadData(core, dataSpec, { size: 1000, seed: seed + 1, dim: 2, io, quiet: args.quiet }) : undefined;
      const values = data ? Float64Array.from(data.points.data) : undefined;
      const svgs: string[] = [];
      if (kind === 'training') {
        const path = args.record ?? recordPath(modelPath);
        if (!existsSync(path)) throw new InputError(`--record ${path}: no such file; train with --record-every K to record the field`);
        const rec = decodeRecord(readInputFile(path, 'record'), path);
        const points = gridPoints(rec.xRange, rec.yRange, rec.side, rec.side);
        const last = rec.steps[rec.steps.length - 1];
        rec.steps.forEach((step, i) =>
          svgs.push(
            fieldPlot({
              ...titles(model, modelPath, 'training'),
              xRange: rec.xRange,
              yRange: rec.yRange,
              data: values,
              field: { points, vectors: rec.fields[i] },
              heat: rec.energies.length ? { values: rec.energies[i], nx: rec.side, ny: rec.side, label: 'energy E(x)' } : undefined,
              labels: { data: data ? `data (${data.name})` : undefined, field: 'score s(x)' },
              note: `step ${step} / ${last}`,
            }),
          ),
        );
      } else {
        const sampler = (args.sampler ?? defaultSampler(model)) as SamplerName;
        lookup(samplers, sampler, 'sampler');
        const total = plannedSteps(model, sampler, {});
        const every = Math.max(1, Math.round(total / frameCount));
        checkMemory(`--frames ${frameCount} x --n ${n}`, 4 * 2 * n * (Math.floor(total / every) + 1));
        const sigmas: number[] = [];
        const r = sample(model, {
          n,
          seed,
          sampler,
          recordEvery: every,
          progressEvery: every,
          onProgress: (p) => sigmas.push(p.sigma ?? NaN),
        });
        const range = dataRange([...(values ? [values] : []), r.samples], 0.1);
        const noisy = model.spec.conditioning !== 'none';
        r.trajectory.forEach((x, i) =>
          svgs.push(
            scatterPlot({
              ...titles(model, modelPath, `${sampler} sampling`),
              xRange: range.x,
              yRange: range.y,
              data: values,
              samples: x,
              labels: { data: data ? `data (${data.name})` : undefined, samples: 'particles' },
              note:
                `step ${Math.min(total, i * every)} / ` +
                `${total}${noisy && i > 0 && Number.isFinite(sigmas[i - 1]) ? ` · σ = ${sigmas[i - 1].toPrecision(3)}` : ''}`,
            }),
          ),
        );
      }
      const gif = await animateSvgs(svgs, { delayMs, scale });
      await writeOutput(out, [gif], io.stdout);
      const result = { out, model: modelPath, kind, frames: svgs.length, bytes: gif.length };
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else io.stdout(`wrote ${out}: ${svgs.length} frames\n`);
    } finally {
      model.free();
    }
  },
});

/** Image models: the grid of `n` images as the sampler runs, about `frames` frames, each naming the step and sigma. */
function samplingGrids(model: ScoreModel, source: string, n: number, frames: number, seed: number, samplerFlag?: string): string[] {
  const shape = model.image!;
  const sampler = (samplerFlag ?? defaultSampler(model)) as SamplerName;
  lookup(samplers, sampler, 'sampler');
  const total = plannedSteps(model, sampler, {});
  const every = Math.max(1, Math.round(total / frames));
  checkMemory(`--frames ${frames} x --n ${n} x ${model.dim} pixels`, 4 * model.dim * n * (Math.floor(total / every) + 2) * 2);
  const sigmas: number[] = [];
  const r = sample(model, { n, seed, sampler, recordEvery: every, progressEvery: every, onProgress: (p) => sigmas.push(p.sigma ?? NaN) });
  const frameList = [...r.trajectory, r.samples];
  const range = greyRange(r.samples);
  const t = titles(model, source, `${sampler} sampling`);
  return frameList.map((x, i) => {
    const last = i === frameList.length - 1;
    const sigma = !last && i > 0 && Number.isFinite(sigmas[i - 1]) ? ` · σ = ${sigmas[i - 1].toPrecision(3)}` : '';
    const note = last
      ? `samples (after ${total} steps${r.settings.denoise ? ', denoised' : ''})`
      : `step ${Math.min(total, i * every)} / ${total}${sigma}`;
    return gridOf(x, shape, { ...t, range, note });
  });
}

/**
 * Image models: one held-out image (MNIST's first test digit for models trained on it, else the first image
 * of --data) at each level sigma of the model: clean, noised x + sigma z, and denoised by Tweedie's formula
 * x~ + sigma^2 s(x~; sigma) (standardised units; see Efron 2011, "Tweedie's formula and selection bias").
 */
async function denoiseFrames(model: ScoreModel, source: string, dataSpec: string | undefined, seed: number, io: CommandIO) {
  const shape = imageShapeOf(model, source, 'animate --kind denoise');
  const d = model.dim;
  if (model.spec.conditioning === 'none')
    throw new InputError(`--kind denoise: ${source} is not noise-conditional (train with --loss ncsn)`);
  const spec = dataSpec ?? (model.training?.data === MNIST ? MNIST : undefined);
  if (!spec) throw new InputError(`--kind denoise needs --data <images> (${source} was not trained on mnist)`);
  const data = await loadData(await getCore(), spec, { size: 1, seed, dim: d, image: shape, split: 'test', io, quiet: true });
  const clean = Float64Array.from(data.points.data).subarray(0, d);
  const { mean, std } = model.normalization;
  const rng = createRng(seed);
  const z = Float64Array.from({ length: d }, () => rng.normal());
  const levels = modelSigmas(model);
  const frames = levels.map((sigma) => {
    const noisy = Float64Array.from(clean, (v, k) => v + sigma * std[k] * z[k]);
    const s = model.score({ data: noisy, rows: 1, cols: d }, sigma);
    const denoised = Float64Array.from(noisy, (v, k) => v + (sigma * std[k]) ** 2 * s[k]);
    return { sigma, images: Float64Array.of(...clean, ...noisy, ...denoised) };
  });
  void mean;
  const range = greyRange(clean);
  const t = titles(model, source, `denoising one ${data.name} image`);
  return frames.map((f, i) =>
    gridOf(f.images, shape, {
      ...t,
      range,
      captions: ['clean', 'noised', 'denoised'],
      note: `level ${i + 1} / ${levels.length} · σ = ${f.sigma.toPrecision(3)} (standardised units)`,
    }),
  );
}
