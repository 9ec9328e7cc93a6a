import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@scorefield/datasets';
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

  it('animate: the sampling grid and one digit through the levels', async () => {
    for (const kind of ['sampling', 'denoise']) {
      const out = join(dir, `${kind}.gif`);
      const r = await cli('animate', '--kind', kind, '--model', model, '--n', '4', '--frames', '3', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out).subarray(0, 6).toString()).toBe('GIF89a');
    }
  }, 180_000);

  it('IDX files of images keep their shape; a CSV of 64 columns with constant columns trains with ncsn and no other flag', async () => {
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
    const w = await cli(
      'train',
      '--data',
      csv,
      '--loss',
      'ncsn',
      '--steps',
      '50',
      '--quiet',
      '--json',
      '--out',
      join(dir, 'wide.safetensors'),
    );
    expect(w.code, w.stderr).toBe(0);
    const out = JSON.parse(w.stdout);
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
    const flat = join(dir, 'flat.safetensors');
    expect((await cli('train', '--data', '8gaussians', '--steps', '2', '--quiet', '--out', flat)).code).toBe(0);
    await refused(['plot', '--kind', 'grid', '--model', flat, '--out', grid], /draws image models; .* has no image shape/, grid);
    await refused(['sample', '--model', flat, '--mask', 'top', '--n', '2', '--out', join(dir, 'm.csv')], /has no image shape/);
  }, 120_000);
});
