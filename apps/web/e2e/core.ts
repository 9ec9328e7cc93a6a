/**
 * The app's main path, checked against the CLI: set up a run from the controls, train exactly to the
 * steps target, export the model (the CLI's bytes) and the samples (`scorefield sample`'s bytes), pause
 * and step in the middle of a run (still the CLI's bytes), particles that flow from noise into the data,
 * annealed sampling on an ncsn model, drawing and loading points, a link that reproduces the run, offline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseCsv } from '@scorefield/formats';
import { cli, dist, nearModes, PHONE, DESKTOP, sameBytes, type Harness } from './harness.js';

/**
 * The run both the CLI and the page make (dsm, set in the page; everything else at RunSpec's defaults: σ from the data,
 * score, silu, batch 128, lr 1e-3).
 */
const RUN = { data: '8gaussians', hidden: '32,32', seed: '3', steps: '200' };
/**
 * `scorefield train` for a dsm run of the page in the CLI's canonical order: the command the page prints, which the e2e
 * runs. The page trains at a constant rate (its runs have no fixed end; apps/web/src/state.ts, runOf) and says so.
 */
const dsmArgs = (hidden: string, steps: string, lr: string[] = []) => [
  'train',
  '--data',
  RUN.data,
  '--loss',
  'dsm',
  '--hidden',
  hidden,
  '--steps',
  steps,
  ...lr,
  '--lr-decay',
  'none',
  '--seed',
  RUN.seed,
];
const cliArgs = dsmArgs(RUN.hidden, RUN.steps);
/** A longer run, trained in the page with a pause and a single step in the middle: still the CLI's bytes. */
const LONG = { hidden: '64,64', lr: '0.003', steps: '10000' };
const longArgs = dsmArgs(LONG.hidden, LONG.steps, ['--lr', LONG.lr]);

