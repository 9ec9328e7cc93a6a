/**
 * `testReadme(packageDir)` registers vitest tests for the README of a package: all its ```ts blocks are
 * typechecked together (strict, the repo's compiler options), then each runs as an ES module and must print
 * exactly its ```text block (when it has one). Imports of the package itself are pointed at its sources, so the
 * examples test the code under test; other packages resolve as the package's own dependencies do.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { extractExamples } from './examples.js';

export { extractExamples, type Example } from './examples.js';

/** Folder (in the package, outside src/, git-ignored) where the examples are written to be compiled and run. */
export const EXAMPLES_DIR = '.readme-examples';

/** The package's own import specifiers mapped to its source entries, from the "exports" of its package.json. */
function ownEntries(packageDir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const entries = new Map<string, string>();
  for (const [key, target] of Object.entries<unknown>(manifest.exports ?? {})) {
    const types = typeof target === 'object' && target ? (target as Record<string, string>).types : undefined;
    if (!types?.startsWith('./dist/')) continue;
    const source = `../src/${types.slice('./dist/'.length).replace(/\.d\.ts$/, '.js')}`;
    entries.set(key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`, source);
  }
  return entries;
}

export function testReadme(packageDir: string, readme = 'README.md'): void {
  const examples = extractExamples(readFileSync(join(packageDir, readme), 'utf8'));
  const dir = join(packageDir, EXAMPLES_DIR);
  const own = ownEntries(packageDir);
  const files = examples.map((e) => join(dir, `line-${e.line}.ts`));

  describe(`${readme} examples`, () => {
    it('there are examples, and they typecheck', () => {
      expect(examples.length).toBeGreaterThan(0);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      examples.forEach((e, k) => {
        const code = e.code.replace(/from '([^']+)'/g, (m, spec: string) => (own.has(spec) ? `from '${own.get(spec)}'` : m));
        writeFileSync(files[k], `// ${readme} line ${e.line}\n${code}\nexport {};\n`);
      });
      const base = relative(dir, join(packageDir, '../../tsconfig.base.json')).split('\\').join('/');
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, include: ['*.ts'] }));
      const tsc = createRequire(join(packageDir, 'package.json')).resolve('typescript/bin/tsc');
      try {
        execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        throw new Error(`${readme}: the examples do not typecheck:\n${(e as { stdout?: string }).stdout ?? e}`);
      }
    }, 120_000);

    examples.forEach((e, k) => {
      it(`the example at line ${e.line} runs${e.prints === undefined ? '' : ' and prints what the README shows'}`, async () => {
        const printed: string[] = [];
        const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
          printed.push(format(...args)); // what console.log would have written
        });
        try {
          await import(/* @vite-ignore */ pathToFileURL(files[k]).href);
        } finally {
          log.mockRestore();
        }
        if (e.prints !== undefined) expect(printed.join('\n')).toBe(e.prints);
      }, 300_000);
    });
  });
}
