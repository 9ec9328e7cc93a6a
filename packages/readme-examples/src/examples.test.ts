import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractExamples } from './examples.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

describe('extractExamples', () => {
  it('finds ts blocks with their line, and the text block after one with only prose between', () => {
    const md = [
      '# x',
      '```ts',
      'a()',
      '```',
      '',
      'it prints',
      'this:',
      '```text',
      '1',
      '2',
      '```',
      '```sh',
      'ls',
      '```',
      '```ts',
      'b()',
      '```',
      'no output here',
      '## a heading',
      '```text',
      'x',
      '```',
    ].join('\n');
    expect(extractExamples(md)).toEqual([
      { line: 2, code: 'a()', prints: '1\n2' },
      { line: 15, code: 'b()' },
    ]);
  });

  it('refuses an unclosed block', () => {
    expect(() => extractExamples('```ts\na()')).toThrow('README line 1: the code block is not closed');
  });
});

describe('every README of the repo', () => {
  const readmes = ['README.md', ...['packages', 'apps'].flatMap((g) => readdirSync(join(repo, g)).map((d) => `${g}/${d}/README.md`))];
  it.each(readmes.filter((r) => existsSync(join(repo, r))))('%s: its ts examples are run by its package tests', (readme) => {
    if (extractExamples(readFileSync(join(repo, readme), 'utf8')).length === 0) return;
    const test = join(repo, readme.replace(/README\.md$/, 'src/doc-examples.test.ts'));
    expect(existsSync(test), `${readme} has ts examples: its package needs src/doc-examples.test.ts calling testReadme`).toBe(true);
    expect(readFileSync(test, 'utf8')).toContain('testReadme(');
  });
});
