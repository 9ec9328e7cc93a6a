#!/usr/bin/env node
// Lists the lines of tracked TypeScript and JavaScript sources longer than the limit and exits 1 if there are any.
// Biome's formatter wraps code at the same width but cannot split a long string or comment; this check makes
// the limit hold for those too (CONTRIBUTING.md: "Lines at most 140 characters").
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 140;
const files = execFileSync('git', ['ls-files', '-z', '*.ts', '*.mjs', '*.js'], { encoding: 'utf8' })
  .split('\0')
  .filter((f) => f && !f.startsWith('docs/'));
let long = 0;
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const n = [...line].length; // characters, not UTF-16 units or bytes: σ and ∇ count once, as in an editor
    if (n > LIMIT) {
      long++;
      console.error(`${file}:${i + 1}: ${n} characters (limit ${LIMIT})`);
    }
  });
}
if (long) {
  console.error(`${long} line${long > 1 ? 's' : ''} over ${LIMIT} characters: split long strings into concatenations, rewrap comments`);
  process.exit(1);
}
