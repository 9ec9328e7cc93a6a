import { describe, expect, it } from 'vitest';
import {
  cliCommand,
  defaults,
  describeChange,
  effectiveSampler,
  objectiveSpec,
  parseHidden,
  fixedLadder,
  runStates,
  samplerAvailability,
  stepsOf,
  type AppState,
} from './state.js';
import { defaultStepsOf, trainDefaults } from '@scorefield/models';
import { decodePoints, decodeState, encodePoints, encodeState, quantize } from './url-state.js';

const base = (): AppState => ({ ...defaults, hidden: [...defaults.hidden] });

describe('URL state', () => {
  it('an empty hash is the CLI defaults', () => {
    const { state, warnings, autorun } = decodeState('');
    expect(warnings).toEqual([]);
    expect(autorun).toBe(false);
    expect(state).toEqual(base());
    // Noise levels, steps and the EMA are the library's: chosen from the data, the objective's steps.
    expect(objectiveSpec(state)).toEqual({ name: 'dsm' });
    expect(stepsOf(state)).toBe(defaultStepsOf.unconditional);
    expect(stepsOf({ ...state, loss: 'ncsn' })).toBe(defaultStepsOf.conditional);
    expect(state.ema).toBe(trainDefaults.ema);
  });

  it('round-trips every objective with its options', () => {
    const states: AppState[] = [
      { ...base(), loss: 'esm', kind: 'energy' },
      { ...base(), loss: 'ssm', projection: 'rademacher', slices: 4 },
      { ...base(), loss: 'ssm-vr', projection: 'sphere', slices: 2 },
      { ...base(), loss: 'dsm', sigma: 0.25, conditioning: 'scale' },
      {
        ...base(),
        loss: 'ncsn',
        ladder: { schedule: 'cosine', max: 2, min: 0.02, levels: 7 },
        sampler: 'annealed',
        sampleSteps: 50,
        stepSize: 3e-5,
      },
      { ...base(), loss: 'ncsn' },
      { ...base(), loss: 'continuous', sde: 'vp', conditioning: 'embed', sampler: 'pc', particles: 500, sampleSeed: 9 },
      { ...base(), loss: 'continuous', sde: 've', sdeSigmaMax: 50, sdeSigmaMin: 0.05, ema: 0.99 },
      { ...base(), loss: 'continuous', sde: 've', sdeSigmaMin: 0.05, ema: 0 },
      { ...base(), data: 'moons', dataSize: 5000, hidden: [32, 32], activation: 'tanh', lr: 5e-4, batch: 64, seed: 3, steps: 200 },
      { ...base(), sampler: 'langevin' },
      { ...base(), compare: { loss: 'ncsn', kind: 'energy' } },
    ];
    for (const s of states) {
      const d = decodeState(`#${encodeState(s)}`);
      expect(d.warnings).toEqual([]);
      expect(d.state).toEqual(s);
      expect(encodeState(d.state)).toBe(encodeState(s));
    }
  });

  it('writes a readable hash', () => {
    expect(encodeState({ ...base(), hidden: [32, 32], seed: 3, steps: 200 })).toBe(
      'data=8gaussians&loss=dsm&model=score&hidden=32,32&act=silu&lr=0.001&batch=128&seed=3&steps=200',
    );
  });

  it('falls back to the default for each invalid value, with a warning naming it', () => {
    const d = decodeState(
      '#data=nope&loss=dsm&sigma=-1&hidden=32,,32&seed=1.5&steps=0&act=relu&sigmas=geometric:0.01:1:10&ema=1&autorun=1',
    );
    expect(d.state).toEqual(base());
    expect(d.autorun).toBe(true);
    expect(d.warnings.map((w: string) => w.split(':')[0])).toEqual([
      'ignored data=nope',
      'ignored sigma=-1',
      'ignored sigmas=geometric',
      'ignored hidden=32,,32',
      'ignored act=relu',
      'ignored seed=1.5',
      'ignored steps=0',
      'ignored ema=1',
    ]);
  });

  it('refuses a conditioning the objective cannot train', () => {
    const d = decodeState('#loss=esm&cond=both');
    expect(d.state.conditioning).toBe('auto');
    expect(d.warnings[0]).toMatch(/esm trains an unconditional model/);
  });

  it('drawn points survive the URL bit for bit; a file cannot be linked', () => {
    const pts = Float32Array.from([0.1234, -2.5, Math.PI, 1e-4, -32.8, 7].map(quantize));
    expect(decodePoints(encodePoints(pts))).toEqual(pts);
    const pts4 = Float32Array.from([0.5, 0.25, -1, 2, 1.5, -0.75, 3, 3].map(quantize));
    const d = decodeState(`#${encodeState({ ...base(), data: 'drawn', points: pts4 })}`);
    expect(d.state.data).toBe('drawn');
    expect(d.state.points).toEqual(pts4);
    expect(decodePoints('not*base64')).toBeNull();
    const f = decodeState('#data=file');
    expect(f.state.data).toBe('8gaussians');
    expect(f.warnings[0]).toMatch(/dropped file/);
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

  it('prints the equivalent CLI command (built-in data only)', () => {
    expect(cliCommand({ ...base(), hidden: [32, 32], seed: 3, steps: 200 })).toBe(
      'scorefield train --data 8gaussians --loss dsm --model score --hidden 32,32 --activation silu --steps 200 ' +
        '--batch 128 --lr 0.001 --seed 3 --out model.safetensors',
    );
    expect(cliCommand({ ...base(), loss: 'ncsn', kind: 'energy' })).toContain('--loss ncsn --model energy');
    expect(cliCommand({ ...base(), loss: 'ncsn', ladder: fixedLadder })).toContain('--loss ncsn --sigmas geometric:1:0.01:10 --model');
    expect(cliCommand({ ...base(), sigma: 0.2, ema: 0 })).toContain(
      '--sigma 0.2 --model score --hidden 128,128,128 --activation silu --batch 128 --lr 0.001 --ema 0 --seed 0',
    );
    expect(cliCommand({ ...base(), loss: 'continuous', sdeSigmaMin: 0.05 })).toContain('--sde ve --sigma-min 0.05 --model');
    expect(cliCommand({ ...base(), data: 'drawn' })).toBeNull();
  });

  it('offers only the samplers that fit the model', () => {
    expect(samplerAvailability(base())).toMatchObject({
      langevin: null,
      annealed: expect.any(String),
      pc: expect.any(String),
      ode: expect.any(String),
    });
    expect(samplerAvailability({ ...base(), loss: 'ncsn' })).toMatchObject({ annealed: null, pc: expect.any(String) });
    expect(Object.values(samplerAvailability({ ...base(), loss: 'continuous' }))).toEqual([null, null, null, null]);
  });

  it('the sampler follows the model unless one that fits is chosen', () => {
    expect(effectiveSampler(base())).toBeUndefined();
    expect(effectiveSampler({ ...base(), loss: 'ncsn' })).toBeUndefined();
    expect(effectiveSampler({ ...base(), loss: 'ncsn', sampler: 'langevin' })).toBe('langevin');
    expect(effectiveSampler({ ...base(), loss: 'ncsn', sampler: 'annealed' })).toBe('annealed');
    // A chosen sampler that does not fit the model: the model's own, not Langevin.
    expect(effectiveSampler({ ...base(), loss: 'dsm', sampler: 'pc' })).toBeUndefined();
    expect(decodeState('#loss=ncsn').state.sampler).toBe('auto');
  });

  it('compare mode: a second run with its own objective and parametrization, the rest shared', () => {
    const s: AppState = { ...base(), seed: 7, loss: 'dsm', conditioning: 'scale', compare: { loss: 'esm', kind: 'energy' } };
    const [a, b] = runStates(s);
    expect(a).toMatchObject({ loss: 'dsm', kind: 'score', seed: 7, compare: null, conditioning: 'scale' });
    // esm cannot train a conditional model: the second run gets the default conditioning.
    expect(b).toMatchObject({ loss: 'esm', kind: 'energy', seed: 7, compare: null, conditioning: 'auto' });
    expect(runStates(base())).toHaveLength(1);
    expect(encodeState(s)).toContain('&b.loss=esm&b.model=energy');
    expect(decodeState(`#${encodeState(s)}`).state.compare).toEqual({ loss: 'esm', kind: 'energy' });
    expect(decodeState('#b.loss=nope').warnings[0]).toMatch(/^ignored b\.loss=nope/);
  });

  it('says what a change changed', () => {
    expect(describeChange(base(), { ...base(), seed: 4, lr: 0.003 })).toBe('lr 0.001 → 0.003, seed 0 → 4');
    expect(describeChange(base(), { ...base(), loss: 'ncsn' })).toBe(
      'loss dsm → ncsn, σ from the data → –, noise levels – → from the data, steps target 3000 → 10000',
    );
    expect(describeChange(base(), base())).toBe('reset');
  });

  it('parses hidden widths', () => {
    expect(parseHidden('128,128,128')).toEqual([128, 128, 128]);
    expect(parseHidden('0')).toBeNull();
    expect(parseHidden('')).toBeNull();
    expect(parseHidden('3.5')).toBeNull();
  });
});
