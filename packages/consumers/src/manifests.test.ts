// What every published package declares (one contract for all of them), and what its tarball holds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { publishedPackages, repo } from './workspace.js';

/** A package.json, read loosely: the test checks its fields. */
// biome-ignore lint/suspicious/noExplicitAny: package.json fields of any shape
type Json = Record<string, any>;

const REPOSITORY = 'git+https://github.com/scorefield/scorefield.git';
const published = publishedPackages();

describe.each(published.map((p) => [p.manifest.name, p] as const))('%s', (_name, p) => {
  const m = p.manifest as Json;

  it('declares license, repository, engines, types, exports (types first) and files', () => {
    expect(m.license).toBe('MIT');
    expect(m.repository).toEqual({ type: 'git', url: REPOSITORY, directory: p.dir });
    expect(m.engines).toEqual({ node: '>=20.11' });
    expect(m.type).toBe('module');
    expect(m.types).toBe('./dist/index.d.ts');
    for (const [key, target] of Object.entries(m.exports as Record<string, unknown>)) {
      if (typeof target === 'object') expect(Object.keys(target as object)[0], `exports['${key}']`).toBe('types');
    }
    expect(m.files).toContain('dist');
    expect(readFileSync(join(repo, p.dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repo, 'LICENSE'), 'utf8'));
  });

  it('packs the built code, README and LICENSE, and no tests, build logs or configuration', () => {
    const tarball = inject('consumer').tarballs[m.name];
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    for (const f of ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts']) {
      expect(files).toContain(f);
    }
    const unwanted = files.filter((f) => /\.test\.|\/testing\/|\.turbo|tsconfig|vitest\.config|node_modules|\/test\//.test(f));
    expect(unwanted).toEqual([]);
    if (m.name === '@scorefield/core-math') {
      for (const f of [
        'build/simd.wasm',
        'build/scalar.wasm',
        'build/simd-threads.wasm',
        'build/scalar-threads.wasm',
        'dist/threads/spawn-node.js',
        'dist/threads/spawn-web.js',
        'dist/wasm/read-file.js',
        'dist/wasm/fetch-url.js',
        'dist/wasm/inline-simd.js',
      ]) {
        expect(files).toContain(`package/${f}`);
      }
    }
    if (m.name === '@scorefield/cli') expect(files).toContain('package/bin/scorefield.js');
  });
});

it('the CLI is published with the scorefield command', () => {
  const cli = published.find((p) => p.manifest.name === '@scorefield/cli');
  expect(cli?.manifest.bin).toEqual({ scorefield: './bin/scorefield.js' });
});

it('@scorefield/tfjs takes tfjs-core and its cpu backend from the application (peer dependencies), not the tfjs union package', () => {
  const tfjs = published.find((p) => p.manifest.name === '@scorefield/tfjs')!.manifest as Json;
  expect(tfjs.peerDependencies).toEqual({ '@tensorflow/tfjs-backend-cpu': '^4.22.0', '@tensorflow/tfjs-core': '^4.22.0' });
  expect(Object.keys(tfjs.dependencies)).toEqual(['@scorefield/core-math', '@scorefield/models']);
});
