import { describe, expect, it } from 'vitest';
import {
  defaultBatch,
  defaultBatchOf,
  defaultHidden,
  defaultSteps,
  defaultStepsOf,
  runDefaults,
  runFromFlags,
  runToTrainOptions,
  trainDefaults,
  type RunFlags,
} from '@scorefield/models';
import {
  cliCommand,
  defaults,
  describeChange,
  effectiveSampler,
  fixedLadder,
  objectiveSpec,
  readRunFlag,
  runFields,
  runOf,
  runStates,
  samplerAvailability,
  stepsOf,
  batchOf,
  type AppState,
} from './state.js';

const base = (): AppState => ({ ...defaults });

/** The flags of `scorefield train` arguments, as the CLI reads them (the verb, --out and the file's name aside). */
function flagsOfCommand(command: string): RunFlags {
  const words = command.split(' ').slice(2);
  const flags: Record<string, string> = {};
  for (let i = 0; i < words.length; i += 2) flags[words[i].replace(/^--/, '')] = words[i + 1];
  delete flags.out;
  return flags;
}

/** States that touch every run field the page sets. */
const states: AppState[] = [
  { ...base(), loss: 'esm', kind: 'energy' },
  { ...base(), loss: 'ssm', projection: 'rademacher', slices: 4 },
  { ...base(), loss: 'ssm-vr', projection: 'sphere', slices: 2 },
  { ...base(), loss: 'dsm', sigma: 0.25, conditioning: 'scale' },
  { ...base(), loss: 'dsm', sigma: 1e-7 },
  { ...base(), loss: 'ncsn', ladder: { schedule: 'cosine', max: 2, min: 0.02, levels: 7 } },
  { ...base(), loss: 'ncsn' },
  { ...base(), loss: 'continuous', sde: 'vp', conditioning: 'embed' },
  { ...base(), loss: 'continuous', sde: 've', sdeSigmaMax: 50, sdeSigmaMin: 0.05, ema: 0.99 },
  { ...base(), loss: 'continuous', sde: 've', sdeSigmaMin: 0.05, ema: 0 },
  { ...base(), data: 'moons', dataSize: 5000, hidden: [32, 32], activation: 'tanh', lr: 5e-4, batch: 64, seed: 3, steps: 200 },
];

