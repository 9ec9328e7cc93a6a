// The README's first example passed `datasetSample(...).view` (a view into WASM memory) to trainScoreModel, which
// grew the memory before reading it: the view detached and the model trained on zeros without a word. Points are
// now copied on entry, and a view that is already detached is refused with one line saying why.
import { datasetSample, loadCore } from '@scorefield/core-math';
import { describe, expect, it } from 'vitest';
import { fitNormalization, sample, trainScoreModel } from './index.js';

describe('points that are views into WASM memory', () => {
  it('trainScoreModel trains on the values of a view exactly as on a copy of them', async () => {
    const core = await loadCore();
    const pts = datasetSample(core, '8gaussians', core.rng(0), 2000);
    const copy = pts.toArray();
    const options = { steps: 50, hidden: [16, 16], seed: 0 };
    const fromView = trainScoreModel(core, { data: pts.view, rows: 2000, cols: 2 }, options);
    const fromCopy = trainScoreModel(core, { data: copy, rows: 2000, cols: 2 }, options);
    expect(fromView.losses).toEqual(fromCopy.losses);
    expect(fromView.model.params.toArray()).toEqual(fromCopy.model.params.toArray());
    // The data have radius about 2.8: the loss of dsm at sigma 0.1 starts near 100, not near 0 (zeros).
    expect(fromView.losses[0]).toBeGreaterThan(10);
  });

  it('a view detached earlier is refused with one line, by every entry that takes points', async () => {
    const core = await loadCore();
    const pts = datasetSample(core, '8gaussians', core.rng(0), 100);
    const view = pts.view;
    const { model } = trainScoreModel(core, { data: pts.toArray(), rows: 100, cols: 2 }, { steps: 2, hidden: [8] });
    core.f32(1 << 20); // the memory grows: `view` is detached
    expect(view.length).toBe(0);
    const points = { data: view, rows: 100, cols: 2 };
    const detached =
      /: the array is detached \(a view into WASM memory that has grown since it was taken\); pass a copy, e\.g\. buf\.toArray\(\)$/;
    expect(() => trainScoreModel(core, points, { steps: 1 })).toThrow(detached);
    expect(() => model.score(points)).toThrow(detached);
    expect(() => fitNormalization(points)).toThrow(detached);
    expect(() => sample(model, { n: 100, init: points })).toThrow(detached);
    expect(() => sample(model, { n: 100, hold: { coords: [0], points } })).toThrow(detached);
    expect(() => model.score({ data: new Float32Array(0), rows: 1, cols: 2 })).toThrow('score: the array is empty');
  });
});
