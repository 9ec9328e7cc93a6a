import { it } from 'vitest';
import { preview } from 'vite';
import { chromium } from 'playwright-core';
it('smoke', async () => {
  const server = await preview({
    root: '/work/wt/web/apps/web',
    logLevel: 'silent',
    build: { outDir: '/work/wt/web/apps/web/dist' },
    preview: { port: 0, host: '127.0.0.1', open: false },
  });
  const url = server.resolvedUrls!.local[0];
  const ctx = await chromium.launchPersistentContext('/tmp/smoke/profile-' + Date.now(), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = ctx.pages()[0];
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  page.on('requestfailed', (r) => console.log('failed', r.url(), r.failure()?.errorText));
  page.on('response', (r) => {
    if (r.status() >= 400) console.log('http', r.status(), r.url());
  });
  await page.goto(url);
  await page.waitForTimeout(4000);
  console.log(await page.evaluate('JSON.stringify({ready: window.scorefield?.ready, st: document.getElementById("status").textContent})'));
  await ctx.close();
  await server.close();
});
