/**
 * Test helpers: XML well-formedness checks for generated SVG. A small tag-balance checker
 * always runs; the real parser (/usr/bin/python3's xml.dom.minidom) is used when present.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of a system python3, or undefined when there is none. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;

/**
 * Check that tags are balanced and properly nested, attributes are quoted, and there is
 * exactly one root element. Returns a list of problems (empty when fine).
 */
export function tagBalance(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  // A tag (closing, name, attributes, self-closing), a comment, a processing instruction, a stray '<', or an '&' that starts no entity.
  const re = new RegExp(
    [
      /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/.source,
      /<!--[\s\S]*?-->/.source,
      /<\?[\s\S]*?\?>/.source,
      /</.source,
      /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.source,
    ].join('|'),
    'g',
  );
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    if (m[0] === '<') {
      problems.push(`stray or malformed '<' at ${m.index}: ${xml.slice(m.index, m.index + 40)}`);
      continue;
    }
    if (m[0].startsWith('&')) {
      problems.push(`unescaped '&' at ${m.index}`);
      continue;
    }
    if (m[0].startsWith('<!--') || m[0].startsWith('<?')) continue;
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${m.index}`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name);
    }
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  return problems;
}

/** Parse with python's minidom; returns an error message or '' when the document is well-formed. */
export function pythonParse(xml: string): string {
  if (!PYTHON) return '';
  const dir = mkdtempSync(join(tmpdir(), 'sf-plot-'));
  const file = join(dir, 'fig.svg');
  try {
    writeFileSync(file, xml, 'utf8');
    execFileSync(PYTHON, ['-c', 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])', file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return err.stderr?.toString() || err.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Inner markup of the first `<g class="name" …>…</g>` group (handles nested groups). */
export function groupContent(svg: string, cls: string): string | undefined {
  const start = svg.search(new RegExp(`<g class="${cls}"[ >]`));
  if (start < 0) return undefined;
  const open = svg.indexOf('>', start) + 1;
  let depth = 1;
  const re = /<g[\s>]|<\/g>/g;
  re.lastIndex = open;
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg))) {
    if (m[0] === '</g>') depth--;
    else if (!svg.slice(m.index, svg.indexOf('>', m.index) + 1).endsWith('/>')) depth++;
    if (depth === 0) return svg.slice(open, m.index);
  }
  return undefined;
}

/** Text content of every `<text>` element in a markup fragment (entities left as they are). */
export function texts(fragment: string): string[] {
  return [...fragment.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}
