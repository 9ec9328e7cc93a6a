// vitest global setup: pack every published package once and install the tarballs with npm in a temporary
// folder outside the repo, as a user's project would get them. The tests read and bundle from that folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { pack, publishedPackages } from './workspace.js';

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
  const tarballs = Object.fromEntries(publishedPackages().map((p) => [p.manifest.name, pack(p, tarballDir)]));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...Object.values(tarballs)], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  project.provide('consumer', { dir, tarballs });
  return () => rmSync(root, { recursive: true, force: true });
}
