// vitest global setup: pack every published package once and install the tarballs with npm in a temporary
// folder outside the repo, as a user's project would get them. The tests read and bundle from that folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packLibs } from './workspace.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The user's project: package.json and node_modules with every published package installed from its tarball. */
    consumer: { dir: string; tarballs: Record<string, string> };
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'scorefield-consumer-'));
  const tarballDir = join(root, 'tarballs'),
    dir = join(root, 'project');
  mkdirSync(tarballDir);
  mkdirSync(dir);
  // The README's steps ("Using the packages outside the repo"): scripts/pack-libs.mjs, what `npm run pack-libs` runs
  // after its build (this package's test script has built them), then `npm install <folder>/*.tgz` in the project.
  const tarballs = packLibs(tarballDir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  const all = readdirSync(tarballDir)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(tarballDir, f));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...all], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  project.provide('consumer', { dir, tarballs });
  return () => rmSync(root, { recursive: true, force: true });
}
