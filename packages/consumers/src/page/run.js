// What every bundled page does, and what the test also runs in Node to compare: load the WASM core with no
// options (the package finds its .wasm itself), train 100 steps on 8gaussians, sample with Langevin dynamics; then
// the same training on a core asked for two threads.
import { datasetSample, loadCore } from '@scorefield/core-math';
import { sampleLangevin, trainScoreModel } from '@scorefield/models';

export async function run() {
  const core = await loadCore();
  const data = datasetSample(core, '8gaussians', core.rng(0), 1000).toArray();
  const { model, losses } = trainScoreModel(core, { data, rows: 1000, cols: 2 }, { steps: 100, hidden: [32, 32], seed: 0 });
  const samples = sampleLangevin(model, { n: 100, steps: 100, stepSize: 1e-3, seed: 1 });
  // A threaded core gives the same bits; where shared memory is missing (a page that is not cross-origin isolated)
  // it runs one thread.
  const threaded = await loadCore({ threads: 2 });
  const threads = threaded.threads;
  const twin = trainScoreModel(threaded, { data, rows: 1000, cols: 2 }, { steps: 100, hidden: [32, 32], seed: 0 }).losses;
  await threaded.close();
  return {
    build: core.build,
    steps: losses.length,
    losses: Array.from(losses),
    samples: Array.from(samples),
    threads,
    sameLosses: Array.from(twin).every((v, i) => v === losses[i]),
  };
}
