import { beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from '@scorefield/core-math';
import { ScoreModel } from '../model.js';
import { sample } from './index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const model = (std: number[]) => ScoreModel.create(core, { dim: 2, hidden: [8], activation: 'silu' }, { mean: [0, 0], std }, 3);

describe('sampling never returns non-finite samples', () => {
  it('stops with the step named when the particles diverge', () => {
    const m = model([1, 1]);
    expect(() => sample(m, { n: 8, sampler: 'langevin', steps: 1000, stepSize: 1e30, seed: 0, progressEvery: 1 })).toThrow(
      /^sampling diverged \(non-finite particles\) at step \d+ of 1000; try a smaller step size$/,
    );
    m.free();
  });

  it('stops when particles finite in standardised units overflow float32 in data units', () => {
    const m = model([3e38, 1]);
    expect(() => sample(m, { n: 64, sampler: 'langevin', steps: 2, seed: 0 })).toThrow(
      /^sampling diverged at step \d+: particle \d+ \(0-based\) is -?Infinity in data units \(beyond float32\)$/,
    );
    m.free();
  });
});
