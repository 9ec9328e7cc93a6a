/**
 * Regression tests for the bugs of issue 15, each written to fail on the app before the fix (run them
 * against another build with SCOREFIELD_WEB_DIST=<its dist>): what the view and the metrics measure
 * against, a "density" that is none, the sampler of noise-conditional models, offline behind `vite
 * preview`, a sampling run that cannot be stopped, link warnings that vanish, Train with an invalid
 * field, a trained model discarded silently, a stale status, a large file without progress, an internal
 * message on divergence, focus lost when Train disables itself, and the metrics below the fold.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { preview } from 'vite';
import { datasetSample, loadCore } from '@scorefield/core-math';
import { chromium } from 'playwright-core';
import { appDir, CHROMIUM, CHROMIUM_ARGS, cli, DESKTOP, dist, type Harness } from './harness.js';
import { heatOnData, sectorShares } from './measure.js';

export function bugsSuite(h: Harness): void {
  it('the view shows a random subset of the data (pinwheel: all five arms, not one)', async () => {
    await h.open('data=pinwheel&hidden=32,32&steps=100&seed=0');
    const shown = await h.api((s) => s.data()!);
    const core = await loadCore({ build: 'scalar' });
    const rng = core.rng(0);
    const full = datasetSample(core, 'pinwheel', rng, 10_000).toArray();
    const a = sectorShares(shown, 10),
      b = sectorShares(full, 10);
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    console.log(`e2e: pinwheel angular shares shown vs data: worst difference ${worst.toFixed(3)}`);
    expect(worst).toBeLessThan(0.03);
  });

  it("the page's MMD² of the samples equals `scorefield eval`'s on the exported samples (moons)", async () => {
    await h.open('data=moons&hidden=32,32&steps=300&seed=0');
    await h.page.click('#train');
    await h.until((s) => s.step === 300 && !s.running);
    await h.until((s) => !s.sampling && s.mmd !== undefined, 60_000);
    const mmd = await h.api((s) => s.mmd!);
    const model = join(h.tmp, 'moons.safetensors'),
      samples = join(h.tmp, 'moons.csv');
    writeFileSync(model, await h.download('#export-model'));
    writeFileSync(samples, await h.download('#export-samples'));
    const { stdout } = await cli(['eval', '--model', model, '--samples', samples, '--json']);
    const evalMmd = JSON.parse(stdout).smearing.mmd2.value as number;
    console.log(`e2e: moons MMD² page ${mmd.toPrecision(4)}, scorefield eval ${evalMmd.toPrecision(4)}`);
    expect(Math.abs(mmd - evalMmd)).toBeLessThanOrEqual(0.1 * Math.abs(evalMmd));
  });

  it('a score model is not shown with a made-up density: the heat map is |s| and says so (2spirals)', async () => {
    await h.open('data=2spirals&loss=dsm&hidden=64,64&steps=1500&seed=0');
    await h.page.click('#train');
    await h.until((s) => s.step === 1500 && !s.running, 60_000);
    await h.page.selectOption('#heat', 'density');
    const option = await h.page.$eval('#heat', (e) => (e as HTMLSelectElement).selectedOptions[0].text);
    if (!/none/.test(option)) {
      // The map is offered as a density: it must be brighter where the data are.
      const ratio = await heatOnData(h);
      console.log(`e2e: 2spirals score model, heat '${option}': brightness on the data / elsewhere ${ratio.toFixed(2)}`);
      expect(ratio).toBeGreaterThan(1.3);
    }
    expect(await h.api((s) => s.pane(0)!.heat)).toMatch(/^\|s\(x\)\|/);
  });

  it('the sampler follows the objective: annealed Langevin for ncsn, predictor-corrector for continuous', async () => {
    for (const [loss, sampler] of [
      ['ncsn', 'annealed'],
      ['continuous&sde=vp', 'pc'],
    ]) {
      await h.open(`data=gmm3&loss=${loss}&hidden=32,32&steps=200&seed=0`);
      await h.page.click('#train');
      await h.until((s) => s.step === 200 && !s.running);
      await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
      expect(await h.status()).toContain(`with ${sampler}`);
    }
  });

  it('works offline behind `vite preview` (which sends Vary: Origin)', async () => {
    const server = await preview({
      root: appDir,
      logLevel: 'silent',
      build: { outDir: dist },
      preview: { port: 0, host: '127.0.0.1', open: false },
    });
    const url = server.resolvedUrls!.local[0];
    const context = await chromium.launchPersistentContext(join(h.tmp, 'profile-preview'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: DESKTOP,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url);
      await h.until((s) => !!s?.ready, 30_000, undefined, page);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
      await context.setOffline(true);
      await page.reload();
      await h.until((s) => !!s?.ready, 30_000, undefined, page);
      expect(await h.api((s) => s.build, undefined, page)).toBe('simd');
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('a long sampling run can be stopped (and Reset works while it runs)', async () => {
    await h.open('data=8gaussians&hidden=32,32&steps=50&seed=0&ssteps=100000&np=2000');
    await h.page.uncheck('#auto-sample');
    await h.page.click('#train');
    await h.until((s) => s.step === 50 && !s.running);
    await h.page.click('#sample');
    await h.until((s) => s.sampling);
    await h.page.waitForTimeout(500);
    // Reset must be usable while sampling: it stops the sampling and starts a new run.
    await h.page.click('#reset', { timeout: 5000 });
    await h.until((s) => !s.sampling && s.step === 0, 10_000);
    await h.page.click('#train');
    await h.until((s) => s.step === 50 && !s.running);
    await h.page.click('#sample');
    await h.until((s) => s.sampling);
    await h.page.click('#sample', { timeout: 5000 }); // now "Stop sampling"
    await h.until((s) => !s.sampling, 10_000);
    await expect.poll(() => h.page.textContent('#sample')).toBe('Sample');
  });

  it('warnings about an invalid link stay until dismissed', async () => {
    await h.open('seed=abc&hidden=0&steps=100');
    await h.page.waitForTimeout(1500);
    const warning = h.page.locator('text=ignored seed=abc');
    expect(await warning.isVisible()).toBe(true);
    expect(await h.page.isVisible('text=ignored hidden=0')).toBe(true);
  });

  it('Train does nothing while a field is invalid, and says which', async () => {
    await h.open('hidden=32,32&steps=100');
    await h.setField('#hidden', 'abc');
    await h.page.click('#train', { force: true, timeout: 2000 }).catch(() => {});
    await h.page.waitForTimeout(1000);
    expect(await h.api((s) => s.step)).toBe(0);
    expect(await h.api((s) => s.running)).toBe(false);
    expect(await h.status()).toMatch(/Hidden widths/);
    await h.setField('#hidden', '32,2048'); // the page's limit, beyond the CLI's rules
    expect(await h.status()).toMatch(/Hidden widths/);
    await h.setField('#hidden', '32, 32');
    expect(await h.status()).not.toMatch(/Hidden widths/);
    // An ncsn ladder of one's own, read as --sigmas: too few levels, then its ends out of order.
    await h.open('loss=ncsn&sigmas=geometric:1:0.01:10&hidden=32,32&steps=100');
    await h.setField('#levels', '1');
    expect(await h.page.getAttribute('#levels', 'aria-invalid')).toBe('true');
    expect(await h.status()).toMatch(/Levels/);
    await h.setField('#levels', '10');
    await h.setField('#sigma-min', '2');
    expect(await h.page.getAttribute('#levels', 'aria-invalid')).toBe('false');
    expect(await h.page.getAttribute('#sigma-min', 'aria-invalid')).toBe('true');
    await h.setField('#sigma-min', '0.02');
    expect(await h.status()).not.toMatch(/σ min|Levels/);
    expect(new URL(h.page.url()).hash).toContain('sigmas=geometric:1:0.02:10');
  });

  it('changing the seed or lowering the target does not silently discard a trained model: said, and Undo brings it back', async () => {
    await h.open('hidden=32,32&steps=200&seed=3');
    await h.page.uncheck('#auto-sample');
    await h.page.click('#train');
    await h.until((s) => s.step === 200 && !s.running);
    const trained = await h.download('#export-model');
    for (const [field, value] of [
      ['#seed', '4'],
      ['#steps', '100'],
    ]) {
      await h.setField(field, value);
      await h.until((s) => s.step === 0);
      const undo = h.page.locator('.notice button', { hasText: 'Undo' });
      expect(await h.page.locator('.notice.offer').textContent()).toMatch(/step 200/);
      await undo.click();
      await h.until((s) => s.step === 200 && !s.running);
      expect(await h.page.inputValue('#seed')).toBe('3');
      expect(await h.page.inputValue('#steps')).toBe('200');
      expect(Buffer.compare(await h.download('#export-model'), trained)).toBe(0);
    }
  });

  it('the status follows the run (no stale "Sampled" after a new run)', async () => {
    await h.open('hidden=32,32&steps=100&seed=0');
    await h.page.click('#train');
    await h.until((s) => s.step === 100 && !s.running);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    expect(await h.status()).toMatch(/Sampled/);
    await h.setField('#seed', '9');
    await h.until((s) => s.ready && s.step === 0);
    await h.page.waitForTimeout(300);
    const status = await h.status();
    expect(status).not.toMatch(/Sampled|Reached|Trained/);
    expect(status).toMatch(/Train/);
  });

  it('a 50 MB CSV is read in the worker with a progress bar; the page answers meanwhile', async () => {
    const rows = 2_600_000;
    const lines: string[] = ['x,y'];
    for (let i = 0; i < rows; i++) lines.push(`${(3 * Math.cos(i * 0.001)).toFixed(7)},${(3 * Math.sin(i * 0.001)).toFixed(7)}`);
    const path = join(h.tmp, 'big.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    await h.open('hidden=32,32&steps=100');
    await h.page.setInputFiles('#file', path);
    const seen = new Set<string>();
    const end = Date.now() + 120_000;
    // Each poll is answered by the page's main thread: a frozen tab would answer none until the end.
    while (Date.now() < end) {
      const v = await h.page.evaluate('document.getElementById("file-bar")?.value ?? null');
      if (typeof v === 'number' && v > 0 && v < 1) seen.add(v.toFixed(2));
      if (await h.api((s) => s.state().startsWith('data=file') && s.ready)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    console.log(`e2e: 50 MB CSV: ${seen.size} distinct progress values seen while it loaded`);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    await h.until((s) => s.ready && s.state().startsWith('data=file'), 60_000);
  });

  it("divergence is said in the page's words (no internal names, no CLI flags)", async () => {
    await h.open('data=8gaussians&hidden=32,32&steps=300&lr=1000000&seed=0');
    await h.page.click('#train');
    await h.until((s) => s.errors.length > 0 && !s.running, 60_000);
    const errors = await h.api((s) => s.errors);
    console.log(`e2e: divergence message: ${errors.join(' | ')}`);
    expect(errors[0]).toMatch(/^Training diverged at step \d+/);
    for (const e of errors) expect(e).not.toMatch(/fisherDivergence|model\[|--lr|Error:/);
  });

  it('focus stays on a sensible control when Train disables itself (keyboard)', async () => {
    await h.open('hidden=32,32&steps=20000&seed=0');
    await h.page.focus('#train');
    await h.page.keyboard.press('Enter');
    await h.until((s) => s.running);
    await h.page.waitForTimeout(200);
    expect(await h.page.evaluate('document.activeElement?.id')).toBe('pause');
    await h.page.keyboard.press('Enter'); // pauses
    await h.until((s) => !s.running);
    await h.page.waitForTimeout(200);
    expect(await h.page.evaluate('document.activeElement?.id')).toBe('train');
  });

  it('at 1280 x 800 the view, the loss curve and the metrics are all on screen together', async () => {
    await h.page.setViewportSize(DESKTOP);
    await h.open('hidden=32,32&steps=100');
    const inside = async (sel: string) => {
      const b = (await h.page.locator(sel).first().boundingBox())!;
      return b.x >= 0 && b.y >= 0 && b.x + b.width <= DESKTOP.width + 1 && b.y + b.height <= DESKTOP.height + 1;
    };
    const metrics = (await h.page.$('#metrics')) ? '#metrics' : '.metrics';
    expect({ view: await inside('#view'), loss: await inside('#loss-chart, #loss'), metrics: await inside(metrics) }).toEqual({
      view: true,
      loss: true,
      metrics: true,
    });
    await h.shot('desktop-ready');
  });
}
