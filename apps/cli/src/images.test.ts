import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@scorefield/datasets';
import { encodeNpy } from '@scorefield/formats';
import { cli } from '../test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sf-images-'));
const model = join(dir, 'mnist14.safetensors');

/** An IDX file of unsigned bytes with these dimensions. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, dims.length]);
  dims.forEach((n, i) => view.setUint32(4 + 4 * i, n));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('images: --data mnist, the stored shape, and every verb on an image model (14x14, few steps)', () => {
  beforeAll(async () => {
    const r = await cli(
      'train',
      '--data',
      'mnist',
      '--image-size',
      '14',
      '--loss',
      'ncsn',
      '--steps',
      '30',
      '--hidden',
      '32,32',
      '--quiet',
      '--json',
      '--out',
      model,
    );
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('train stores the image shape and chooses the defaults from the dimension', async () => {
    const meta = JSON.parse(new TextDecoder().decode(readFileSync(model)).slice(8).split('}}')[0].concat('}}'));
    expect(JSON.parse(meta.__metadata__.image)).toEqual({ width: 14, height: 14 });
    const norm = JSON.parse(meta.__metadata__.normalization);
    // one mean and std over all pixels (images), not one per pixel
    expect(new Set(norm.std).size).toBe(1);
    const loss = JSON.parse(meta.__metadata__.loss);
    // sigma_L per coordinate from the nearest neighbour in 196 dimensions: far below the 2-D rule's 4 x NN
    expect(loss.sigmas.at(-1)).toBeLessThan(0.2);
    expect(loss.sigmas[0] / loss.sigmas.at(-1)).toBeGreaterThan(100);
    const r = await cli(
      'train',
      '--data',
      'mnist',
      '--image-size',
      '14',
      '--loss',
      'dsm',
      '--steps',
      '1',
      '--quiet',
      '--json',
      '--out',
      join(dir, 'w.safetensors'),
    );
    expect(JSON.parse(r.stdout).hidden).toEqual([256, 256, 256]);
    expect(JSON.parse(r.stdout).image).toEqual({ width: 14, height: 14 });
  }, 60_000);

  it('plot --kind grid draws data and samples in the stored shape', async () => {
    const data = join(dir, 'data.svg');
    const r = await cli('plot', '--kind', 'grid', '--model', model, '--data', 'mnist', '--n', '10', '--out', data);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('grid of 10 14x14 images (data: mnist)');
    const svg = readFileSync(data, 'utf8');
    expect(svg.match(/<image /g)?.length).toBe(10);
    expect(svg).toContain('0 · 1.00'); // the classifier's caption of the first digit, a 0
    const png = join(dir, 'samples.png');
    const s = await cli('plot', '--kind', 'grid', '--model', model, '--n', '4', '--out', png);
    expect(s.code, s.stderr).toBe(0);
    expect([...readFileSync(png).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  }, 120_000);

  it('sample --mask top keeps the top half of held-out digits and samples the bottom half', async () => {
    const out = join(dir, 'masked.csv');
    const r = await cli('sample', '--model', model, '--mask', 'top', '--n', '3', '--steps', '2', '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => /^[-\d]/.test(l)) // after the header
      .map((l) => l.split(',').map(Number));
    expect(rows).toHaveLength(3);
    const test = await loadMnist({ split: 'test', imageSize: 14, limit: 3 });
    rows.forEach((row, i) => {
      expect(row.length).toBe(196);
      for (let k = 0; k < 98; k++) expect(row[k]).toBeCloseTo(test.data[i * 196 + k], 6);
      expect(row.slice(98).some((v, k) => Math.abs(v - test.data[i * 196 + 98 + k]) > 1e-3)).toBe(true);
    });
  }, 60_000);

  it('eval reports KID beside its floor, class coverage beside the test digits, and memorisation', async () => {
    const samples = join(dir, 'test-as-samples.csv');
    const test = await loadMnist({ split: 'test', imageSize: 14, limit: 100 });
    const lines = Array.from({ length: 100 }, (_, i) => Array.from(test.data.subarray(i * 196, (i + 1) * 196)).join(','));
    writeFileSync(samples, `${lines.join('\n')}\n`);
    const r = await cli('eval', '--model', model, '--samples', samples, '--json');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    // real held-out digits as "samples": KID near its floor, top probability as the test digits', every class present
    expect(Math.abs(m.kid.value)).toBeLessThan(0.15); // N(0, 0.3^2) noise on every pixel: 0.6 (datasets README)
    expect(m.classCoverage.topProbabilityRatio).toBeGreaterThan(0.95);
    expect(m.classCoverage.minFraction).toBeGreaterThan(0.05);
    expect(m.memorisation.ratio).toBeGreaterThan(0.7);
    const text = await cli('eval', '--model', model, '--samples', samples);
    expect(text.stdout).toMatch(/KID .* \| floor \(train vs held-out\)/);
  }, 120_000);

  it('eval --data <file> --labels --train: the same metrics as the built-in reference when the files hold it', async () => {
    // MNIST's 14x14 test and train splits written as files (float32 .npy, exactly the loader's values), the labels as
    // an IDX file of bytes and as a one-column CSV: every metric must equal the built-in reference's, bit for bit.
    const [test, train] = await Promise.all([loadMnist({ split: 'test', imageSize: 14 }), loadMnist({ split: 'train', imageSize: 14 })]);
    const files = {
      heldOut: join(dir, 'held-out.npy'),
      train: join(dir, 'train.npy'),
      labelsIdx: join(dir, 'held-out-labels-idx1-ubyte'),
      labelsCsv: join(dir, 'held-out-labels.csv'),
      samples: join(dir, 'samples.npy'),
    };
    writeFileSync(files.heldOut, encodeNpy(test));
    writeFileSync(files.train, encodeNpy(train));
    writeFileSync(files.labelsIdx, idx([test.rows], test.labels));
    writeFileSync(files.labelsCsv, `${Array.from(test.labels).join('\n')}\n`);
    // "Samples": 60 test digits of classes 0-5 only, so class shares, KID and memorisation all differ from zero.
    const picked = Array.from({ length: 60 }, (_, i) => i + 4 * Math.floor(i / 6)).map((r) => test.data.subarray(r * 196, (r + 1) * 196));
    expect(picked.every((_, i) => test.labels[i + 4 * Math.floor(i / 6)] < 6)).toBe(true);
    writeFileSync(files.samples, encodeNpy({ data: Float32Array.from(picked.flatMap((row) => Array.from(row))), rows: 60, cols: 196 }));
    const evalJson = async (...extra: string[]) => {
      const r = await cli('eval', '--model', model, '--samples', files.samples, '--json', ...extra);
      expect(r.code, r.stderr).toBe(0);
      const { model: _model, data, reference, ...metrics } = JSON.parse(r.stdout);
      expect(reference).toBe(data);
      return { data, metrics };
    };
    const builtIn = await evalJson();
    expect(builtIn.data).toBe('mnist test split');
    // classes 6-9 (almost) absent from the samples' class shares
    expect(builtIn.metrics.classCoverage.fractions.slice(6).reduce((a: number, b: number) => a + b)).toBeLessThan(0.05);
    for (const labels of [files.labelsIdx, files.labelsCsv]) {
      const fromFiles = await evalJson('--data', files.heldOut, '--labels', labels, '--train', files.train);
      expect(fromFiles.data).toBe(files.heldOut);
      expect(fromFiles.metrics).toEqual(builtIn.metrics);
    }
    // A different reference gives different metrics: the labels and the training images are read, not ignored.
    const firstHalf = join(dir, 'train-half.npy');
    writeFileSync(firstHalf, encodeNpy({ data: train.data.subarray(0, 4500 * 196), rows: 4500, cols: 196 }));
    const half = await evalJson('--data', files.heldOut, '--labels', files.labelsCsv, '--train', firstHalf);
    expect(half.metrics.memorisation).not.toEqual(builtIn.metrics.memorisation);
    const shifted = join(dir, 'shifted-labels.csv');
    writeFileSync(shifted, `${Array.from(test.labels, (c) => (c + 1) % 10).join('\n')}\n`);
    const relabelled = await evalJson('--data', files.heldOut, '--labels', shifted, '--train', files.train);
    expect(relabelled.metrics.classCoverage.heldOutLabelShares).toEqual([
      ...builtIn.metrics.classCoverage.heldOutLabelShares.slice(9),
      ...builtIn.metrics.classCoverage.heldOutLabelShares.slice(0, 9),
    ]);
    // Bad reference files: one line, exit 2.
    const refused = async (argv: string[], pattern: RegExp) => {
      const r = await cli('eval', '--model', model, '--samples', files.samples, ...argv);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    const withData = ['--data', files.heldOut];
    await refused([...withData, '--labels', files.labelsIdx], /memorisation check needs the training images: give --train/);
    const short = join(dir, 'short-labels.csv');
    writeFileSync(short, '1\n2\n3\n');
    await refused(
      [...withData, '--labels', short, '--train', files.train],
      /--labels .*short-labels.csv: 3 labels for 997 images of --data/,
    );
    const eleven = join(dir, 'eleven.csv');
    writeFileSync(eleven, `${Array.from(test.labels, (c, i) => (i === 4 ? 11 : c)).join('\n')}\n`);
    await refused(
      [...withData, '--labels', eleven, '--train', files.train],
      /--labels .*eleven.csv: label 4 \(0-based\) is 11, not a class 0-9/,
    );
    const twoColumns = join(dir, 'two-columns.csv');
    writeFileSync(twoColumns, `${Array.from(test.labels, (c) => `${c},${c}`).join('\n')}\n`);
    await refused([...withData, '--labels', twoColumns, '--train', files.train], /expected one column of classes, found 2/);
    const labelImages = join(dir, 'label-images-idx3-ubyte');
    writeFileSync(labelImages, idx([test.rows, 1, 1], test.labels));
    await refused([...withData, '--labels', labelImages, '--train', files.train], /expected one label per image, found shape 997 x 1 x 1/);
    const byteTen = join(dir, 'ten-idx1-ubyte');
    writeFileSync(
      byteTen,
      idx(
        [test.rows],
        Uint8Array.from(test.labels, (c, i) => (i === 2 ? 10 : c)),
      ),
    );
    await refused([...withData, '--labels', byteTen, '--train', files.train], /label 10 at 2 is not a class 0-9/);
    const wide = join(dir, 'wide-train.npy');
    writeFileSync(wide, encodeNpy({ data: new Float32Array(4 * 784), rows: 4, cols: 784 }));
    await refused(
      [...withData, '--labels', files.labelsIdx, '--train', wide],
      /--train .*wide-train.npy: points have dimension 784, the model's 14x14 images 196/,
    );
  }, 180_000);

  it('animate: the sampling grid and one digit through the levels', async () => {
    for (const kind of ['sampling', 'denoise']) {
      const out = join(dir, `${kind}.gif`);
      const r = await cli('animate', '--kind', kind, '--model', model, '--n', '4', '--frames', '3', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out).subarray(0, 6).toString()).toBe('GIF89a');
    }
  }, 180_000);

  it('IDX files of images keep their shape; a CSV of 64 columns with constant columns trains (ncsn) with no flag', async () => {
    const images = idx(
      [20, 8, 8],
      Uint8Array.from({ length: 20 * 64 }, (_, i) => ((i * 37) % 251) * (i % 64 < 8 ? 0 : 1)),
    );
    const path = join(dir, 'small-idx3-ubyte');
    writeFileSync(path, images);
    const r = await cli('train', '--data', path, '--loss', 'dsm', '--steps', '2', '--quiet', '--json', '--out', join(dir, 'i.safetensors'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).image).toEqual({ width: 8, height: 8 });
    const csv = join(dir, 'wide.csv');
    const rows = Array.from({ length: 200 }, (_, i) =>
      Array.from({ length: 64 }, (_, k) => (k < 5 ? 0 : Math.round(16 * Math.abs(Math.sin(i * 0.7 + k * 1.3))))).join(','),
    );
    writeFileSync(csv, `${rows.join('\n')}\n`);
    // No --loss: above 4 dimensions the run's objective is ncsn (defaultLoss), its score network the mixture skip's.
    const w = await cli('train', '--data', csv, '--steps', '50', '--quiet', '--json', '--out', join(dir, 'wide.safetensors'));
    expect(w.code, w.stderr).toBe(0);
    const out = JSON.parse(w.stdout);
    expect(out.loss.name).toBe('ncsn');
    expect(out.conditioning).toBe('mixture');
    expect(out.dim).toBe(64);
    expect(Number.isFinite(out.finalLoss)).toBe(true);
    expect(out.noiseLevels.levels).toBeGreaterThan(2);
  }, 60_000);

  it('refuses with one line and writes nothing: another image size, esm at high dimension, labels missing, no shape', async () => {
    const refused = async (argv: string[], pattern: RegExp, out?: string) => {
      const r = await cli(...argv);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      if (out) expect(existsSync(out)).toBe(false);
    };
    const grid = join(dir, 'never.svg');
    await refused(
      ['plot', '--kind', 'grid', '--model', model, '--data', 'mnist', '--image-size', '28', '--out', grid],
      /unknown option|image-size/,
      grid,
    );
    const big = join(dir, 'big.csv');
    writeFileSync(big, `${Array.from({ length: 4 }, () => Array.from({ length: 784 }, () => 0.5).join(',')).join('\n')}\n`);
    await refused(
      ['plot', '--kind', 'grid', '--model', model, '--data', big, '--out', grid],
      /dimension 784, the model's images are 14x14/,
      grid,
    );
    const esm = join(dir, 'esm.safetensors');
    await refused(['train', '--data', big, '--loss', 'esm', '--out', esm], /esm at dimension 784: .*ssm-vr or dsm.*--force/, esm);
    const heldOut = join(dir, 'held-idx3-ubyte');
    writeFileSync(heldOut, idx([20, 14, 14], new Uint8Array(20 * 196)));
    await refused(['eval', '--model', model, '--data', heldOut, '--n', '20'], /class coverage needs the labels of .*--labels/);
    const twoD = /^scorefield eval: dataset gmm3 is 2-D, the model's 14x14 images 196: give --data mnist/;
    await refused(['eval', '--model', model, '--data', 'gmm3', '--n', '20'], twoD);
    const flat = join(dir, 'flat.safetensors');
    expect((await cli('train', '--data', '8gaussians', '--steps', '2', '--quiet', '--out', flat)).code).toBe(0);
    await refused(['plot', '--kind', 'grid', '--model', flat, '--out', grid], /draws image models; .* has no image shape/, grid);
    await refused(['sample', '--model', flat, '--mask', 'top', '--n', '2', '--out', join(dir, 'm.csv')], /has no image shape/);
  }, 120_000);
});
