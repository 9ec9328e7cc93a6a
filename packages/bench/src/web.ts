/**
 * Web: the built web app (@scorefield/web's dist/) in headless Chromium, as a user runs it: the default
 * network trains in the page's worker while the view draws, then the default sampler's animation plays.
 * Measured from the app's test window (window.scorefield): the view's frames per second in 1 s windows
 * (median and worst), the main thread's work per frame, and the worker's training steps/s and the share of
 * its time in Adam steps. This is where the frame rate lives (the e2e tests assert none).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

export interface WebPhase {
  /** Frames per second of the view in 1 s windows: median and lowest. */
  fpsMedian: number | null;
  fpsMin: number | null;
  windows: number;
  /** Main-thread work per frame (ms, moving average). */
  frameMs: number;
}

export interface WebResult {
  chromium: string;
  viewport: string;
  /** The run: the page's defaults (the CLI's) with a steps target long enough to measure. */
  hash: string;
  training: WebPhase & { stepsPerSecond: number; trainShare: number };
  sampling: WebPhase & { sampler: string; seconds: number };
}

/** The built web app, found through its package (a workspace dependency of the bench, so turbo builds it first). */
export function webDist(): string | undefined {
  if (process.env.BENCH_WEB_DIST) return process.env.BENCH_WEB_DIST;
  try {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@scorefield/web/package.json')), 'dist');
    return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const p = path.posix.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = path.join(root, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/` });
    }),
  );
}

const median = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] : null);

export async function runWeb(opts: { trainSeconds: number }, log: (s: string) => void): Promise<WebResult | { notice: string }> {
  if (!existsSync(CHROMIUM)) return { notice: `${CHROMIUM} is missing (apt-get install chromium): the web benchmark is skipped` };
  const dist = webDist();
  if (!dist) return { notice: 'the web app is not built (pnpm --filter @scorefield/web build): the web benchmark is skipped' };
  const { chromium } = await import('playwright-core');
  const { server, url } = await serve(dist);
  const profile = mkdtempSync(path.join(tmpdir(), 'scorefield-bench-web-'));
  const viewport = { width: 1280, height: 800 };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The app's CSP forbids evaluating strings in the page, so poll from here (page.evaluate runs outside it).
    const read = <T>(expr: string) => page.evaluate(expr) as Promise<T>;
    const until = async (expr: string, ms: number) => {
      const end = Date.now() + ms;
      while (!(await read<boolean>(expr))) {
        if (Date.now() > end)
          throw new Error(`the web app did not reach ${expr} in ${ms / 1000} s${errors.length ? `: ${errors.join('; ')}` : ''}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const hash = 'steps=1000000';
    await page.goto(`${url}#${hash}`);
    await until('window.scorefield?.ready === true', 60_000);
    await page.click('#train');
    await until('window.scorefield.running', 10_000);
    log(`web: training for ${opts.trainSeconds} s`);
    await page.waitForTimeout(opts.trainSeconds * 1000);
    const t = await read<{ fps: number[]; frameMs: number; rate: number; share: number }>(
      '({ fps: window.scorefield.fpsHistory, frameMs: window.scorefield.frameMs, rate: window.scorefield.stepsPerSecond, share: ' +
        'window.scorefield.trainShare })',
    );
    await page.click('#pause');
    await until('!window.scorefield.running', 10_000);
    const before = (await read<number[]>('window.scorefield.fpsHistory')).length;
    const t0 = Date.now();
    await page.click('#sample');
    await until('window.scorefield.sampling', 10_000);
    await until('!window.scorefield.sampling', 300_000);
    const seconds = (Date.now() - t0) / 1000;
    const s = await read<{ fps: number[]; frameMs: number; sampler: string }>(
      '({ fps: window.scorefield.fpsHistory, frameMs: window.scorefield.frameMs, sampler: window.scorefield.pane?.(0)?.sampler ?? "" })',
    );
    // The page keeps the last 120 windows: a few training seconds and one sampling run fit.
    const sfps = s.fps.slice(before);
    const phase = (fps: number[], frameMs: number): WebPhase => ({
      fpsMedian: median(fps),
      fpsMin: fps.length ? Math.min(...fps) : null,
      windows: fps.length,
      frameMs,
    });
    log(
      `web: ${t.rate.toFixed(0)} steps/s, view ${median(t.fps)?.toFixed(0)} fps while training, ${median(sfps)?.toFixed(0)} fps ` +
        `while sampling`,
    );
    return {
      chromium: context.browser()?.version() ?? (await read<string>('navigator.userAgent')),
      viewport: `${viewport.width}x${viewport.height}`,
      hash,
      training: { ...phase(t.fps, t.frameMs), stepsPerSecond: t.rate, trainShare: t.share },
      sampling: { ...phase(sfps, s.frameMs), sampler: s.sampler, seconds },
    };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