export function coreSuite(h: Harness): void {
  let cliBytes: Promise<Buffer>;
  let cliSamples: Promise<string>;
  /** `scorefield sample --json`'s summary of the same sampling run (its settings and Stein check). */
  let cliSummary: Promise<{ settings: unknown; stationarity: { residual: number; settled: boolean } }>;
  let longBytes: Promise<Buffer>;
  let url200 = '';

  it('the built page has no inline script or style (its CSP forbids them)', () => {
    // The CLI's files for the same runs (and the samples of the first), made while the browser works.
    const out = join(h.tmp, 'cli.safetensors'),
      csv = join(h.tmp, 'cli-samples.csv'),
      long = join(h.tmp, 'long.safetensors');
    cliBytes = cli([...cliArgs, '--out', out, '--quiet']).then(() => readFileSync(out));
    cliSummary = cliBytes
      .then(() => cli(['sample', '--model', out, '--n', '1000', '--seed', '1', '--out', csv, '--json']))
      .then(({ stdout }) => JSON.parse(stdout));
    cliSamples = cliSummary.then(() => readFileSync(csv, 'utf8'));
    longBytes = cliSamples.then(() => cli([...longArgs, '--out', long, '--quiet'])).then(() => readFileSync(long));
    for (const p of [cliBytes, cliSummary, cliSamples, longBytes]) p.catch(() => {});
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style[\s>]/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('loads, picks a dataset and sets up the CLI run from the controls', async () => {
    const { page } = h;
    await h.open();
    expect(await h.api((s) => s.build)).toBe('simd');
    // Cross-origin isolated (the server's COOP/COEP), so the training worker runs the threaded core on every core (up
    // to 8); the model bytes below then equal the CLI's with any thread count.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await h.api((s) => s.threads)).toBe(await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency || 1)));
    await page.selectOption('#data', 'gmm3');
    await h.until((s) => s.ready && s.data()?.length === 4000 && s.field() !== null);
    const gmm3 = await h.api((s) => s.data()!.slice(0, 10));
    await page.selectOption('#data', RUN.data);
    await page.selectOption('#loss-name', 'dsm'); // the run the CLI makes (the page's default objective is continuous)
    await h.setField('#hidden', RUN.hidden);
    await h.setField('#seed', RUN.seed);
    await h.setField('#steps', RUN.steps);
    await h.until((s) => s.ready && s.field() !== null);
    expect(await h.api((s) => s.data()!.slice(0, 10))).not.toEqual(gmm3);
    const hash = new URL(page.url()).hash;
    for (const part of ['data=8gaussians', 'hidden=32,32', 'seed=3', 'steps=200']) expect(hash).toContain(part);
    expect(await page.textContent('#cli')).toBe(`scorefield ${cliArgs.join(' ')} --out model.safetensors`);
  });

  it("trains exactly to the steps target; the field changes; the model file equals the CLI's byte for byte", async () => {
    const before = await h.api((s) => s.firstField());
    expect(before?.step).toBe(0);
    await h.page.click('#train');
    await h.until((s) => s.step === 200 && !s.running);
    const after = await h.api((s) => s.field());
    expect(after?.step).toBe(200);
    expect(after!.hash).not.toBe(before!.hash);
    expect(after!.meanNorm).not.toBeCloseTo(before!.meanNorm, 3);
    url200 = h.page.url();
    sameBytes(await h.download('#export-model'), await cliBytes, 'trained in the page');
  });

  it('samples when the target is reached: the same samples as `scorefield sample` (CSV byte for byte)', async () => {
    await h.until((s) => !s.sampling && s.samples() !== null);
    const text = (await h.download('#export-samples')).toString('utf8');
    expect(parseCsv(text).rows).toBe(1000);
    expect(text === (await cliSamples)).toBe(true);
    // The page says what the sampler used and whether the chains settled: the library's own, as the CLI reports them.
    const sampled = await h.api((s) => s.pane(0)!.sampled);
    const summary = await cliSummary;
    expect(sampled!.settings).toEqual(summary.settings);
    expect(sampled!.stationarity.residual).toBe(summary.stationarity.residual);
    const settingsCell = await h.page.$$eval(
      '#metrics tbody tr',
      (trs) => trs.find((tr) => tr.querySelector('th')?.textContent === 'settings')?.querySelector('td')?.textContent,
    );
    console.log(`e2e: sampler settings shown: ${settingsCell}`);
    expect(settingsCell).toMatch(/^steps \d+ · step size [\d.e-]+ \(from the model\) · scheme lm · final denoising step$/);
  });

  it("trains longer (reconfigured; paused, stepped once, resumed): the loss falls, still the CLI's bytes", async () => {
    const { page } = h;
    const cliLong = await longBytes;
    await h.setField('#hidden', LONG.hidden);
    await h.setField('#lr', LONG.lr);
    await h.setField('#steps', LONG.steps);
    await h.until((s) => s.ready && s.step === 0 && s.field() !== null);
    expect(await page.textContent('#cli')).toBe(`scorefield ${longArgs.join(' ')} --out model.safetensors`);
    await page.click('#train');
    await h.until((s) => s.step >= 600);
    await page.click('#pause');
    await h.until((s) => !s.running);
    const paused = await h.api((s) => s.step);
    expect(paused).toBeLessThan(Number(LONG.steps));
    await page.click('#step');
    await h.until((s, a) => s.step === a, 10_000, paused + 1);
    await page.click('#train');
    await h.until((s, n) => s.step === n && !s.running, 120_000, Number(LONG.steps));
    const losses = await h.api((s) => s.losses());
    expect(losses.length).toBe(Number(LONG.steps));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const first = mean(losses.slice(0, 50)),
      last = mean(losses.slice(-200));
    console.log(`e2e: loss ${first.toFixed(2)} (first 50 steps) -> ${last.toFixed(2)} (last 200); paused at ${paused}`);
    expect(last).toBeLessThan(0.9 * first);
    expect(Number.isFinite(await h.api((s) => s.fisher))).toBe(true);
    sameBytes(await h.download('#export-model'), cliLong, 'trained with a pause and a single step');
  });

  it('the particles flow from noise into the data; exports a PNG; the true score and error map draw', async () => {
    const { page } = h;
    await h.until((s) => !s.sampling && s.samples() !== null && s.mmd !== undefined, 60_000);
    await h.shot('trained-8gaussians');
    const samples = await h.api((s) => s.samples()!);
    const start = await h.api((s) => s.firstParticles()!);
    const mmd = await h.api((s) => s.mmd!);
    console.log(
      `e2e: near the modes: ${(100 * nearModes(start)).toFixed(0)}% of the particles at the first frame, ` +
        `${(100 * nearModes(samples)).toFixed(0)}% at the end; MMD² vs data ${mmd.toPrecision(3)}`,
    );
    expect(samples.length).toBe(2000);
    expect(nearModes(samples)).toBeGreaterThan(0.7);
    expect(nearModes(samples)).toBeGreaterThan(nearModes(start) + 0.25);
    expect(mmd).toBeLessThan(0.05);
    const png = await h.download('#export-png');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await page.check('#show-true');
    await page.selectOption('#heat', 'error');
    await h.until((s) => s.pane(0)!.heat.startsWith('error'));
    await h.shot('error-map', '#pane-a');
    await page.selectOption('#heat', 'norm');
    await page.selectOption('#heat', 'density');
    await page.uncheck('#show-true');
  });

  it('annealed Langevin on an ncsn model (the sampler follows the objective) shows sigma going down level by level', async () => {
    const { page } = h;
    await page.selectOption('#loss-name', 'ncsn');
    await h.setField('#hidden', '32,32');
    await h.setField('#steps', '600');
    await h.until((s) => s.ready && s.step === 0);
    await page.click('#train');
    await h.until((s) => s.step === 600 && !s.running);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    // The geometric ladder from the data (stored in the model's metadata) and annealed sampling over it: the CLI's bits.
    await sameAsCli(h, 'ncsn');
    expect(await h.api((s) => s.pane(0)!.sampler)).toBe('annealed');
    const sigmas = await h.api((s) => s.sigmasShown());
    console.log(`e2e: annealed sampling showed sigma ${sigmas.map((v) => v.toPrecision(2)).join(' > ')}`);
    const ladder = (await h.api((s) => s.pane(0)!.info!.levels)) as number[];
    expect(sigmas.length).toBeGreaterThanOrEqual(ladder.length - 2);
    expect(sigmas[0]).toBeCloseTo(ladder[0], 5);
    expect(sigmas[sigmas.length - 1]).toBeCloseTo(ladder[ladder.length - 1], 5);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]).toBeLessThan(sigmas[i - 1]);
  });

  it("the default continuous objective (a VE SDE over noise levels from the data): the CLI's model and samples", async () => {
    const { page } = h;
    await page.selectOption('#loss-name', 'continuous');
    await h.setField('#steps', '300');
    await h.until((s) => s.ready && s.step === 0);
    await page.click('#train');
    await h.until((s) => s.step === 300 && !s.running);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    await sameAsCli(h, 'continuous');
  });

  it('draws points with the mouse and the keyboard, loads a CSV file: each trains', async () => {
    const { page } = h;
    await page.selectOption('#loss-name', 'dsm');
    await h.setField('#steps', '100');
    await page.click('#draw');
    const box = (await page.locator('#view').boundingBox())!;
    await page.mouse.move(box.x + 0.3 * box.width, box.y + 0.3 * box.height);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++)
      await page.mouse.move(box.x + (0.3 + 0.02 * i) * box.width, box.y + (0.3 + (0.01 * i * i) / 20) * box.height);
    await page.mouse.up();
    await h.until((s) => s.ready && s.state().startsWith('data=drawn&pts='));
    const drawn = (await h.api((s) => s.data()!)).length / 2;
    await page.focus('#view');
    for (const key of ['ArrowLeft', 'ArrowLeft', 'ArrowDown', 'Enter']) await page.keyboard.press(key);
    await h.until((s, n) => s.ready && s.data()!.length / 2 > n, 10_000, drawn);
    await page.click('#draw'); // leave draw mode
    await page.click('#train');
    await h.until((s) => s.step === 100 && !s.running);
    await h.until((s) => !s.sampling);

    const ring = Array.from({ length: 400 }, (_, i) => `${(3 * Math.cos(i / 20)).toFixed(4)},${(3 * Math.sin(i / 20)).toFixed(4)}`);
    await page.setInputFiles('#file', { name: 'ring.csv', mimeType: 'text/csv', buffer: Buffer.from(`x,y\n${ring.join('\n')}\n`) });
    await h.until((s) => s.ready && s.state().startsWith('data=file') && s.data()?.length === 800);
    expect(await page.textContent('#cli')).toContain('--data ring.csv');
    await page.click('#train');
    await h.until((s) => s.step === 100 && !s.running);
    await h.until((s) => !s.sampling);
  });

  it('a link reproduces the run: reload from the URL, train, same model bytes as the CLI', async () => {
    const { page } = h;
    await page.goto('about:blank');
    await page.goto(url200);
    await h.ready();
    expect(await page.inputValue('#hidden')).toBe(RUN.hidden);
    expect(await page.inputValue('#seed')).toBe(RUN.seed);
    expect(await page.inputValue('#steps')).toBe(RUN.steps);
    await page.focus('#train'); // by keyboard
    await page.keyboard.press('Enter');
    await h.until((s) => s.step === 200 && !s.running);
    sameBytes(await h.download('#export-model'), await cliBytes, 'reloaded from the link');
  });

  it('works offline once loaded (service worker)', async () => {
    const { page, context } = h;
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
    h.watching = false; // offline, the page's own network attempts (served from the cache) are expected to fail
    await context.setOffline(true);
    try {
      await page.reload();
      await h.ready();
      expect(await h.api((s) => s.build)).toBe('simd');
    } finally {
      await context.setOffline(false);
      h.watching = true;
    }
  });

  it('is readable at phone width (no horizontal scrolling)', async () => {
    await h.page.setViewportSize(PHONE);
    await h.page.waitForTimeout(100);
    expect(await h.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await h.page.setViewportSize(DESKTOP);
  });
}

