import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../test/run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sf-cli-'));
const BIN = fileURLToPath(new URL('../bin/scorefield.js', import.meta.url));

describe('help and usage', () => {
  it('lists the commands and documents every verb', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const verb of ['train', 'sample', 'plot', 'datasets']) {
      expect(top.stdout).toContain(verb);
      const h = await cli(verb, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^scorefield ${verb}: `));
      expect(h.stdout).toContain('--json');
    }
    const train = (await cli('train', '--help')).stdout;
    expect(train).toMatch(
      /--steps <N>\s+Adam steps \(default: 15000 for ncsn and continuous in up to 4 dimensions, 10000 above, 6000 for dsm, 3000 otherwise/,
    );
    expect(train).toMatch(/--ema <M>\s+decay of the moving average of the weights .* \(default: 0\.999\)/);
    expect(train).toMatch(/--noise-levels <data\|fixed>/);
  });

  it('datasets lists every built-in dataset (also as JSON)', async () => {
    const r = await cli('datasets', '--json');
    const names = JSON.parse(r.stdout).datasets.map((d: { name: string }) => d.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '8gaussians',
        '2spirals',
        'checkerboard',
        'moons',
        'circles',
        'rings',
        'swissroll',
        'pinwheel',
        '25gaussians',
        'gmm3',
        'ncsn-mix',
        'mnist',
      ]),
    );
    const mnist = JSON.parse(r.stdout).datasets.find((d: { name: string }) => d.name === 'mnist');
    expect(mnist).toMatchObject({ exactScore: false, image: true });
    expect((await cli('datasets')).stdout).toMatch(/\nmnist +handwritten digits \(images\): 9,003 train and 997 held-out test digits/);
    const s = await cli('datasets', 'sample', 'mnist', '--out', join(tmp(), 'p.csv'));
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/mnist is an image set, not drawn by 'datasets sample': train, eval and plot read it as --data mnist/);
  });
});

let modelBytes: Buffer;
beforeAll(async () => {
  const dir = tmp();
  const r = await cli('train', '--data', 'gmm3', '--steps', '5', '--hidden', '8', '--quiet', '--out', join(dir, 'm.safetensors'));
  if (r.code !== 0) throw new Error(r.stderr);
  modelBytes = readFileSync(join(dir, 'm.safetensors'));
});

describe('bad input: one line, exit code 2, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'unknown command',
      ['trian'],
      /unknown command 'trian' \(did you mean train\?\); valid: train, sample, score, eval, plot, animate, datasets, bench, completion/,
    ],
    [
      'unknown flag',
      ['train', '--data', 'gmm3', '--stepz', '3'],
      /^scorefield train: Unknown option '--stepz' \(did you mean --steps\?\); see/,
    ],
    ['unknown flag, two letters swapped', ['sample', '--modle', 'm.safetensors'], /Unknown option '--modle' \(did you mean --model\?\)/],
    ['unknown flag, nothing close', ['train', '--data', 'gmm3', '--xyz', '3'], /Unknown option '--xyz'; see 'scorefield train --help'/],
    ['help of a misspelt verb', ['help', 'smaple'], /^scorefield help: unknown command 'smaple' \(did you mean sample\?\); valid/],
    ['stray argument', ['train', 'gmm3'], /Unexpected argument 'gmm3'/],
    [
      'unknown dataset',
      ['train', '--data', 'gmm4', '--out', 'OUT'],
      /unknown dataset 'gmm4' \(did you mean gmm3\?\); valid: 8gaussians, .*gmm3.*a file ending in \.csv/,
    ],
    [
      'unknown loss',
      ['train', '--data', 'gmm3', '--loss', 'mle', '--out', 'OUT'],
      /unknown loss 'mle'; valid: esm, ssm, ssm-vr, dsm, ncsn, continuous/,
    ],
    ['unknown model', ['train', '--data', 'gmm3', '--model', 'flow', '--out', 'OUT'], /unknown model 'flow'; valid: score, energy/],
    [
      'unknown activation',
      ['train', '--data', 'gmm3', '--activation', 'relu', '--out', 'OUT'],
      /unknown activation 'relu'; valid: silu, softplus, tanh, elu/,
    ],
    [
      'negative steps',
      ['train', '--data', 'gmm3', '--steps', '-1', '--out', 'OUT'],
      /--steps: expected an integer between 1 and 1000000000, got '-1'/,
    ],
    [
      'zero batch',
      ['train', '--data', 'gmm3', '--batch', '0', '--out', 'OUT'],
      /--batch: expected an integer between 1 and 1048576, got '0'/,
    ],
    ['bad hidden', ['train', '--data', 'gmm3', '--hidden', '128,,128', '--out', 'OUT'], /--hidden: expected comma-separated integers/],
    [
      'option of another loss',
      ['train', '--data', 'gmm3', '--loss', 'dsm', '--slices', '4', '--out', 'OUT'],
      /--slices applies to --loss ssm and ssm-vr, not dsm/,
    ],
    [
      'bad schedule',
      ['train', '--data', 'gmm3', '--loss', 'ncsn', '--sigmas', 'geometric:1:2:10', '--out', 'OUT'],
      /schedule geometric: need 0 < sigma_min < sigma_max, got max 1, min 2/,
    ],
    [
      'unknown schedule',
      ['train', '--data', 'gmm3', '--loss', 'ncsn', '--sigmas', 'cubic:1:0.1:10', '--out', 'OUT'],
      /unknown schedule 'cubic'; valid: geometric, linear, cosine/,
    ],
    [
      'unknown sde',
      ['train', '--data', 'gmm3', '--loss', 'continuous', '--sde', 'sub-vp', '--out', 'OUT'],
      /unknown sde 'sub-vp'; valid: ve, vp/,
    ],
    [
      'unknown projection',
      ['train', '--data', 'gmm3', '--loss', 'ssm', '--projections', 'cube', '--out', 'OUT'],
      /unknown projection 'cube'; valid: gaussian, rademacher, sphere/,
    ],
    [
      'conditioning on an exact loss',
      ['train', '--data', 'gmm3', '--loss', 'esm', '--conditioning', 'embed', '--out', 'OUT'],
      /esm trains an unconditional model; conditioning must be 'none', got 'embed'/,
    ],
    [
      'NaN sigma',
      ['train', '--data', 'gmm3', '--loss', 'dsm', '--sigma', 'nan', '--out', 'OUT'],
      /--sigma: expected a finite number > 0, got 'nan'/,
    ],
    // The verb once: 'scorefield train: --out ...', not 'scorefield train: train: --out ...'.
    ['missing --out', ['train', '--data', 'gmm3'], /^scorefield train: --out is required; see 'scorefield train --help'$/m],
    ['missing --data', ['train', '--out', 'OUT'], /^scorefield train: --data is required/],
    [
      "a library error naming the verb (the sampler's steps)",
      ['sample', '--model', 'DIR/m.safetensors', '--steps', '0', '--out', 'DIR/s.csv'],
      /^scorefield sample: steps must be an integer between 1 and 10000000, got 0$/m,
    ],
    ['wrong out extension', ['train', '--data', 'gmm3', '--out', 'DIR/model.json'], /expected a file ending in \.safetensors/],
    ['missing out folder', ['train', '--data', 'gmm3', '--out', 'DIR/nope/model.safetensors'], /folder .*nope does not exist/],
    ['missing data file', ['train', '--data', 'DIR/none.csv', '--out', 'OUT'], /none\.csv: no such file/],
    ['directory as data', ['train', '--data', 'DIR/folder.csv', '--out', 'OUT'], /folder\.csv: is a directory, expected a file/],
    ['ragged CSV', ['train', '--data', 'DIR/ragged.csv', '--out', 'OUT'], /ragged\.csv: line 3/],
    [
      'NaN in CSV',
      ['train', '--data', 'DIR/nan.csv', '--out', 'OUT'],
      /nan\.csv: line 2, column 1 \(0-based\): 'NaN' is not a finite number/,
    ],
    ['empty CSV', ['train', '--data', 'DIR/empty.csv', '--out', 'OUT'], /empty\.csv: the file is empty/],
    ['header-only CSV', ['train', '--data', 'DIR/header.csv', '--out', 'OUT'], /header\.csv: no data rows \(only a header\)/],
    ['truncated npy', ['train', '--data', 'DIR/bad.npy', '--out', 'OUT'], /bad\.npy: /],
    ['missing model', ['sample', '--model', 'DIR/none.safetensors', '--out', 'DIR/s.csv'], /none\.safetensors: no such file/],
    ['foreign model', ['sample', '--model', 'DIR/foreign.safetensors', '--out', 'DIR/s.csv'], /foreign\.safetensors: /],
    [
      'non-numeric cell',
      ['train', '--data', 'DIR/text.csv', '--out', 'OUT'],
      /text\.csv: line 3, column 0 \(0-based\): 'abc' is not a number/,
    ],
    [
      'infinite value',
      ['train', '--data', 'DIR/inf.csv', '--out', 'OUT'],
      /inf\.csv: line 1, column 1 \(0-based\): 'Infinity' is not a finite number/,
    ],
    [
      '1-D data where 2-D is expected',
      ['plot', '--model', 'DIR/m.safetensors', '--data', 'DIR/one.csv', '--out', 'DIR/f.svg'],
      /one\.csv: points have dimension 1, the model expects 2/,
    ],
    [
      'dimension that does not match the model',
      ['eval', '--model', 'DIR/m.safetensors', '--samples', 'DIR/three.csv'],
      /--samples .*three\.csv: points have dimension 3, the model 2/,
    ],
    ['truncated model', ['sample', '--model', 'DIR/cut.safetensors', '--out', 'DIR/s.csv'], /cut\.safetensors: /],
    ['foreign IDX', ['train', '--data', 'DIR/bad-idx3-ubyte', '--out', 'OUT'], /bad-idx3-ubyte: not an IDX file \(bad magic bytes\)/],
    [
      'absurd samples',
      ['sample', '--model', 'DIR/m.safetensors', '--n', '0', '--out', 'DIR/s.csv'],
      /--n: expected an integer between 1 and 100000000, got '0'/,
    ],
    [
      'unknown sampler',
      ['sample', '--model', 'DIR/m.safetensors', '--sampler', 'gibbs', '--out', 'DIR/s.csv'],
      /unknown sampler 'gibbs'; valid: langevin, annealed, pc, ode/,
    ],
    [
      'unknown langevin scheme',
      ['sample', '--model', 'DIR/m.safetensors', '--scheme', 'heun', '--out', 'DIR/s.csv'],
      /unknown langevin scheme 'heun'; valid: lm, euler/,
    ],
    [
      'unknown plot kind',
      ['plot', '--model', 'DIR/m.safetensors', '--kind', 'pie', '--out', 'DIR/f.svg'],
      /unknown plot kind 'pie'; valid: field, energy, density, samples, error, loss/,
    ],
    [
      'data that overflow single precision',
      ['train', '--data', 'DIR/huge.csv', '--out', 'OUT'],
      /huge\.csv: coordinate 0 \(0-based\) does not standardise \(mean .*, std Infinity\): its values are too large for single precision/,
    ],
    ['ema out of range', ['train', '--data', 'gmm3', '--ema', '1', '--out', 'OUT'], /--ema: expected a number in \[0, 1\), got '1'/],
    [
      'unknown noise-level source',
      ['train', '--data', 'gmm3', '--noise-levels', 'paper', '--out', 'OUT'],
      /unknown --noise-levels value 'paper'; valid: data, fixed/,
    ],
    [
      'sigma range of the VP SDE',
      ['train', '--data', 'gmm3', '--loss', 'continuous', '--sde', 'vp', '--sigma-max', '3', '--out', 'OUT'],
      /--sigma-max and --sigma-min apply to --sde ve/,
    ],
    [
      'sigma range of another loss',
      ['train', '--data', 'gmm3', '--loss', 'dsm', '--sigma-min', '0.1', '--out', 'OUT'],
      /--sigma-min applies to --loss continuous, not dsm/,
    ],
    [
      'denoise and no-denoise',
      ['sample', '--model', 'DIR/m.safetensors', '--denoise', '--no-denoise', '--out', 'DIR/s.csv'],
      /--denoise and --no-denoise contradict each other; give one/,
    ],
    [
      'bad samples extension',
      ['sample', '--model', 'DIR/none.safetensors', '--out', 'DIR/s.txt'],
      /expected a file ending in \.csv or \.npy/,
    ],
  ];

  it.each(cases)('%s', async (_name, argv, message) => {
    const dir = tmp();
    mkdirSync(join(dir, 'folder.csv'));
    writeFileSync(join(dir, 'ragged.csv'), 'x,y\n1,2\n3,4,5\n');
    writeFileSync(join(dir, 'nan.csv'), '1,2\n3,NaN\n');
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'header.csv'), 'x,y\n');
    writeFileSync(join(dir, 'bad.npy'), Buffer.from('\x93NUMPY\x01\x00v\x00{', 'latin1'));
    writeFileSync(join(dir, 'foreign.safetensors'), Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
    writeFileSync(join(dir, 'text.csv'), 'x,y\n1,2\nabc,4\n');
    writeFileSync(join(dir, 'inf.csv'), '1,Infinity\n3,4\n');
    writeFileSync(join(dir, 'one.csv'), '1\n2\n3\n');
    writeFileSync(join(dir, 'three.csv'), '1,2,3\n4,5,6\n');
    writeFileSync(join(dir, 'huge.csv'), '1e308,1\n-1.7e308,2\n3,4\n');
    writeFileSync(join(dir, 'bad-idx3-ubyte'), Buffer.from([1, 2, 8, 1, 0, 0, 0, 1, 5]));
    writeFileSync(join(dir, 'm.safetensors'), modelBytes);
    writeFileSync(join(dir, 'cut.safetensors'), modelBytes.subarray(0, modelBytes.length - 100));
    const args = argv.map((a) => a.replace('OUT', join(dir, 'model.safetensors')).replace('DIR', dir));
    const before = readdirSync(dir).sort();
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('train -> sample -> plot', () => {
  it('runs the whole path, with --json results and files that load', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors'),
      samples = join(dir, 's.csv'),
      fig = join(dir, 'f.svg');
    const t = await cli('train', '--data', 'gmm3', '--loss', 'dsm', '--steps', '200', '--hidden', '32,32', '--json', '--out', model);
    expect(t.code, t.stderr).toBe(0);
    const tr = JSON.parse(t.stdout);
    expect(tr).toMatchObject({
      out: model,
      data: 'gmm3',
      steps: 200,
      loss: { name: 'dsm', sigma: tr.noiseLevels.sigmaMin },
      ema: 0.999,
      notices: [],
      model: 'score',
      conditioning: 'none',
      hidden: [32, 32],
    });
    expect(tr.noiseLevels).toMatchObject({ levels: expect.any(Number), ratio: expect.any(Number), sigmaMax: expect.any(Number) });
    expect(Number.isFinite(tr.finalLoss)).toBe(true);
    expect(t.stderr).toMatch(/train \[#+\] 100% 200\/200 loss/);
    const s = await cli('sample', '--model', model, '--n', '50', '--steps', '20', '--json', '--out', samples);
    expect(s.code, s.stderr).toBe(0);
    const sr = JSON.parse(s.stdout);
    expect(sr).toMatchObject({ n: 50, dim: 2, sampler: 'langevin', settings: { steps: 20, stepFrom: 'model' } });
    expect(sr.stationarity).toMatchObject({ residual: expect.any(Number), settled: expect.any(Boolean) });
    const rows = readFileSync(samples, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(51); // header + 50 points
    const npy = join(dir, 's.npy');
    expect((await cli('sample', '--model', model, '--n', '7', '--steps', '2', '--out', npy)).code).toBe(0);
    expect(readFileSync(npy).subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const p = await cli('plot', '--model', model, '--samples', samples, '--grid', '10', '--json', '--out', fig);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ kind: 'field', samples: 50, data: 2000 });
    expect(readFileSync(fig, 'utf8')).toMatch(/^<svg/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    ['esm', 'energy', []],
    ['ssm', 'score', ['--projections', 'rademacher', '--slices', '2']],
    ['ssm-vr', 'energy', []],
    ['ncsn', 'energy', ['--sigmas', 'geometric:1:0.05:5']],
    ['continuous', 'score', ['--sde', 'vp']],
  ] as const)('trains --loss %s --model %s, then samples and plots it', async (loss, kind, extra) => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors'),
      fig = join(dir, 'f.svg');
    const t = await cli(
      'train',
      '--data',
      'gmm3',
      '--loss',
      loss,
      '--model',
      kind,
      ...extra,
      '--steps',
      '50',
      '--hidden',
      '16',
      '--json',
      '--out',
      model,
    );
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ loss: { name: loss }, model: kind });
    const s = await cli('sample', '--model', model, '--n', '20', '--steps', '5', '--out', join(dir, 's.csv'));
    expect(s.code, s.stderr).toBe(0);
    const p = await cli('plot', '--model', model, '--grid', '8', '--n', '20', '--out', fig);
    expect(p.code, p.stderr).toBe(0);
    const svg = readFileSync(fig, 'utf8');
    expect(svg).toMatch(kind === 'energy' ? /class="heat"/ : /class="field"/);
  });

  it('samples with every sampler; worker threads give the same bits as one thread; eval measures the model', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors');
    expect(
      (await cli('train', '--data', 'gmm3', '--loss', 'continuous', '--sde', 've', '--steps', '60', '--hidden', '16', '--out', model)).code,
    ).toBe(0);
    const files: Record<string, Buffer> = {};
    for (const [sampler, workers] of [
      ['pc', '1'],
      ['pc', '2'],
      ['ode', '2'],
      ['annealed', '2'],
      ['langevin', '2'],
    ]) {
      const out = join(dir, `${sampler}-${workers}.npy`);
      const r = await cli(
        'sample',
        '--model',
        model,
        '--sampler',
        sampler,
        '--n',
        '600',
        '--steps',
        '10',
        '--workers',
        workers,
        '--json',
        '--out',
        out,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ sampler, n: 600, workers: Number(workers) });
      files[`${sampler}-${workers}`] = readFileSync(out);
    }
    expect(files['pc-2'].equals(files['pc-1'])).toBe(true);
    const e = await cli('eval', '--model', model, '--n', '300', '--grid', '12', '--json');
    expect(e.code, e.stderr).toBe(0);
    const m = JSON.parse(e.stdout);
    expect(m.data).toBe('gmm3');
    expect(Object.keys(m.sampleDistances)).toEqual(['mmd2Median', 'slicedWasserstein', 'energyDistance']);
    // Every number of a noise-conditional model says at which sigma it reads it.
    const loss = JSON.parse(
      readFileSync(model)
        .subarray(8, 8 + Number(readFileSync(model).readBigUInt64LE(0)))
        .toString(),
    ).__metadata__.loss;
    expect(m.sigma).toBeCloseTo(JSON.parse(loss).sigmaMin, 3); // the SDE's sigma at t = eps
    expect(m.sigma).toBe(m.density.sigma);
    expect(m.smearing.mmd2).toMatchObject({ value: expect.any(Number), floor: expect.any(Number) });
    expect(m.smearing.inModeShare.floor).toBeGreaterThan(0.7);
    expect(m.scoreError.overall).toBeGreaterThan(0);
    expect(m.scoreError.sigma).toBe(m.sigma);
    expect(m.scoreError.levels.length).toBeGreaterThan(2);
    expect(m.modes.fractions).toHaveLength(3);
    expect(m.density).toMatchObject({ how: 'probability-flow ODE likelihood', nats: expect.any(Number), trueNats: expect.any(Number) });
    expect(m.density.bitsPerDim).toBeCloseTo(-m.density.nats / (2 * Math.LN2), 12);
    expect(m.gridDivergences.sigma).toBe(m.density.sigma);
    expect(m.gridDivergences.tv).toBeGreaterThanOrEqual(0);
    expect(m.gridDivergences.tv).toBeLessThanOrEqual(1);
  });

  it('keeps a constant column with a one-line notice, and prints the noise levels it chose from the data', async () => {
    const dir = tmp();
    const csv = join(dir, 'pixels.csv'),
      model = join(dir, 'm.safetensors');
    writeFileSync(csv, `a,b,c\n${Array.from({ length: 300 }, (_, i) => `${Math.sin(i)},0,${Math.cos(3 * i)}`).join('\n')}\n`);
    const t = await cli('train', '--data', csv, '--loss', 'ncsn', '--steps', '30', '--hidden', '8', '--out', model);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toContain(
      'scorefield train: data: coordinate 1 (0-based) is constant (value 0); kept with unit scale (samples hold it at that value)\n',
    );
    // The notice counts coordinates as --hold does: the index it names, pasted into --hold, holds that column (at 5
    // here, not its constant 0, so that holding any other column would show).
    const named = /coordinate (\d+) \(0-based\)/.exec(t.stderr)?.[1] ?? '';
    expect(named).toBe('1');
    const held = join(dir, 'held.csv'),
      inpainted = join(dir, 'inpainted.csv');
    writeFileSync(held, `a,b,c\n${Array.from({ length: 4 }, (_, i) => `${i},5,${-i}`).join('\n')}\n`);
    const h = await cli('sample', '--model', model, '--n', '4', '--steps', '3', '--hold', named, '--hold-from', held, '--out', inpainted);
    expect(h.code, h.stderr).toBe(0);
    const rows = readFileSync(inpainted, 'utf8').trim().split('\n').slice(1);
    expect(rows.map((r) => Number(r.split(',')[1]))).toEqual([5, 5, 5, 5]);
    expect(t.stdout).toMatch(
      /^noise levels from the data \(standardised units\): \d+ geometric levels [\d.]+ -> [\d.]+, ratio [\d.]+; trains ncsn \d+ levels/,
    );
    const s = await cli('sample', '--model', model, '--n', '20', '--steps', '3', '--json', '--out', join(dir, 's.csv'));
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).settings).toMatchObject({ steps: 3, denoise: true });
  });

  it('reads a noise-conditional energy model at its validated level, and says so in the picture and the report', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors'),
      fig = join(dir, 'd.svg');
    expect(
      (await cli('train', '--data', 'gmm3', '--loss', 'ncsn', '--model', 'energy', '--steps', '200', '--hidden', '16', '--out', model))
        .code,
    ).toBe(0);
    expect((await cli('plot', '--model', model, '--kind', 'density', '--out', fig)).code).toBe(0);
    expect(readFileSync(fig, 'utf8')).toMatch(/read at σ = [\d.]+ \(best log-likelihood of held-out points\)/);
    const e = await cli('eval', '--model', model, '--n', '300', '--grid', '12');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/noise-conditional model: scores are read at sigma [\d.]+ \(its smallest level\) unless named/);
    // Annealed Langevin ends at a small noise level by design: no settled verdict, as `sample` and the web page.
    expect(e.stdout).toContain('\nsamples drawn with annealed: Stein residual ');
    expect(e.stdout).toMatch(/ \(settled: n\/a, annealed does not end at a stationary chain\)\n/);
    expect(e.stdout).toMatch(
      /held-out log-likelihood \(exp\(-E\) normalised on a grid, at the level with the best held-out log-likelihood, sigma [\d.]+; data/,
    );
    expect(e.stdout).toMatch(
      /smearing \(samples \| data-vs-data floor\):\n {2}mmd2 standardised +-?[\d.e-]+ \| -?[\d.e-]+\n {2}in-mode share +[\d.]+ \| [\d.]+/,
    );
  });

  it('eval: the text and --json say the same (verdict, floors, reference, caveats)', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors'),
      csv = join(dir, 'd.csv');
    writeFileSync(csv, `a,b,c\n${Array.from({ length: 400 }, (_, i) => `${3 * Math.sin(i)},0,${Math.cos(3 * i)}`).join('\n')}\n`);
    const t = await cli('train', '--data', csv, '--loss', 'continuous', '--steps', '100', '--hidden', '8', '--quiet', '--out', model);
    expect(t.code, t.stderr).toBe(0);
    const j = await cli('eval', '--model', model, '--data', csv, '--n', '300', '--json');
    expect(j.code, j.stderr).toBe(0);
    const r = JSON.parse(j.stdout);
    // pc ends at a small noise level by design: no verdict (null) and the reason, as the text's n/a.
    expect(r.sampler.stationarity).toMatchObject({ settled: null, settledNotApplicable: 'pc does not end at a stationary chain' });
    for (const k of ['mmd2Median', 'slicedWasserstein', 'energyDistance'])
      expect(r.sampleDistances[k]).toEqual({ value: expect.any(Number), floor: expect.any(Number) });
    // The file's even rows against its odd rows; the model was trained on a file of that name: not held out.
    expect(r.reference).toEqual({ from: 'the even rows of d.csv', floorFrom: 'its 200 odd rows', heldOut: false });
    expect(r.density.caveat).toMatch(/^coordinate 1 \(0-based\) is constant in the data: .* degenerate axis/);
    const e = await cli('eval', '--model', model, '--data', csv, '--n', '300');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(
      /^\S+ on d\.csv: 300 samples \(model\) vs 200 reference points \(the even rows of d\.csv; its 200 odd rows give/,
    );
    expect(e.stdout).toContain('\nnote: the model was trained on a file named d.csv: these are its training points, not held out\n');
    expect(e.stdout).toMatch(/ \(settled: n\/a, pc does not end at a stationary chain\)\n/);
    const fmt = (v: number) => String(Number(v.toPrecision(4)));
    const ed = r.sampleDistances.energyDistance;
    expect(e.stdout).toContain(`\nsample distances (samples | data-vs-data floor):\n`);
    expect(e.stdout).toContain(`\n  energyDistance        ${fmt(ed.value)} | ${fmt(ed.floor)}\n`);
    expect(e.stdout).toContain('\nlog-likelihood of the reference points (probability-flow ODE likelihood');
    expect(e.stdout).toContain(`\n  caveat: ${r.density.caveat}\n`);
    // A negative unbiased estimate is explained where it is printed.
    const negative = [r.sampleDistances.mmd2Median, ed, r.smearing.mmd2].some((v) => v.value < 0 || v.floor < 0);
    expect(e.stdout.includes('unbiased estimates, 0 in expectation for samples of the data: a value can be below 0')).toBe(negative);
  });

  it("train's last progress line and its summary give the same loss, labelled as the mean of the last 100 steps", async () => {
    const dir = tmp();
    const t = await cli('train', '--data', 'gmm3', '--loss', 'dsm', '--steps', '300', '--hidden', '8', '--out', join(dir, 'm.safetensors'));
    expect(t.code, t.stderr).toBe(0);
    const last = t.stderr.trim().split('\n').pop()!;
    const progress = /^train \[#+\] 100% 300\/300 loss ([\d.]+) \(mean of last 100\) /.exec(last)?.[1];
    const summary = /, final loss ([\d.]+) \(mean of the last 100 steps\)\n$/.exec(t.stdout)?.[1];
    expect(progress, last).toBeDefined();
    expect(summary, t.stdout).toBe(progress);
  });

  it('train warns, even under --quiet, about too few points and huge values trained unscaled; standardised, 1e30 is fine', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors'),
      few = join(dir, 'few.csv'),
      huge = join(dir, 'huge.csv');
    writeFileSync(few, 'x,y\n1,2\n3,4\n5,7\n');
    const f = await cli('train', '--data', few, '--loss', 'dsm', '--steps', '20', '--hidden', '8', '--quiet', '--json', '--out', model);
    expect(f.code, f.stderr).toBe(0);
    const warning =
      'only 3 points: too few for a meaningful fit (under 100; the model learns these points, not the distribution they come from)';
    expect(f.stderr).toBe(`scorefield train: warning: ${warning}\n`);
    expect(JSON.parse(f.stdout).warnings).toEqual([warning]);
    writeFileSync(huge, `x,y\n${Array.from({ length: 200 }, (_, i) => `${1e30 * Math.sin(i)},${1e30 * Math.cos(3 * i)}`).join('\n')}\n`);
    const scaled = await cli('train', '--data', huge, '--loss', 'dsm', '--steps', '50', '--hidden', '8', '--quiet', '--out', model);
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(scaled.stderr).toBe('');
    const s = await cli('sample', '--model', model, '--n', '5', '--quiet', '--out', join(dir, 's.csv'));
    expect(s.code, s.stderr).toBe(0);
    const raw = ['--loss', 'dsm', '--steps', '50', '--hidden', '8', '--quiet', '--standardize', 'no', '--out', model];
    const unscaled = await cli('train', '--data', huge, ...raw);
    expect(unscaled.stderr).toMatch(
      /^scorefield train: warning: values up to 1\.0e\+30 are trained unscaled \(--standardize no\): their squares overflow float32/,
    );
  });

  it('warns when plain Langevin chains have not settled', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors');
    expect((await cli('train', '--data', 'gmm3', '--loss', 'esm', '--steps', '300', '--hidden', '16', '--out', model)).code).toBe(0);
    const r = await cli('sample', '--model', model, '--n', '512', '--steps', '5', '--step-size', '1e-4', '--out', join(dir, 's.csv'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^scorefield sample: warning: the chains have not settled: Stein residual [\d.]+ ± [\d.]+ along \(/m);
    // eval gives plain Langevin, whose chain should end at the model's law, a verdict.
    const e = await cli('eval', '--model', model, '--n', '300', '--grid', '12');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/\nsamples drawn with langevin: Stein residual [\d.]+ \((settled|NOT settled)\)\n/);
  });

  it('inpainting holds coordinates from a file; sample options are checked', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors'),
      held = join(dir, 'held.csv'),
      out = join(dir, 's.csv');
    expect((await cli('train', '--data', 'gmm3', '--loss', 'dsm', '--steps', '20', '--hidden', '8', '--out', model)).code).toBe(0);
    writeFileSync(held, `x,y\n${Array.from({ length: 5 }, (_, i) => `${i},0`).join('\n')}\n`);
    const r = await cli('sample', '--model', model, '--n', '5', '--steps', '5', '--hold', '0', '--hold-from', held, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    expect(rows).toEqual([0, 1, 2, 3, 4]);
    const bad = await cli('sample', '--model', model, '--n', '6', '--hold', '0', '--hold-from', held, '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--hold-from .*held\.csv: 5 points, expected --n 6/);
    const pc = await cli('sample', '--model', model, '--sampler', 'pc', '--out', out);
    expect(pc.code).toBe(2);
    expect(pc.stderr).toMatch(/this sampler needs a model trained with --loss continuous, not dsm/);
  });

  it('a diverging run exits 1 naming the step and leaves the previous model untouched', async () => {
    const dir = tmp();
    const model = join(dir, 'm.safetensors');
    writeFileSync(model, 'previous');
    const r = await cli('train', '--data', 'gmm3', '--loss', 'dsm', '--steps', '500', '--lr', '1e30', '--sigma', '1e-30', '--out', model);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/training diverged: loss is (NaN|Infinity) at step \d+/);
    expect(readFileSync(model, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['m.safetensors']);
  });

  it('the installed binary sets the exit code and prints one line', () => {
    const r = spawnSync(process.execPath, [BIN, 'train', '--data', 'gmm3', '--steps', '-1', '--out', 'x.safetensors'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(["scorefield train: --steps: expected an integer between 1 and 1000000000, got '-1'"]);
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
    expect(existsSync('x.safetensors')).toBe(false);
  });
});
