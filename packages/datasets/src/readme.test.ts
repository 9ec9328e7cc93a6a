import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Every ```ts block of the README runs here, as written, and shows what it claims: a line `expr; // => value` checks
 * that expr equals the JSON value, `expr; // ≈ x ± t` that it is within t of x. Imports of the workspace packages
 * resolve to this package's source and to the other packages as built.
 */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

const modules: Record<string, () => Promise<Record<string, unknown>>> = {
  '@scorefield/datasets': () => import('./index.js'),
  '@scorefield/metrics': () => import('@scorefield/metrics'),
  '@scorefield/plot': () => import('@scorefield/plot'),
};

/** The block as the body of an async function of (modules, check functions), and how many checks it makes. */
function compile(block: string): { body: string; checks: number } {
  let checks = 0;
  const lines = block.split('\n').map((line, i) => {
    const imported = /^import \{ (.+) \} from '(.+)';$/.exec(line);
    if (imported) return `const { ${imported[1]} } = await __modules[${JSON.stringify(imported[2])}]();`;
    const exact = /^(.+?);?\s*\/\/ => (.+)$/.exec(line);
    if (exact) {
      checks++;
      return `__equal(${exact[1]}, ${exact[2]}, ${i + 1});`;
    }
    const near = /^(.+?);?\s*\/\/ ≈ ([-\d.e]+) ± ([\d.e]+)$/.exec(line);
    if (near) {
      checks++;
      return `__near(${near[1]}, ${near[2]}, ${near[3]}, ${i + 1});`;
    }
    return line;
  });
  return { body: lines.join('\n'), checks };
}

describe('README examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((block, b) => {
    it(`block ${b + 1} runs and shows what it claims`, async () => {
      const { body, checks } = compile(block);
      expect(checks).toBeGreaterThan(0);
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
      const run = new AsyncFunction('__modules', '__equal', '__near', body);
      let made = 0;
      const equal = (actual: unknown, expected: unknown, line: number) => {
        made++;
        expect(actual, `README block ${b + 1}, line ${line}`).toEqual(expected);
      };
      const near = (actual: number, x: number, t: number, line: number) => {
        made++;
        expect(Math.abs(actual - x), `README block ${b + 1}, line ${line}: ${actual} is not ${x} ± ${t}`).toBeLessThanOrEqual(t);
      };
      await run(modules, equal, near);
      expect(made).toBe(checks);
    });
  });
});
