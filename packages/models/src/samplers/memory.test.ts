import { datasetPoints, loadCore } from '@scorefield/core-math';
import { describe, expect, it } from 'vitest';
import { odeLogLikelihood } from '../density.js';
import { Trainer } from '../train.js';
import { sample, samplers } from './index.js';

// The samplers allocate through core.scope: whatever they take from WASM memory they give back, also when they throw.
describe('sampling gives its WASM memory back', async () => {
  const core = await loadCore();
  const points = { data: datasetPoints(core, 'gmm3', 0, 500), rows: 500, cols: 2 };
  const trainer = new Trainer(core, points, { loss: { name: 'continuous' }, hidden: [8], steps: 20 });
  trainer.run(20);
  const model = trainer.model;
  sample(model, { n: 10, sampler: 'langevin' }); // a first run may fill the model's one-time caches

  it.each(Object.keys(samplers))('%s', (sampler) => {
    const before = core.heap.bytesInUse;
    sample(model, { n: 300, sampler, seed: 1, recordEvery: 50 });
    sample(model, { n: 100, sampler, hold: { coords: [0], points: { data: points.data.subarray(0, 200), rows: 100, cols: 2 } } });
    expect(core.heap.bytesInUse).toBe(before);
  });

  it('when a run is refused half-way, and for the ODE likelihood', () => {
    const before = core.heap.bytesInUse;
    expect(() => sample(model, { n: 10, init: { uniform: [1, 0] } })).toThrow(/lo < hi/);
    odeLogLikelihood(model, { data: points.data.subarray(0, 40), rows: 20, cols: 2 });
    expect(core.heap.bytesInUse).toBe(before);
  });
});
