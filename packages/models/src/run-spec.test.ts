import { InputError, sigmaSchedule } from '@scorefield/core-math';
import { describe, expect, it } from 'vitest';
import {
  defaultLoss,
  runDefaults,
  runFromFlags,
  runFromUrlState,
  runObjective,
  runToCliArgs,
  runToFlags,
  runToTrainOptions,
  runToUrlState,
  type RunFlags,
  type RunSpec,
} from './run-spec.js';

// Runs that touch every field: each objective with its options, noise levels given and left to the data.
const runs: RunSpec[] = [
  { ...runDefaults },
  { ...runDefaults, data: 'gmm3', dataSize: 500, loss: 'esm', kind: 'energy', hidden: [16, 8], activation: 'tanh', steps: 200 },
  { ...runDefaults, loss: 'ssm', projection: 'rademacher', slices: 4, lr: 0.003, batch: 64, seed: 7 },
  { ...runDefaults, loss: 'ssm-vr', projection: 'sphere', slices: 2, lrDecay: 'cosine', clipGrad: 10 },
  { ...runDefaults, loss: 'dsm', sigma: 0.25, standardize: false, ema: 0, lrDecay: 'none' },
  { ...runDefaults, loss: 'ncsn', sigmas: 'geometric:1:0.01:10', conditioning: 'embed' },
  { ...runDefaults, loss: 'ncsn', noiseLevels: 'fixed', data: 'moons' },
  { ...runDefaults, loss: 'continuous', sde: 've', sigmaMax: 4, sigmaMin: 0.02, ema: 0.99 },
  { ...runDefaults, loss: 'continuous', sde: 'vp', conditioning: 'both', seed: 4_294_967_295 },
  { ...runDefaults, data: 'mnist', dataSize: 2000, imageSize: 14, loss: 'ncsn' },
];

const flagsOf = (run: RunSpec): RunFlags => Object.fromEntries(runToFlags(run));

describe('RunSpec', () => {
  it('a run that names no objective: the defaults continuous up to 4 dimensions, ncsn above', () => {
    expect([1, 2, 4].map(defaultLoss)).toEqual([runDefaults.loss, runDefaults.loss, runDefaults.loss]);
    expect(runDefaults.loss).toBe('continuous');
    expect([5, 64, 784].map(defaultLoss)).toEqual(['ncsn', 'ncsn', 'ncsn']);
  });

  it('no flags: the defaults', () => {
    expect(runFromFlags({})).toEqual(runDefaults);
    expect(runToCliArgs(runDefaults)).toEqual(['--data', '8gaussians', '--loss', 'continuous']);
  });

  it.each(runs.map((r, i) => [i, r] as const))('run %i survives the flags and the link unchanged', (_, run) => {
    expect(runFromFlags(flagsOf(run))).toEqual(run);
    const link = runToUrlState(run).toString();
    expect(runFromUrlState(new URLSearchParams(link))).toEqual(run);
  });

  it('writes only what differs from the defaults, and the options of the chosen loss only', () => {
    const run: RunSpec = { ...runDefaults, loss: 'continuous', sde: 'vp', sigma: 0.3, seed: 2 };
    expect(runToCliArgs(run)).toEqual(['--data', '8gaussians', '--loss', 'continuous', '--sde', 'vp', '--seed', '2']);
    // The VE SDE's levels are not written beside --sde vp (runFromFlags refuses them there).
    const vp: RunSpec = { ...runDefaults, loss: 'continuous', sde: 'vp', sigmaMax: 4, sigmaMin: 0.02 };
    expect(runToCliArgs(vp)).toEqual(['--data', '8gaussians', '--loss', 'continuous', '--sde', 'vp']);
    const digits: RunSpec = { ...runDefaults, data: 'mnist', dataSize: 2000, imageSize: 14, loss: 'ncsn' };
    expect(runToCliArgs(digits)).toEqual(['--data', 'mnist', '--data-size', '2000', '--image-size', '14', '--loss', 'ncsn']);
    expect(runFromFlags(flagsOf(vp))).toEqual({ ...runDefaults, loss: 'continuous', sde: 'vp' });
  });

  it("gives the trainer the CLI's objective: noise levels built from the schedule, or left to the data", () => {
    const ncsn = runFromFlags({ loss: 'ncsn', sigmas: 'geometric:1:0.01:10' });
    expect(runObjective(ncsn)).toEqual({ name: 'ncsn', sigmas: sigmaSchedule('geometric', 1, 0.01, 10) });
    expect(runObjective(runFromFlags({ loss: 'ncsn', sigmas: 'data' }))).toEqual({ name: 'ncsn' });
    expect(runObjective(runFromFlags({ loss: 'dsm', sigma: 'data' }))).toEqual({ name: 'dsm' });
    expect(runObjective(runFromFlags({ loss: 'continuous', sde: 'vp' }))).toEqual({ name: 'continuous', sde: 'vp' });
    const o = runToTrainOptions(runFromFlags({ loss: 'ssm-vr', slices: '3', hidden: '32,32', steps: '50', 'lr-decay': 'cosine' }));
    expect(o).toMatchObject({
      loss: { name: 'ssm-vr', projection: 'gaussian', slices: 3 },
      hidden: [32, 32],
      steps: 50,
      lrDecay: 'cosine',
    });
    expect('steps' in runToTrainOptions(runDefaults)).toBe(false); // the trainer's default for the objective
    // The schedule too (linear-tail for dsm): absent unless given, and then written back as given.
    expect('lrDecay' in runToTrainOptions(runFromFlags({ loss: 'dsm' }))).toBe(false);
    expect(runToCliArgs(runFromFlags({ loss: 'dsm', 'lr-decay': 'none' }))).toEqual([
      '--data',
      '8gaussians',
      '--loss',
      'dsm',
      '--lr-decay',
      'none',
    ]);
  });

  it.each([
    [{ loss: 'esm', sigma: '0.1' }, /--sigma applies to --loss dsm, not esm/],
    [{ loss: 'dsm', slices: '2' }, /--slices applies to --loss ssm and ssm-vr, not dsm/],
    [{ loss: 'nope' }, /loss/],
    [{ steps: '0x10' }, /--steps: expected an integer/],
    [{ steps: 'data' }, /--steps: expected an integer/],
    [{ ema: '1' }, /--ema: expected a number in \[0, 1\)/],
    [{ ema: '' }, /--ema/],
    [{ loss: 'continuous', sde: 'vp', 'sigma-max': '3' }, /apply to --sde ve/],
    [{ loss: 'ncsn', sigmas: 'geometric:1:0.01:1e9' }, /levels must be an integer/],
    [{ hidden: '32,,32' }, /--hidden/],
    [{ model: 'tree' }, /model/],
    [{ 'image-size': '7' }, /unknown --image-size '7'; valid: 14, 28/],
    [{ standardize: 'maybe' }, /--standardize/],
  ] as [RunFlags, RegExp][])('refuses %o with one line', (flags, message) => {
    expect(() => runFromFlags(flags)).toThrow(InputError);
    expect(() => runFromFlags(flags)).toThrow(message);
  });

  it('reads only its own keys from a link (the page keeps its view settings beside them)', () => {
    const params = new URLSearchParams('data=moons&loss=ncsn&particles=500&sampler=annealed');
    expect(runFromUrlState(params)).toEqual({ ...runDefaults, data: 'moons', loss: 'ncsn' });
  });
});
