// The published packages installed with npm from their tarballs in a folder outside the repo, used as a user
// would: the scorefield command through npx, and a script importing the libraries.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { publishedPackages } from './workspace.js';

const { dir } = inject('consumer');
const versionOf = (name: string) => publishedPackages().find((p) => p.manifest.name === name)!.manifest.version;
const npx = (...args: string[]) => execFileSync('npx', ['--no-install', ...args], { cwd: dir, encoding: 'utf8' });

describe('installed from the tarballs with npm', () => {
  it('npx scorefield --version prints the CLI package version', () => {
    expect(npx('scorefield', '--version').trim()).toBe(versionOf('@scorefield/cli'));
  });

  it('npx scorefield train writes a model file that records the real library version', async () => {
    npx(
      'scorefield',
      'train',
      '--data',
      '8gaussians',
      '--steps',
      '200',
      '--hidden',
      '32,32',
      '--seed',
      '0',
      '--out',
      'model.safetensors',
      '--quiet',
    );
    const { decodeSafetensors } = await import(join(dir, 'node_modules/@scorefield/formats/dist/index.js'));
    const { metadata } = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')), { source: 'model.safetensors' });
    expect(metadata.format).toBe('scorefield-model');
    expect(metadata.library_version).toBe(versionOf('@scorefield/models'));
    expect(JSON.parse(metadata.training).data).toBe('8gaussians');
  });

  it('a script uses every library: data, training, sampling, metrics, a figure, a file, tfjs tensors', () => {
    writeFileSync(
      join(dir, 'script.mjs'),
      `import { datasetSample, loadCore } from '@scorefield/core-math';
import { trainScoreModel, sampleLangevin, encodeModel, decodeModel } from '@scorefield/models';
import { sampleMetrics } from '@scorefield/metrics';
import { formatCsv } from '@scorefield/formats';
import { fieldPlot, gridPoints } from '@scorefield/plot';
import { fromScoreModel, tf } from '@scorefield/tfjs';

const core = await loadCore();
const data = datasetSample(core, 'gmm3', core.rng(0), 1000).toArray();
const { model } = trainScoreModel(core, { data, rows: 1000, cols: 2 }, { steps: 300, hidden: [32, 32], seed: 0 });
const threaded = await loadCore({ threads: 2 });
const twin = trainScoreModel(threaded, { data, rows: 1000, cols: 2 }, { steps: 300, hidden: [32, 32], seed: 0 }).model;
const threads = threaded.threads, sameBits = Buffer.from(encodeModel(twin)).equals(Buffer.from(encodeModel(model)));
await threaded.close();
const samples = sampleLangevin(model, { n: 300, steps: 300, stepSize: 1e-2, seed: 1 });
const metrics = sampleMetrics({ data: samples, rows: 300, cols: 2 }, { data, rows: 1000, cols: 2 });
const again = decodeModel(core, encodeModel(model), 'model.safetensors');
const grid = gridPoints([-4, 4], [-4, 4], 5, 5);
const field = { points: grid, vectors: model.score({ data: grid, rows: 25, cols: 2 }) };
const svg = fieldPlot({ title: 'gmm3', xRange: [-4, 4], yRange: [-4, 4], field, data, samples });
const t = fromScoreModel(model);
const s = t.score(tf.tensor2d(data.subarray(0, 20), [10, 2])).dataSync();
const same = model.score({ data: data.subarray(0, 20), rows: 10, cols: 2 });
console.log(JSON.stringify({
  build: core.build, threads, sameBits, mmd: metrics.mmd2Median,
  csv: formatCsv({ data: samples.subarray(0, 2), rows: 1, cols: 2 }).split('\\n')[0],
  roundTrip: Array.from(again.score({ data, rows: 1000, cols: 2 })).every((v, i) => v === model.score({ data, rows: 1000, cols: 2 })[i]),
  svg: svg.startsWith('<svg'), tfjs: Math.max(...Array.from(s, (v, i) => Math.abs(v - same[i]))),
}));
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ['script.mjs'], { cwd: dir, encoding: 'utf8' }));
    expect(out.build).toBe('simd');
    expect(out.threads).toBe(2);
    expect(out.sameBits).toBe(true);
    expect(out.mmd).toBeLessThan(0.05);
    expect(out.csv).toBe('x0,x1');
    expect(out.roundTrip).toBe(true);
    expect(out.svg).toBe(true);
    expect(out.tfjs).toBeLessThan(1e-3);
  });
});
