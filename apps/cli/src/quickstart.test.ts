// The root README's quickstart picture is what its commands write: the three `scorefield` lines of its Quickstart
// (which scripts/quickstart.mjs, `npm run quickstart`, runs too) run in a fresh folder, and their out/quickstart.svg
// must equal docs/quickstart.svg byte for byte. A change that moves the model, the samples or the plot (a gradient's
// order of sums, a sampler default) fails here until the picture is regenerated with those commands. About 10 s on
// the 2-core CI machine (3000 training steps, 2000 particles x 920 score evaluations).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/scorefield.js', import.meta.url));
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const quickstart = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 1));
const commands = [...quickstart.matchAll(/```sh\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .flatMap((block) => block.split('\n'))
  .filter((line) => line.startsWith('scorefield '));

describe('README quickstart', () => {
  it('names three commands, the ones `npm run quickstart` runs', () => {
    expect(commands.map((c) => c.split(/\s+/)[1])).toEqual(['train', 'sample', 'plot']);
    const script = readFileSync(join(repo, 'scripts', 'quickstart.mjs'), 'utf8');
    const run = [...script.matchAll(/run\(`\$\{cli\} ([^`]+)`\)/g)].map((m) => `scorefield ${m[1]}`);
    expect(run).toEqual(commands.map((c) => c.replace(/\s+/g, ' ').trim()));
  });

  it('writes docs/quickstart.svg byte for byte (regenerate it with these commands when this fails)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-quickstart-'));
    const script = `set -euo pipefail\nmkdir -p out\nscorefield() { "${process.execPath}" "${BIN}" "$@"; }\n${commands.join('\n')}\n`;
    const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const fresh = readFileSync(join(dir, 'out', 'quickstart.svg'), 'utf8');
    const shipped = readFileSync(join(repo, 'docs', 'quickstart.svg'), 'utf8');
    // Compared as text first for a readable failure (the first differing line), then as bytes.
    const [a, b] = [fresh.split('\n'), shipped.split('\n')];
    const line = a.findIndex((l, i) => l !== b[i]);
    expect(line, `docs/quickstart.svg is stale from line ${line + 1}: rerun the README's quickstart commands`).toBe(-1);
    expect(a.length).toBe(b.length);
  });
});
