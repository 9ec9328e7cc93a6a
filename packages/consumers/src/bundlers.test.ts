// core-math (and models on it) bundled by Vite (dev server and build), esbuild (--bundle --platform=browser) and
// webpack 5 with no configuration, from the packages as npm installs them, each page run in headless Chromium:
// it loads the WASM core with no options, trains 100 steps and samples, with no failed request or console
// error, and gets the same bits as the same code in Node.
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleAndServe, bundlers } from './bundlers.js';
import { launch, skipBrowser } from './chromium.js';

interface Result {
  error?: string;
  build: string;
  steps: number;
  losses: number[];
  samples: number[];
  threads: number;
  sameLosses: boolean;
}

describe.skipIf(skipBrowser)('bundlers', () => {
  const { dir: project } = inject('consumer');
  let context: BrowserContext;
  let inNode: Result;

  beforeAll(async () => {
    cpSync(fileURLToPath(new URL('./page/', import.meta.url)), join(project, 'node-run'), { recursive: true });
    const script = "const { run } = await import('./node-run/run.js'); console.log(JSON.stringify(await run()));";
    inNode = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' }));
    context = await launch();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('Node runs the page code from the installed packages', () => {
    expect(inNode.error).toBeUndefined();
    expect(inNode.build).toBe('simd');
    expect(inNode.steps).toBe(100);
    expect(inNode.samples.every(Number.isFinite)).toBe(true);
    expect(inNode.threads).toBe(2);
    expect(inNode.sameLosses).toBe(true);
  });

  it.each(bundlers)('%s: the page loads the core, trains 100 steps and samples, the same bits as Node', async (bundler) => {
    const served = await bundleAndServe(project, bundler);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
    try {
      await page.goto(served.url);
      await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, undefined, {
        polling: 100,
        timeout: 120_000,
      });
      const result = (await page.evaluate(() => (window as { result?: unknown }).result)) as Result;
      expect(result.error).toBeUndefined();
      expect(problems).toEqual([]);
      expect(result.build).toBe('simd');
      expect(result.losses).toEqual(inNode.losses);
      expect(result.samples).toEqual(inNode.samples);
      // The test pages are not cross-origin isolated: the bundled core falls back to one thread, same bits.
      expect(result.threads).toBe(1);
      expect(result.sameLosses).toBe(true);
    } finally {
      await page.close();
      await served.close();
    }
  });
});