describe('the run of a state (RunSpec)', () => {
  it("the defaults are RunSpec's: the CLI's default run", () => {
    expect(runOf(defaults)).toEqual(runDefaults);
    // Noise levels, steps and the EMA are the library's: chosen from the data, the objective's steps.
    expect(objectiveSpec(defaults)).toEqual({ name: 'continuous', sde: 've' });
    expect(stepsOf(defaults)).toBe(defaultStepsOf.conditionalLowDim); // the page's data are 2-D
    expect(stepsOf({ ...defaults, loss: 'dsm' })).toBe(defaultStepsOf.dsm);
    expect(stepsOf({ ...defaults, loss: 'ssm-vr' })).toBe(defaultStepsOf.unconditional);
    expect([batchOf(defaults), batchOf({ ...defaults, loss: 'dsm' })]).toEqual([defaultBatchOf.conditionalLowDim, defaultBatchOf.other]);
    expect(defaults.ema).toBe(trainDefaults.ema);
  });

  it.each(states.map((s, i) => [i, s] as const))('state %i: its run fields come back from its RunSpec', (_, s) => {
    expect({ ...defaults, ...runFields(runOf(s)) }).toEqual(s);
  });

  it.each(states.map((s, i) => [i, s] as const))('state %i: the CLI command trains what the worker trains', (_, s) => {
    // The worker's options are runToTrainOptions(runOf(s)); the CLI's are those of the flags it is given.
    const command = cliCommand(s)!;
    expect(runToTrainOptions(runFromFlags(flagsOfCommand(command)))).toEqual(runToTrainOptions(runOf(s)));
    expect(command.endsWith(' --out model.safetensors')).toBe(true);
  });

  it('builds the objective exactly as the CLI flags do', () => {
    expect(objectiveSpec({ ...base(), loss: 'ssm' })).toEqual({ name: 'ssm', projection: 'gaussian', slices: 1 });
    expect(JSON.stringify(objectiveSpec({ ...base(), loss: 'continuous' }))).toBe('{"name":"continuous","sde":"ve"}');
    expect(objectiveSpec({ ...base(), loss: 'ncsn' })).toEqual({ name: 'ncsn' });
    const ncsn = objectiveSpec({ ...base(), loss: 'ncsn', ladder: fixedLadder });
    expect(ncsn.name === 'ncsn' && ncsn.sigmas?.length).toBe(10);
    expect(ncsn.name === 'ncsn' && ncsn.sigmas?.[0]).toBe(1);
    expect(objectiveSpec({ ...base(), loss: 'continuous', sdeSigmaMax: 40 })).toEqual({ name: 'continuous', sde: 've', sigmaMax: 40 });
    // VP has a beta schedule: no sigma max/min.
    expect(objectiveSpec({ ...base(), loss: 'continuous', sde: 'vp', sdeSigmaMax: 40 })).toEqual({ name: 'continuous', sde: 'vp' });
  });

  it("prints the CLI command in the CLI's order, only what differs from the defaults", () => {
    expect(cliCommand({ ...base(), hidden: [32, 32], seed: 3, steps: 200 })).toBe(
      'scorefield train --data 8gaussians --loss continuous --hidden 32,32 --steps 200 --seed 3 --out model.safetensors',
    );
    expect(cliCommand(base(), 'a.safetensors')).toBe('scorefield train --data 8gaussians --loss continuous --out a.safetensors');
    expect(cliCommand({ ...base(), loss: 'ncsn', kind: 'energy' })).toContain('--loss ncsn --model energy --out');
    expect(cliCommand({ ...base(), loss: 'ncsn', ladder: fixedLadder })).toContain('--loss ncsn --sigmas geometric:1:0.01:10 --out');
    // dsm's default schedule runs over a fixed length; a page run has none, so it trains at a constant rate and says so.
    expect(cliCommand({ ...base(), loss: 'dsm', sigma: 0.2, ema: 0 })).toContain('--loss dsm --sigma 0.2 --lr-decay none --ema 0 --out');
    expect(runToTrainOptions(runOf({ ...base(), loss: 'dsm' })).lrDecay).toBe('none');
    expect(runToTrainOptions(runOf(base())).lrDecay).toBeUndefined();
    expect(cliCommand({ ...base(), loss: 'continuous', sdeSigmaMin: 0.05 })).toContain('--loss continuous --sigma-min 0.05 --out');
    // Options of another objective or of the VE SDE stay in the state but not on the command line.
    expect(cliCommand({ ...base(), loss: 'continuous', sde: 'vp', sdeSigmaMax: 4, sigma: 0.2 })).toContain(
      '--loss continuous --sde vp --out',
    );
    expect(cliCommand({ ...base(), data: 'drawn' })).toBeNull();
    expect(cliCommand({ ...base(), data: 'file' })).toBeNull();
    // A loaded file by its name (quoted for the shell), without --data-size (nothing is drawn from a file).
    expect(cliCommand({ ...base(), data: 'file', dataSize: 500 }, 'model.safetensors', "my ring's.csv")).toBe(
      "scorefield train --data 'my ring'\\''s.csv' --loss continuous --out model.safetensors",
    );
  });

  it("reads a value by RunSpec's rules, then the page's limits", () => {
    expect(readRunFlag('seed', '7')).toMatchObject({ run: { seed: 7 } });
    expect(readRunFlag('seed', '0x10')).toEqual({ problem: "expected an integer between 0 and 4294967295, got '0x10'" });
    expect(readRunFlag('sigma', '0.1', { loss: 'esm' })).toEqual({ problem: '--sigma applies to --loss dsm, not esm' });
    expect(readRunFlag('hidden', '2048')).toEqual({ problem: 'expected at most 8 comma-separated widths between 1 and 1024' });
    expect(readRunFlag('data-size', '1')).toEqual({ problem: 'expected an integer between 2 and 1000000' });
    expect(readRunFlag('data', 'ring.csv')).toMatchObject({ problem: expect.stringMatching(/^expected one of 8gaussians/) });
  });

  it('offers only the samplers that fit the model', () => {
    expect(samplerAvailability({ ...base(), loss: 'dsm' })).toMatchObject({
      langevin: null,
      annealed: expect.any(String),
      pc: expect.any(String),
      ode: expect.any(String),
      adaptive: expect.any(String),
      dpm: expect.any(String),
      'dpm-sde': expect.any(String),
    });
    expect(samplerAvailability({ ...base(), loss: 'ncsn' })).toMatchObject({
      annealed: null,
      pc: expect.any(String),
      dpm: expect.any(String),
    });
    expect(Object.values(samplerAvailability({ ...base(), loss: 'continuous' }))).toEqual([null, null, null, null, null, null, null]);
  });

  it('the sampler follows the model unless one that fits is chosen', () => {
    expect(effectiveSampler(base())).toBeUndefined();
    expect(effectiveSampler({ ...base(), loss: 'ncsn' })).toBeUndefined();
    expect(effectiveSampler({ ...base(), loss: 'ncsn', sampler: 'langevin' })).toBe('langevin');
    expect(effectiveSampler({ ...base(), loss: 'ncsn', sampler: 'annealed' })).toBe('annealed');
    // A chosen sampler that does not fit the model: the model's own, not Langevin.
    expect(effectiveSampler({ ...base(), loss: 'dsm', sampler: 'pc' })).toBeUndefined();
  });

  it('compare mode: a second run with its own objective and parametrization, the rest shared', () => {
    const s: AppState = { ...base(), seed: 7, loss: 'dsm', conditioning: 'scale', compare: { loss: 'esm', kind: 'energy' } };
    const [a, b] = runStates(s);
    expect(a).toMatchObject({ loss: 'dsm', kind: 'score', seed: 7, compare: null, conditioning: 'scale' });
    // esm cannot train a conditional model: the second run gets the default conditioning.
    expect(b).toMatchObject({ loss: 'esm', kind: 'energy', seed: 7, compare: null, conditioning: 'auto' });
    expect(runStates(base())).toHaveLength(1);
  });

  it('says what a change changed', () => {
    expect(describeChange(base(), { ...base(), seed: 4, lr: 0.003 })).toBe('lr 0.001 → 0.003, seed 0 → 4');
    expect(describeChange({ ...base(), loss: 'dsm' }, { ...base(), loss: 'ncsn' })).toBe(
      `loss dsm → ncsn, σ from the data → –, noise levels – → from the data, hidden ${defaultHidden(2)} → ` +
        `${defaultHidden(2, { name: 'ncsn' })}, batch 128 → ${defaultBatch({ name: 'ncsn' }, 2)}, ` +
        `steps target ${defaultSteps({ name: 'dsm' }, 2)} → ${defaultSteps({ name: 'ncsn' }, 2)}`,
    );
    expect(describeChange(base(), base())).toBe('reset');
  });
});
