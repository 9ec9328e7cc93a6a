// docs/python.md's torch loader, run as written, against `scorefield score` on models written by `scorefield train`:
// every kind x conditioning, at the model's default noise level and another, to 1e-5 relative. Needs
// /usr/bin/python3 with torch (Debian's python3-torch; .ci/run installs it); skipped with a notice without it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '@scorefield/formats';
import { afterAll, describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const BIN = fileURLToPath(new URL('../bin/scorefield.js', import.meta.url));
let hasTorch = false;
try {
  execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  hasTorch = true;
} catch {
  console.warn(`python.test: skipped: ${PYTHON} cannot import torch (apt-get install -y python3-torch); CI installs it`);
}

/** The first python block of docs/python.md: the loader, exactly as a reader copies it. */
function loader(): string {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/python.md', import.meta.url)), 'utf8');
  const m = /```python\n([\s\S]*?)\n```/.exec(doc);
  if (!m) throw new Error('docs/python.md has no python block');
  return m[1];
}

/** Loads each model with the loader and prints its scores at the points, at the default sigma and at `sigma`. */
const driver = `
import sys
job = json.load(open(sys.argv[1]))
x = torch.tensor(job['points'], dtype=torch.float64).reshape(-1, 2)
out = []
for file in job['files']:
    model = ScoreModel(file).double()
    out.append({'default': model.score(x).flatten().tolist(), 'other': model.score(x, sigma=job['sigma']).flatten().tolist()})
print(json.dumps(out))
`;

/** max |a - b| / max |b|. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe.skipIf(!hasTorch)('docs/python.md: the torch loader reproduces scorefield score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scorefield-python-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args, '--quiet'], { cwd: dir, encoding: 'utf8' });

  it('every kind x conditioning, at the default noise level and at --sigma 0.3: within 1e-5', () => {
    const points = Array.from({ length: 40 }, (_, i) => (i % 2 ? 3 * Math.sin(i) : 2 * Math.cos(1.3 * i)));
    writeFileSync(
      join(dir, 'points.csv'),
      `x0,x1\n${Array.from({ length: 20 }, (_, i) => `${points[2 * i]},${points[2 * i + 1]}`).join('\n')}\n`,
    );
    const files: string[] = [];
    const scores: { default: number[]; other: number[] }[] = [];
    for (const kind of ['score', 'energy']) {
      for (const conditioning of ['none', 'embed', 'scale', 'both', 'precond', 'gaussian', 'fourier']) {
        if (kind === 'energy' && ['precond', 'gaussian', 'fourier'].includes(conditioning)) continue; // score models only
        const file = `${kind}-${conditioning}.safetensors`;
        const loss = conditioning === 'none' ? ['--loss', 'dsm'] : ['--loss', 'ncsn', '--sigmas', 'geometric:1:0.05:3'];
        cli(
          'train',
          '--data',
          'gmm3',
          '--steps',
          '40',
          '--hidden',
          '16,16',
          '--activation',
          'softplus',
          '--model',
          kind,
          '--conditioning',
          conditioning,
          ...loss,
          '--out',
          file,
        );
        const read = (sigma: string[]) => {
          cli('score', '--model', file, '--points', 'points.csv', ...sigma, '--out', 'scores.csv');
          const m = parseCsv(readFileSync(join(dir, 'scores.csv'), 'utf8'), { source: 'scores.csv' });
          return Array.from({ length: 40 }, (_, k) => m.data[Math.floor(k / 2) * m.cols + (k % 2)]); // s0, s1 (then energy)
        };
        files.push(join(dir, file));
        scores.push({ default: read([]), other: read(['--sigma', '0.3']) });
      }
    }
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ points, sigma: 0.3, files }));
    const torch = JSON.parse(execFileSync(PYTHON, ['-c', `${loader()}\n${driver}`, join(dir, 'job.json')], { encoding: 'utf8' }));
    scores.forEach((s, k) => {
      expect(relError(torch[k].default, s.default), files[k]).toBeLessThan(1e-5);
      expect(relError(torch[k].other, s.other), files[k]).toBeLessThan(1e-5);
    });
  }, 120_000);
});
