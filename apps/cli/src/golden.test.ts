import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors, parseNpy } from '@scorefield/formats';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';

/**
 * The same seed gives the same model and the same samples as the files in test/golden, written by the
 * CLI before the refactors of the seams issue (see test/golden/README.md). Every setting that later
 * became data-driven is spelled out, so changes of defaults do not move these runs.
 */
const GOLDEN = fileURLToPath(new URL('../test/golden/', import.meta.url));
// --ema 0 saves the last weights, as before the moving average became the default; --batch 128 and --conditioning both
// are the batch and conditioning of noise-conditional score models before their low-dimensional defaults (256, precond);
// --lr-decay none the constant rate of dsm before its linear-tail default.
const small = ['--hidden', '16,16', '--steps', '200', '--data-size', '500', '--ema', '0', '--quiet'];
const models: Record<string, string[]> = {
  'dsm-score': ['--data', 'gmm3', '--loss', 'dsm', '--sigma', '0.1', '--model', 'score', '--seed', '3', '--lr-decay', 'none'],
  'ncsn-energy': [
    '--data',
    '8gaussians',
    '--loss',
    'ncsn',
    '--sigmas',
    'geometric:1:0.01:10',
    '--model',
    'energy',
    '--seed',
    '4',
    '--batch',
    '128',
  ],
  've-score': [
    ...['--data', 'moons', '--loss', 'continuous', '--sde', 've', '--noise-levels', 'fixed', '--model', 'score', '--seed', '5'],
    ...['--conditioning', 'both', '--batch', '128'],
  ],
  'vp-energy': ['--data', 'moons', '--loss', 'continuous', '--sde', 'vp', '--model', 'energy', '--seed', '5'],
  'ssmvr-energy': [
    ...['--data', 'checkerboard', '--loss', 'ssm-vr', '--projections', 'rademacher', '--slices', '2', '--model', 'energy', '--seed', '6'],
  ],
  'esm-score': ['--data', '2spirals', '--loss', 'esm', '--model', 'score', '--seed', '7', '--lr-decay', 'cosine', '--clip-grad', '10'],
  'ssm-score': ['--data', 'gmm3', '--loss', 'ssm', '--model', 'score', '--seed', '8'],
};
const samples: Record<string, [string, string[]]> = {
  'dsm-score.langevin': [
    'dsm-score',
    ['--sampler', 'langevin', '--steps', '100', '--step-size', '1e-3', '--no-denoise', '--scheme', 'euler'],
  ],
  'ncsn-energy.annealed': ['ncsn-energy', ['--sampler', 'annealed', '--steps', '10', '--step-size', '1e-5', '--no-denoise']],
  've-score.pc': ['ve-score', ['--sampler', 'pc', '--steps', '50', '--snr', '0.16', '--corrector-steps', '1', '--no-denoise']],
  'vp-energy.ode': ['vp-energy', ['--sampler', 'ode', '--no-denoise']],
};

async function cli(...argv: string[]) {
  let stderr = '';
  const code = await main(argv, {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTTY: false,
  });
  expect(code, stderr).toBe(0);
}

/** The tensors and the normalisation of a model file (the metadata may gain fields; these may not change). */
function weights(path: string) {
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)), { source: path });
  const bytes = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Buffer.from(t.data.buffer).toString('base64')]));
  return { bytes, normalization: metadata.normalization, architecture: metadata.architecture, loss: metadata.loss };
}

describe('golden files: the same seed gives the same bits as before the refactors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-golden-'));
  for (const [name, flags] of Object.entries(models)) {
    it(`train ${name}`, async () => {
      await cli('train', ...flags, ...small, '--out', join(dir, `${name}.safetensors`));
      expect(weights(join(dir, `${name}.safetensors`))).toEqual(weights(join(GOLDEN, `${name}.safetensors`)));
    });
  }
  for (const [name, [model, flags]] of Object.entries(samples)) {
    it(`sample ${name}`, async () => {
      const out = join(dir, `${name}.npy`);
      await cli(
        'sample',
        '--model',
        join(GOLDEN, `${model}.safetensors`),
        ...flags,
        '--n',
        '64',
        '--seed',
        '1',
        '--workers',
        '1',
        '--quiet',
        '--out',
        out,
      );
      const got = parseNpy(new Uint8Array(readFileSync(out)));
      const want = parseNpy(new Uint8Array(readFileSync(join(GOLDEN, `${name}.npy`))));
      expect(Buffer.from(Float32Array.from(got.data).buffer)).toEqual(Buffer.from(Float32Array.from(want.data).buffer));
    });
  }
});
