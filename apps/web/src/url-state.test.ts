import { describe, expect, it } from 'vitest';
import { runFromUrlState, runToCliArgs } from '@scorefield/models';
import { defaults, runOf, type AppState } from './state.js';
import { decodePoints, decodeState, encodePoints, encodeState, quantize } from './url-state.js';

const base = (): AppState => ({ ...defaults });

describe('URL state', () => {
  it('an empty hash is the defaults', () => {
    const { state, warnings, autorun } = decodeState('');
    expect(warnings).toEqual([]);
    expect(autorun).toBe(false);
    expect(state).toEqual(base());
  });

  it('round-trips every objective with its options, and the sampler and compare settings', () => {
    const states: AppState[] = [
      { ...base(), loss: 'esm', kind: 'energy' },
      { ...base(), loss: 'ssm', projection: 'rademacher', slices: 4 },
      { ...base(), loss: 'ssm-vr', projection: 'sphere', slices: 2 },
      { ...base(), loss: 'dsm', sigma: 0.25, conditioning: 'scale' },
      { ...base(), loss: 'dsm', sigma: 1e-7 },
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
      { ...base(), seed: 2 ** 32 - 1, steps: 10_000_000, hidden: [1024, 1, 2, 3, 4, 5, 6, 7] },
      { ...base(), sampler: 'langevin' },
      { ...base(), compare: { loss: 'ncsn', kind: 'energy' } },
    ];
    for (const s of states) {
      const link = encodeState(s);
      const d = decodeState(`#${link}`);
      expect(d.warnings).toEqual([]);
      expect(d.state).toEqual(s);
      expect(encodeState(d.state)).toBe(link);
      // The link's run is the one models reads from it (the same keys as `scorefield train`'s flags).
      expect(runToCliArgs(runFromUrlState(new URLSearchParams(link)))).toEqual(runToCliArgs(runOf(s)));
    }
  });

  it("writes the run under the flags' names, in the CLI's order, only what differs from the defaults", () => {
    expect(encodeState({ ...base(), hidden: [32, 32], seed: 3, steps: 200 })).toBe(
      'data=8gaussians&loss=continuous&hidden=32,32&steps=200&seed=3',
    );
    expect(
      encodeState({
        ...base(),
        loss: 'continuous',
        dataSize: 500,
        sdeSigmaMax: 4,
        conditioning: 'both',
        activation: 'tanh',
        particles: 20,
      }),
    ).toBe('data=8gaussians&data-size=500&loss=continuous&sigma-max=4&conditioning=both&activation=tanh&np=20');
    expect(encodeState({ ...base(), loss: 'ssm', projection: 'sphere', ladder: { schedule: 'linear', max: 1, min: 0.1, levels: 3 } })).toBe(
      'data=8gaussians&loss=ssm&projections=sphere',
    );
    expect(encodeState({ ...base(), loss: 'ncsn', ladder: { schedule: 'linear', max: 1, min: 0.1, levels: 3 } })).toBe(
      'data=8gaussians&loss=ncsn&sigmas=linear:1:0.1:3',
    );
    const s: AppState = { ...base(), seed: 7, compare: { loss: 'esm', kind: 'energy' } };
    expect(encodeState(s)).toBe('data=8gaussians&loss=continuous&seed=7&b.loss=esm&b.model=energy');
  });

  it('reads the keys of older links (n, proj, smax, smin, cond, act)', () => {
    const old = decodeState(
      '#data=moons&n=5000&loss=ssm&proj=rademacher&slices=4&model=energy&cond=none&hidden=32,32&act=tanh' +
        '&lr=0.0005&batch=64&seed=3&steps=200',
    );
    expect(old.warnings).toEqual([]);
    expect(old.state).toEqual({
      ...base(),
      data: 'moons',
      dataSize: 5000,
      loss: 'ssm',
      projection: 'rademacher',
      slices: 4,
      kind: 'energy',
      conditioning: 'none',
      hidden: [32, 32],
      activation: 'tanh',
      lr: 5e-4,
      batch: 64,
      seed: 3,
      steps: 200,
    });
    expect(encodeState(old.state)).toBe(
      'data=moons&data-size=5000&loss=ssm&projections=rademacher&slices=4&model=energy&conditioning=none&hidden=32,32&activation=tanh' +
        '&steps=200&batch=64&lr=0.0005&seed=3',
    );
    const sde = decodeState('#loss=continuous&sde=ve&smax=50&smin=0.05&cond=embed');
    expect(sde.warnings).toEqual([]);
    expect(sde.state).toMatchObject({ loss: 'continuous', sde: 've', sdeSigmaMax: 50, sdeSigmaMin: 0.05, conditioning: 'embed' });
    // The new key wins over the old one.
    expect(decodeState('#n=500&data-size=600').state.dataSize).toBe(600);
  });

  it('falls back to the default for each invalid value, with a warning naming it', () => {
    const d = decodeState('#data=nope&loss=dsm&sigma=-1&hidden=32,,32&seed=1.5&steps=0&act=relu&ema=1&lr=0x10&autorun=1');
    expect(d.state).toEqual({ ...base(), loss: 'dsm' });
    expect(d.autorun).toBe(true);
    expect(d.warnings.map((w: string) => w.split(':')[0])).toEqual([
      'ignored data=nope',
      'ignored sigma=-1',
      'ignored hidden=32,,32',
      'ignored act=relu',
      'ignored steps=0',
      'ignored lr=0x10',
      'ignored ema=1',
      'ignored seed=1.5',
    ]);
    expect(d.warnings[1]).toBe("ignored sigma=-1: expected a finite number > 0, got '-1'");
    // RunSpec's rules: a schedule's ends in order, options of the chosen loss only, the VE SDE's levels with ve only.
    const ncsn = decodeState('#loss=ncsn&sigmas=geometric:0.01:1:10&sigma=0.1');
    expect(ncsn.state).toEqual({ ...base(), loss: 'ncsn' });
    expect(ncsn.warnings).toEqual([
      'ignored sigma=0.1: --sigma applies to --loss dsm, not ncsn',
      'ignored sigmas=geometric:0.01:1:10: schedule geometric: need 0 < sigma_min < sigma_max, got max 0.01, min 1',
    ]);
    const vp = decodeState('#loss=continuous&sde=vp&smax=3&sigma-min=0.1');
    expect(vp.state).toEqual({ ...base(), loss: 'continuous', sde: 'vp' });
    expect(vp.warnings.map((w: string) => w.split(':')[0])).toEqual(['ignored smax=3', 'ignored sigma-min=0.1']);
    const ve = decodeState('#loss=continuous&sigma-max=1&sigma-min=2');
    expect(ve.state).toEqual({ ...base(), loss: 'continuous', sdeSigmaMax: 1 });
    expect(ve.warnings).toEqual(['ignored sigma-min=2: expected less than sigma-max (1)']);
    // The page's own limits, and flags of `scorefield train` the page does not set.
    const page = decodeState('#hidden=2048&data-size=1&lr-decay=cosine');
    expect(page.state).toEqual(base());
    expect(page.warnings.map((w: string) => w.split(':')[0])).toEqual([
      'ignored data-size=1',
      'ignored hidden=2048',
      'ignored lr-decay=cosine',
    ]);
    expect(decodeState('#b.loss=nope').warnings[0]).toMatch(/^ignored b\.loss=nope/);
  });

  it('refuses a conditioning the objective cannot train', () => {
    const d = decodeState('#loss=esm&conditioning=both');
    expect(d.state.conditioning).toBe('auto');
    expect(d.warnings[0]).toMatch(/esm trains an unconditional model/);
  });

  it('drawn points survive the URL bit for bit; a file cannot be linked', () => {
    const pts = Float32Array.from([0.1234, -2.5, Math.PI, 1e-4, -32.8, 7].map(quantize));
    expect(decodePoints(encodePoints(pts))).toEqual(pts);
    const pts4 = Float32Array.from([0.5, 0.25, -1, 2, 1.5, -0.75, 3, 3].map(quantize));
    const link = encodeState({ ...base(), data: 'drawn', points: pts4 });
    expect(link).toMatch(/^data=drawn&pts=[\w-]+&loss=continuous$/);
    const d = decodeState(`#${link}`);
    expect(d.state.data).toBe('drawn');
    expect(d.state.points).toEqual(pts4);
    expect(decodePoints('not*base64')).toBeNull();
    const f = decodeState('#data=file');
    expect(f.state.data).toBe('8gaussians');
    expect(f.warnings[0]).toMatch(/dropped file/);
  });

  it('the sampler follows the model unless the link names one', () => {
    expect(decodeState('#loss=ncsn').state.sampler).toBe('auto');
    expect(decodeState('#loss=ncsn&sampler=langevin').state.sampler).toBe('langevin');
  });
});
