import { describe, expect, it } from 'vitest';
import { datasetSample, loadCore } from '@scorefield/core-math';
import { plannedSteps, Trainer, samplerSettings, type Stationarity } from '@scorefield/models';
import type { FromJob } from './protocol.js';
import { settingsText, settledText } from './sampler-report.js';
import { sampleForView } from './sampling.js';

const stein = (residual: number, settled: boolean): Stationarity => ({
  residual,
  direction: [1, 0],
  standardError: 0.02,
  sigma: 0.1,
  settled,
});

describe('what a sampling run used, said briefly', () => {
  it('names every setting; a ladder by its length and ends; neutral settings left out', () => {
    const langevin = { steps: 1200, stepSize: 0.012345, decay: 1, sigma: 0.1, stepFrom: 'model' };
    expect(settingsText(langevin, true)).toBe('steps 1200 · step size 0.0123 (from the model) · σ 0.1');
    // A model without noise conditioning ignores the level it is read at: not said.
    expect(settingsText(langevin, false)).toBe('steps 1200 · step size 0.0123 (from the model)');
    expect(settingsText({ sigmas: [3.714, 1.2, 0.02761], steps: 100, stepSize: 0.18, denoise: true }, true)).toBe(
      'levels 3: 3.71 → 0.0276 · steps 100 per level · step size 0.18 · final denoising step',
    );
    expect(settingsText({ steps: 500, correctorSteps: 0, snr: 0.16, denoise: false }, true)).toBe('steps 500 · no final denoising step');
  });

  it('the Stein check is a verdict for plain Langevin only, and a warning when the chains have not settled', () => {
    expect(settledText(stein(0.04, true), true)).toMatchObject({ text: 'yes (0.04)', warn: false });
    expect(settledText(stein(0.31, false), true)).toMatchObject({ text: 'no (0.31)', warn: true });
    const other = settledText(stein(0.31, false), false);
    expect(other).toMatchObject({ text: 'n/a', warn: false });
    expect(other.title).toMatch(/not about convergence \(Stein residual 0\.310 ± 0\.020\)/);
  });

  it("the page reports the library's settings for the model (no page copies) and its Stein check", async () => {
    const core = await loadCore();
    const n = 2000,
      x = datasetSample(core, 'gmm3', core.rng(0), n);
    const trainer = new Trainer(core, { data: x.toArray(), rows: n, cols: 2 }, { loss: { name: 'dsm' }, hidden: [16, 16], steps: 300 });
    x.free();
    trainer.run(300);
    const posted: FromJob[] = [];
    sampleForView(core, trainer.model, { n: 256, seed: 1 }, { kind: 'builtin', name: 'gmm3' }, { run: 1, step: 300 }, (m) =>
      posted.push(m),
    );
    const done = posted.find((m) => m.type === 'sample-done');
    if (done?.type !== 'sample-done') throw new Error('no sample-done');
    expect(done.sampler).toBe('langevin');
    expect(done.settings).toEqual(samplerSettings(trainer.model, 'langevin', {}));
    expect(done.convergenceCheck).toBe(true);
    expect(Number.isFinite(done.stationarity.residual)).toBe(true);
    const start = posted[0];
    expect(start.type === 'sample-start' && start.steps).toBe(plannedSteps(trainer.model, 'langevin', {}));
    trainer.free();
  });
});
