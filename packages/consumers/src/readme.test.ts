// The README's steps for using the packages outside the repo are the ones the global setup runs: `npm run pack-libs`
// is the root script that runs scripts/pack-libs.mjs (the setup runs that script), and the install line takes every
// tarball of the folder the script writes by default.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo } from './workspace.js';

const readme = readFileSync(join(repo, 'packages', 'consumers', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Using the packages outside the repo'), readme.indexOf('## The tests'));
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter(Boolean);

describe('README: using the packages outside the repo', () => {
  it('names the quickstart, pack-libs and one npm install of every tarball', () => {
    expect(commands).toEqual(['npm run quickstart', 'npm run pack-libs', 'npm install /path/to/scorefield/out/packages/*.tgz']);
  });

  it('npm run pack-libs builds and runs scripts/pack-libs.mjs, which writes to out/packages by default', () => {
    const { scripts } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts['pack-libs']).toMatch(/^turbo run build .*&& node scripts\/pack-libs\.mjs$/);
    expect(readFileSync(join(repo, 'scripts', 'pack-libs.mjs'), 'utf8')).toContain("join(repo, 'out', 'packages')");
  });

  it('the root README sends users there', () => {
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('(packages/consumers/README.md#using-the-packages-outside-the-repo)');
  });
});
