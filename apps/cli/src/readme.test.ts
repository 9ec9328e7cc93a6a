// The README's examples run as written: each ```sh block of "Pipes, scores and completion" runs in bash
// (with `scorefield` the repo's binary) and shows what the README says it does.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '@scorefield/formats';

const BIN = fileURLToPath(new URL('../bin/scorefield.js', import.meta.url));
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const section = readme.slice(readme.indexOf('## Pipes, scores and completion'), readme.indexOf('## Gallery'));
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Runs a block in bash -euo pipefail in a fresh folder (also $HOME), then `after`; returns its output. */
function run(block: string, after = '') {
  const dir = mkdtempSync(join(tmpdir(), 'sf-readme-'));
  mkdirSync(join(dir, '.zfunc'));
  const script = `set -euo pipefail\nscorefield() { "${process.execPath}" "${BIN}" "$@"; }\n${block}\n${after}`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir } });
  return { ...r, dir };
}

describe('README: pipes, scores and completion', () => {
  it('has the two examples', () => {
    expect(blocks).toHaveLength(2);
  });

  it('pipes data into train and samples into score: a CSV of s0,s1 at 3 points, the sigma on stderr', () => {
    const r = run(blocks[0]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(r.dir, 'model.safetensors'))).toBe(true);
    const [trained, scores] = r.stdout.split(/(?=^s0,s1$)/m);
    expect(trained).toMatch(/^wrote model\.safetensors: \d+ parameters, 200 steps .*\n$/);
    expect(scores.split('\n')[0]).toBe('s0,s1');
    expect(parseCsv(scores)).toMatchObject({ rows: 3, cols: 2 });
    expect(r.stderr).toBe('score: sigma not used (the model has no noise conditioning)\n');
  });

  it('installs bash completion and writes the zsh function', () => {
    const r = run(blocks[1], 'complete -p scorefield');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/complete .*-F _scorefield scorefield/);
    expect(readFileSync(join(r.dir, '.zfunc', '_scorefield'), 'utf8')).toMatch(/^#compdef scorefield\n/);
  });
});
