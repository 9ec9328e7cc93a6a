import { availableParallelism, cpus } from 'node:os';
import { benchmarkCeiling, benchmarkDense, benchmarkObjectives, benchmarkTraining, loadCore, sigmaSchedule } from '@scorefield/core-math';
import { encodeModel, Trainer } from '@scorefield/models';
import { defineCommand } from '../command.js';
import { sampleParallel } from '@scorefield/models/node';
import * as detMath from '@scorefield/core-math/det-math';

export const bench = defineCommand({
  name: 'bench',
  description: 'measure this machine: dense GFLOP/s vs the f32x4 ceiling, training steps/s per objective, sampling speed',
  usage: 'scorefield bench [--quick] [--json]   (the full suite with tfjs, PyTorch and Chromium: pnpm bench in the repo)',
  options: {
    quick: { type: 'boolean', description: 'shorter rounds and fewer particles (about 30 s)', default: false },
  },
  async run(args, io) {
    const timing = { seconds: args.quick ? 0.1 : 0.4 };
    const log = (line: string) => {
      if (!args.quiet && !args.json) io.stderr(`${line}\n`);
    };
    const simd = await loadCore({ build: 'simd' }),
      scalar = await loadCore({ build: 'scalar' });
    const kernels: Record<string, Record<string, number>> = {};
    for (const [build, core] of [
      ['simd', simd],
      ['scalar', scalar],
    ] as const) {
      log(`kernels (${build})...`);
      const k: Record<string, number> = { ceilingGflops: benchmarkCeiling(core, timing) };
      const dense = benchmarkDense(core, 128, 128, 128, timing);
      k.denseForwardGflops = dense.forward;
      k.denseBackwardGflops = dense.backward;
      kernels[build] = k;
    }
    const training: Record<string, number> = {};
    for (const { label, objective, conditioning } of benchmarkObjectives) {
      for (const kind of ['score', 'energy'] as const) {
        log(`training ${label} ${kind}...`);
        training[`${label} ${kind}`] = benchmarkTraining(simd, objective, kind, conditioning, timing);
      }
    }
    // Sampling: annealed Langevin particle-steps/s on a small trained ncsn model, 1 and all cores.
    log('sampling...');
    const n = args.quick ? 2000 : 10_000,
      steps = args.quick ? 5 : 20;
    const points = { data: new Float32Array(4000).map((_, i) => detMath.sin(i * 12.9898) * 2), rows: 2000, cols: 2 };
    const trainer = new Trainer(simd, points, { loss: { name: 'ncsn', sigmas: sigmaSchedule('geometric', 1, 0.05, 10) }, steps: 1 });
    trainer.run(1);
    const model = trainer.model,
      bytes = encodeModel(model);
    const sampling: Record<string, number> = {};
    for (const workers of [...new Set([1, availableParallelism()])]) {
      const t0 = performance.now();
      await sampleParallel(model, bytes, 'bench', { n, sampler: 'annealed', steps, seed: 0 }, workers);
      sampling[`annealed, ${workers} worker${workers > 1 ? 's' : ''}`] = (n * steps * 10) / ((performance.now() - t0) / 1000);
    }
    trainer.free();
    model.free();
    const result = {
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
      kernels,
      trainingStepsPerSecond: training,
      samplingParticleStepsPerSecond: sampling,
    };
    if (args.json) {
      io.stdout(`${JSON.stringify(result)}\n`);
      return;
    }
    const k = kernels.simd;
    const lines = [
      `machine: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}`,
      `f32x4 mul+add ceiling   ${k.ceilingGflops.toFixed(1)} GFLOP/s (scalar build ${kernels.scalar.ceilingGflops.toFixed(1)})`,
      `dense 128x128x128       forward ${k.denseForwardGflops.toFixed(1)} GFLOP/s ` +
        `(${((100 * k.denseForwardGflops) / k.ceilingGflops).toFixed(0)}% of ceiling), backward ${k.denseBackwardGflops.toFixed(1)} ` +
        `(${((100 * k.denseBackwardGflops) / k.ceilingGflops).toFixed(0)}%)`,
      'training steps/s, MLP 2-128-128-128, batch 128, SIMD:',
      ...Object.entries(training).map(([name, v]) => `  ${name.padEnd(24)}${v.toFixed(0)}`),
      'sampling, particle-steps/s:',
      ...Object.entries(sampling).map(([name, v]) => `  ${name.padEnd(24)}${v.toFixed(0)}`),
    ];
    io.stdout(`${lines.join('\n')}\n`);
  },
});
