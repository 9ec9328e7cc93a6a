/**
 * Browser: the portable benchmark (portable.ts) in headless Chromium (Debian's /usr/bin/chromium driven
 * by playwright-core) and in this Node process, alternately, as a ratio Chromium / Node. The page loads
 * the built core-math (dist/*.js and build/*.wasm) from a tiny node:http server.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeasureOptions } from './timing.js';
import { portableBench } from './portable.js';

export const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORE_ROOT = fileURLToPath(new URL('../../core-math', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.map': 'application/json',
};

/** Maps a URL path to a file: /index.html, /bench/dist/*, /core-math/{dist,build}/*; anything else is 404. */
export function resolveStatic(urlPath: string): string | undefined {
  const p = path.posix.normalize(decodeURIComponent(urlPath.split('?')[0]));
  if (p === '/' || p === '/index.html') return path.join(BENCH_ROOT, 'browser', 'index.html');
  const m = /^\/(bench|core-math)\/(dist|build)\/([\w./-]+)$/.exec(p);
  if (!m || m[3].includes('..')) return undefined;
  return path.join(m[1] === 'bench' ? BENCH_ROOT : CORE_ROOT, m[2], m[3]);
}

export async function serveStatic(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = resolveStatic(req.url ?? '/');
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    // Cross-origin isolation gives Chromium a fine-grained performance.now().
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` };
}

export interface BrowserResult {
  chromium: string;
  node: Record<string, number | null>;
  browser: Record<string, number | null>;
  /** browser / node per benchmark. */
  ratio: Record<string, number | null>;
}

export async function runBrowser(
  opts: MeasureOptions,
  repeats: number,
  log: (s: string) => void,
): Promise<BrowserResult | { notice: string }> {
  if (!existsSync(CHROMIUM)) return { notice: `${CHROMIUM} is missing (apt-get install chromium): the browser benchmark is skipped` };
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    return { notice: `playwright-core is not installed: the browser benchmark is skipped (${(e as Error).message})` };
  }
  const { server, url } = await serveStatic();
  const profile = mkdtempSync(path.join(tmpdir(), 'scorefield-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page
      .waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 30_000 })
      .catch(() => {
        throw new Error(`the bench page did not load: ${errors.join('; ') || 'timeout'}`);
      });
    const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    const best = (acc: Record<string, number | null>, r: Record<string, number | null>) => {
      for (const [k, v] of Object.entries(r)) acc[k] = Math.max(acc[k] ?? 0, v ?? 0) || null;
    };
    const node: Record<string, number | null> = {},
      browser: Record<string, number | null> = {};
    for (let i = 0; i < repeats; i++) {
      best(node, await portableBench(opts));
      best(
        browser,
        await page.evaluate(
          (o) => (window as unknown as { runBench: (o: MeasureOptions) => Promise<Record<string, number | null>> }).runBench(o),
          opts,
        ),
      );
      log(`browser round ${i + 1}/${repeats} done`);
    }
    const ratio = Object.fromEntries(Object.keys(node).map((k) => [k, node[k] && browser[k] ? browser[k]! / node[k]! : null]));
    return { chromium: version, node, browser, ratio };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
