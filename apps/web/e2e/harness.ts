/**
 * The end-to-end harness: the built app (dist/, or SCOREFIELD_WEB_DIST to try the tests against another
 * build) served locally, Debian's headless Chromium driven by playwright-core, helpers to read the app's
 * test window (window.scorefield) and to wait on it, the CLI for reference files, and screenshots written
 * to test-results/ (git-ignored). Every console error, page error, failed request and HTTP error is recorded.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serveStatic, type StaticServer } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
export const appDir = resolve(here, '..');
export const repo = resolve(appDir, '../..');
export const dist = process.env.SCOREFIELD_WEB_DIST ?? join(appDir, 'dist');
export const results = join(appDir, 'test-results');
export const CHROMIUM = process.env.SCOREFIELD_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
/** Locally without Chromium: skipped with a notice. In CI (CI set): a missing browser fails the run. */
export const skip = !process.env.CI && !haveChromium;
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
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

type Api = Window['scorefield'];

/** Runs the CLI (`scorefield ...`) and resolves when it is done. */
export function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [join(repo, 'apps/cli/bin/scorefield.js'), ...args], { maxBuffer: 64 << 20 });
}

export class Harness {
  server!: StaticServer;
  context!: BrowserContext;
  page!: Page;
  private profile = '';
  /** Console errors, page errors, failed requests and HTTP errors seen while `watching`. */
  readonly problems: string[] = [];
  watching = true;
  readonly tmp = mkdtempSync(join(tmpdir(), 'scorefield-e2e-'));

  async start(): Promise<void> {
    if (!haveChromium)
      throw new Error(`e2e: ${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
    if (!existsSync(join(dist, 'index.html')))
      throw new Error(`e2e: ${dist} is not built: run 'pnpm --filter @scorefield/web build' (the root 'npm test' builds it)`);
    if (!existsSync(join(repo, 'apps/cli/dist/index.js'))) throw new Error("e2e: the CLI is not built: run 'pnpm build'");
    this.server = await serveStatic(dist);
    this.profile = mkdtempSync(join(tmpdir(), 'scorefield-chromium-'));
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      viewport: DESKTOP,
      args: CHROMIUM_ARGS,
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.watch(this.page);
  }

  /** Records the problems of a page. */
  watch(page: Page): void {
    page.on('console', (m) => {
      if (this.watching && m.type() === 'error') this.problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => {
      if (this.watching) this.problems.push(`page error: ${e.message}`);
    });
    page.on('requestfailed', (r) => {
      if (this.watching) this.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on('response', (r) => {
      if (this.watching && r.status() >= 400) this.problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  }

  async stop(): Promise<void> {
    await this.context?.close();
    await this.server?.close();
    for (const dir of [this.profile, this.tmp]) if (dir) rmSync(dir, { recursive: true, force: true });
  }

  /**
   * Runs `f` in the page against window.scorefield (the app's read-only test window). It cannot close over
   * test variables: pass those as the JSON argument `a`.
   */
  api<T, A = undefined>(f: (s: Api, a: A) => T, a?: A, page = this.page): Promise<T> {
    return page.evaluate(`(${f.toString()})(window.scorefield, ${JSON.stringify(a ?? null)})`) as Promise<T>;
  }

  /** Polls `f` from here until it holds (page.waitForFunction would evaluate a string in the page, which the app's CSP forbids). */
  async until<A = undefined>(f: (s: Api, a: A) => boolean, timeout = 30_000, a?: A, page = this.page): Promise<void> {
    const end = Date.now() + timeout;
    for (;;) {
      if (await this.api(f, a, page)) return;
      if (Date.now() > end) {
        const where = await this.api(
          (s) => ({ step: s?.step, errors: s?.errors, state: s?.state(), pane: s?.pane(0) }),
          undefined,
          page,
        ).catch(() => null);
        throw new Error(`e2e: timed out after ${timeout} ms waiting for ${f.toString()} (${JSON.stringify(where)})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Ready: the core loaded, the runs configured, nothing training or sampling. */
  ready(timeout = 30_000): Promise<void> {
    return this.until((s) => !!s?.ready && !s.running && !s.sampling, timeout);
  }

  /** Opens the app with a URL hash and waits until it is ready. */
  async open(hash = ''): Promise<void> {
    // Leaving a page aborts what its workers were still fetching: not a problem of the app.
    this.watching = false;
    await this.page.goto('about:blank');
    this.watching = true;
    await this.page.goto(`${this.server.url}/${hash ? `#${hash}` : ''}`);
    await this.ready();
  }

  /** Types into a field and leaves it (a change event), as a user does. */
  async setField(selector: string, value: string): Promise<void> {
    await this.page.fill(selector, value);
    await this.page.press(selector, 'Tab');
  }

  /** Clicks an item of the Export menu and returns the file it downloads. */
  async download(selector: string): Promise<Buffer> {
    if (!(await this.page.isVisible(selector))) await this.page.click('#export-menu summary');
    const [d] = await Promise.all([this.page.waitForEvent('download'), this.page.click(selector)]);
    return readFileSync((await d.path())!);
  }

  /** Writes a screenshot of the page (or of one element) to test-results/<name>.png. */
  async shot(name: string, selector?: string): Promise<string> {
    mkdirSync(results, { recursive: true });
    const path = join(results, `${name}.png`);
    if (selector) await this.page.locator(selector).screenshot({ path });
    else await this.page.screenshot({ path });
    return path;
  }

  /**
   * The visible status line, read after two display frames: the page derives it in its render loop, so a
   * field changed a moment ago shows on the next frame, not at once (reading at once failed on a loaded machine).
   */
  async status(): Promise<string> {
    await this.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    return (await this.page.textContent('#status')) ?? '';
  }
}

/** Throws, with both headers, unless two model files are the same bytes. */
export function sameBytes(a: Buffer, b: Buffer, what: string): void {
  if (Buffer.compare(a, b) !== 0) {
    const header = (x: Buffer) => x.subarray(8, 8 + Number(x.readBigUInt64LE(0))).toString();
    throw new Error(
      `${what}: the page's model file differs from the CLI's (${a.length} vs ${b.length} bytes)\npage: ${header(a)}\ncli:  ${header(b)}`,
    );
  }
}

/** Fraction of 8gaussians points within 0.8 of a mode (modes on the circle of radius 2 sqrt 2, std 0.35: 93% of the data). */
export function nearModes(xy: ArrayLike<number>): number {
  const r = 2 * Math.SQRT2,
    n = xy.length / 2;
  const modes = Array.from({ length: 8 }, (_, k) => [r * Math.cos((k * Math.PI) / 4), r * Math.sin((k * Math.PI) / 4)]);
  let near = 0;
  for (let i = 0; i < n; i++) {
    if (Math.min(...modes.map(([mx, my]) => Math.hypot(xy[2 * i] - mx, xy[2 * i + 1] - my))) < 0.8) near++;
  }
  return near / n;
}
