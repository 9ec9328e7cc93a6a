import { loadCore, datasetSample } from '@scorefield/core-math';
import { sample, Trainer } from '@scorefield/models';
import { standardizedMmd2 } from '@scorefield/metrics';
const threaded = await loadCore({ build: 'simd', threads: 2 });
for (const dataset of ['gmm3', '8gaussians']) {
  const draw = (seed, n) => datasetSample(threaded, dataset, threaded.rng(seed), n).toArray();
  const train = draw(1, 10_000);
  const ref = { data: draw(2, 2000), rows: 2000, cols: 2 };
  const mmd = (p) => standardizedMmd2({ data: p, rows: p.length / 2, cols: 2 }, ref).value;
  const trainer = new Trainer(threaded, { data: train, rows: 10_000, cols: 2 }, { steps: 1e9, seed: 1 });
  console.log(dataset, 'loss', JSON.stringify(trainer.loss ?? trainer.options?.loss), 'batch', trainer.options?.batch, 'hidden', JSON.stringify(trainer.options?.hidden));
  let tt = 0;
  for (let steps = 250; steps <= 1500; steps += 250) {
    let t0 = performance.now(); trainer.run(250); tt += (performance.now() - t0) / 1000;
    t0 = performance.now(); const s = sample(trainer.model, { n: 2000, seed: steps / 250 }); const st = (performance.now() - t0) / 1000;
    console.log(dataset, steps, 'train', tt.toFixed(2), 's; sample', st.toFixed(2), 's', s.sampler, s.evaluations, 'evals; mmd', mmd(s.samples).toExponential(2));
  }
  trainer.free(); trainer.model.free();
}
await threaded.close();
