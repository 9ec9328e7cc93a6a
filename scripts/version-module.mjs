// Writes src/version.ts of the package in the current folder from its package.json (run by its build, typecheck
// and test scripts), so the version a package reports is the one it is published as: `changeset version`
// bumps package.json and the next build carries it. Generated, not committed.
import { readFileSync, writeFileSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const text =
  `// Generated from package.json by scripts/version-module.mjs at build time; not committed.\n/** The version of ${name} ` +
  `(its package.json). */\nexport const PACKAGE_VERSION = '${version}';\n`;
let old = '';
try {
  old = readFileSync('src/version.ts', 'utf8');
} catch {}
if (old !== text) writeFileSync('src/version.ts', text);
