// docs/python.md's torch loader, run as written, against ScoreModel.score: every kind x conditioning, at the
// default noise level and another, to 1e-5 relative. Needs /usr/bin/python3 with torch (Debian's python3-torch;
// .ci/run installs it); skipped with a notice without it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetSample, loadCore } from '@scorefield/core-math';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, trainScoreModel } from './index.js';

const PYTHON = '/usr/bin/python3';
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

const driver = `
import sys
torch.set_default_dtype(torch.float64)
job = json.load(open(sys.argv[1]))
out = []
for case in job['cases']:
    model = ScoreModel(case['file']).double()
    x = torch.tensor(job['points'], dtype=torch.float64).reshape(-1, 2)
    out.append({'default': model.score(x).flatten().tolist(), 'other': model.score(x, sigma=job['sigma']).flatten().tolist(),
                'sigma': model.sigma})
print(json.dumps(out))
`;

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe.skipIf(!hasTorch)('docs/python.md: the torch loader reproduces the library', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scorefield-python-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores of every kind x conditioning agree to 1e-5 at the default noise level and another', async () => {
    const core = await loadCore();
    const data = {
      data: datasetSample(core, 'gmm3', core.rng(0), 1000)
        .toArray()
        .map((v, i) => (i % 2 ? 3 * v - 1 : v + 4)),
      rows: 1000,
      cols: 2,
    };
    const points = Array.from({ length: 40 }, (_, i) => (i % 2 ? 3 * Math.sin(i) - 1 : 4 + 2 * Math.cos(1.3 * i)));
    const sigma = 0.3;
    const models = (['score', 'energy'] as const).flatMap((kind) =>
      (['none', 'embed', 'scale', 'both'] as const).map((conditioning) => {
        const loss = conditioning === 'none' ? { name: 'dsm' as const, sigma: 0.1 } : { name: 'ncsn' as const, sigmas: [1, 0.2, 0.05] };
        const { model } = trainScoreModel(core, data, { steps: 40, hidden: [16, 16], kind, conditioning, loss, activation: 'softplus' });
        const file = join(dir, `${kind}-${conditioning}.safetensors`);
        writeFileSync(file, encodeModel(model));
        return { model, file };
      }),
    );
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ points, sigma, cases: models.map((m) => ({ file: m.file })) }));
    const out = JSON.parse(execFileSync(PYTHON, ['-c', `${loader()}\n${driver}`, join(dir, 'job.json')], { encoding: 'utf8' }));
    models.forEach(({ model }, k) => {
      const at = { data: points, rows: 20, cols: 2 };
      expect(out[k].sigma).toBeCloseTo(model.defaultSigma, 12);
      expect(relError(out[k].default, model.score(at))).toBeLessThan(1e-5);
      expect(relError(out[k].other, model.score(at, sigma))).toBeLessThan(1e-5);
      model.free();
    });
  }, 120_000);
});
