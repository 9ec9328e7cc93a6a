#!/usr/bin/env node
// Lists the uses of the engine's transcendental functions in library code and exits 1 if there are any outside
// the allow-list. JavaScript's Math.exp, Math.log, Math.cos, `**` and the rest are not the same function in every
// engine (Node 20's V8 and Chromium's differ in the last bit of a few percent of results), so a number computed
// with them can differ between the CLI and the web page. Library code uses @scorefield/core-math/det-math instead
// (docs/design.md, "Same bits in Node and the browser"; CONTRIBUTING.md).
//
// Forbidden: Math.<f> for the functions below, and `**` (or `**=`) unless the exponent is the literal 2 (x ** 2 is
// x * x in every engine) or the base is the literal 2 with an integer literal exponent (an exact power of two).
// Measured in Node 20 and Chromium 156 on 200,000 arguments: x ** 2 and 2 ** k agree; x ** 3, x ** -1, x ** 0.5
// and 10 ** k do not. Scanned: tracked sources under packages/*/src and apps/*/src, except tests and testing/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const FORBIDDEN =
  /\bMath\s*\.\s*(exp|expm1|log|log1p|log2|log10|pow|cos|sin|tan|acos|asin|atan|atan2|cosh|sinh|tanh|acosh|asinh|atanh|cbrt|hypot)\b/g;

// Files whose engine maths only reaches the pixels of a picture or the text of a label, never model, sample or
// metric bits. Keep it short: anything else uses det-math.
const ALLOWED = {
  'packages/plot/src/ticks.ts': 'axis tick positions and their labels (log10, 10 ** k)',
  'packages/plot/src/field-plot.ts': 'colour-scale ticks and arrow lengths of an SVG field plot',
  'packages/plot/src/line-plot.ts': 'log-scale axis of an SVG line plot',
  'packages/plot/src/svg.ts': 'rounding of SVG coordinates to a number of digits (10 ** digits)',
  'packages/plot/src/raster/gif.ts': "a GIF palette's code size (log2 of the palette length)",
};

/** The source with comments, strings and regular expressions blanked (template literals keep their ${...}). */
function codeOf(text) {
  let out = '';
  let i = 0;
  const braces = []; // for each open ${ of a template: the brace depth at which it closes
  let depth = 0;
  const blank = (s) => s.replace(/[^\n]/g, ' ');
  const skipString = (q) => {
    let j = i + 1;
    while (j < text.length && text[j] !== q) j += text[j] === '\\' ? 2 : 1;
    out += blank(text.slice(i, j + 1));
    i = j + 1;
  };
  const skipTemplate = () => {
    let j = i;
    while (j < text.length && text[j] !== '`' && !(text[j] === '$' && text[j + 1] === '{')) j += text[j] === '\\' ? 2 : 1;
    out += blank(text.slice(i, j));
    if (text[j] === '`') {
      out += ' ';
      i = j + 1;
    } else {
      out += '  ';
      braces.push(depth);
      depth++;
      i = j + 2;
    }
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const j = text.indexOf('\n', i);
      out += blank(text.slice(i, j < 0 ? text.length : j));
      i = j < 0 ? text.length : j;
    } else if (c === '/' && next === '*') {
      const j = text.indexOf('*/', i + 2);
      out += blank(text.slice(i, j + 2));
      i = j + 2;
    } else if (c === "'" || c === '"') skipString(c);
    else if (c === '`') {
      out += ' ';
      i++;
      skipTemplate();
    } else if (c === '/' && /[(,=:[!&|?{};]\s*$|^\s*$|return\s*$/.test(out.slice(-20))) skipString('/');
    else {
      if (c === '{') depth++;
      if (c === '}') {
        depth--;
        if (braces.length && braces.at(-1) === depth) {
          braces.pop();
          out += ' ';
          i++;
          skipTemplate();
          continue;
        }
      }
      out += c;
      i++;
    }
  }
  return out;
}

/** The `**` operators of a line whose exponent is not 2 and whose base is not a literal 2 with an integer exponent. */
function badPowers(line) {
  const bad = [];
  for (const m of line.matchAll(/\*\*=?/g)) {
    const before = line.slice(0, m.index);
    const after = line.slice(m.index + m[0].length);
    if (/^\s*2(?![\w.])/.test(after)) continue; // x ** 2
    if (/(^|[^\w.)\]])2\s*$/.test(before) && /^\s*-?\s*\d+(?![\w.])/.test(after)) continue; // 2 ** 20, 2 ** -53
    bad.push(`${m[0]}${after.slice(0, 12).trimEnd()}`);
  }
  return bad;
}

const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter(
    (f) =>
      /^(packages|apps)\/[^/]+\/src\/.*\.(ts|mts|js|mjs)$/.test(f) &&
      !/\.test\.[mc]?[jt]s$/.test(f) &&
      !f.includes('/testing/') &&
      !f.endsWith('.d.ts'),
  )
  .filter((f) => !(f in ALLOWED));
let found = 0;
for (const file of files) {
  const lines = codeOf(readFileSync(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    const uses = [...[...line.matchAll(FORBIDDEN)].map((m) => m[0].replace(/\s+/g, '')), ...badPowers(line)];
    for (const use of uses) {
      found++;
      console.error(`${file}:${i + 1}: ${use}: use @scorefield/core-math/det-math (the same bits in every engine)`);
    }
  });
}
if (found) {
  console.error(`${found} use${found > 1 ? 's' : ''} of the engine's transcendental functions in library code (see scripts/det-math.mjs)`);
  process.exit(1);
}