/**
 * The page's model and samples against the CLI's for the command the page prints (and `scorefield sample --n 1000
 * --seed 1`, the samples the page exports): byte for byte, metadata included. The numbers on the way (noise ladders,
 * sigma(t) of the SDE, step sizes) are computed with det-math, which gives the same bits in Node and in Chromium.
 */
async function sameAsCli(h: Harness, what: string): Promise<void> {
  const command = (await h.page.textContent('#cli'))!.split(' ');
  expect(command.slice(0, 2)).toEqual(['scorefield', 'train']);
  expect(command.slice(-2)).toEqual(['--out', 'model.safetensors']);
  const model = join(h.tmp, `${what}.safetensors`),
    csv = join(h.tmp, `${what}-samples.csv`);
  await cli([...command.slice(1, -2), '--out', model, '--quiet']);
  sameBytes(await h.download('#export-model'), readFileSync(model), `${what} trained in the page`);
  await cli(['sample', '--model', model, '--n', '1000', '--seed', '1', '--out', csv, '--quiet']);
  const text = (await h.download('#export-samples')).toString('utf8');
  expect(parseCsv(text).rows).toBe(1000);
  expect(text === readFileSync(csv, 'utf8'), `${what}: the page's samples differ from the CLI's`).toBe(true);
}
