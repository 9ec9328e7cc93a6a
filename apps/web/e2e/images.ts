/**
 * Image mode, checked against the CLI: pick MNIST in the data picker (14x14, the page's 2000 digits, ncsn), the
 * 2-D controls set aside, a small run trained to its target (the CLI's model bytes for the command the page
 * prints), the grid of samples formed by annealed Langevin with sigma going down (the samples `scorefield sample`
 * draws, measured as `scorefield eval --samples` measures them), undo of a change of image size, offline digits.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadMnist, MNIST_FILES } from '@scorefield/datasets';
import { parseCsv } from '@scorefield/formats';
import { cli, DESKTOP, dist, PHONE, sameBytes, type Harness } from './harness.js';

const require = createRequire(import.meta.url);

/** The small run: the page's MNIST defaults (from the picker) with a narrow network and few steps. */
const RUN = { hidden: '32,32', steps: '40' };
const cliRun = ['--data', 'mnist', '--data-size', '2000', '--image-size', '14', '--loss', 'ncsn', '--hidden', RUN.hidden];

export function imagesSuite(h: Harness): void {
  let cliModel = '';

  it('MNIST in the data picker: 14x14, the 2000 digits the page holds, ncsn; the 2-D controls set aside', async () => {
    const { page } = h;
    await h.open();
    expect(await page.isHidden('#digits-toggle')).toBe(true); // 2-D data: no image controls
    expect(await page.isHidden('#image-size')).toBe(true);
    await page.selectOption('#data', 'mnist');
    await h.until((s) => s.ready && s.images()?.width === 14 && s.step === 0, 60_000);
    expect(await h.api((s) => s.state())).toBe('data=mnist&data-size=2000&image-size=14&loss=ncsn');
    expect(await h.api((s) => s.images())).toEqual({ width: 14, height: 14, rows: 2000, shown: 64 });
    expect(await page.textContent('#cli')).toBe(
      'scorefield train --data mnist --data-size 2000 --image-size 14 --loss ncsn --out model.safetensors',
    );
    // The library's defaults for 196 dimensions, said in the placeholders: 256-wide, 10 000 ncsn steps.
    expect(await page.getAttribute('#hidden', 'placeholder')).toBe('256,256,256 (the default)');
    expect(await page.getAttribute('#steps', 'placeholder')).toBe('10000 (the default for ncsn)');
    expect(await page.isHidden('#draw')).toBe(true);
    expect(await page.isDisabled('#heat')).toBe(true);
    expect(await page.isVisible('#layers-note')).toBe(true);
    expect(await page.isDisabled('#particles')).toBe(true);
    expect(await page.isDisabled('#compare')).toBe(true);
    expect(await page.isVisible('#show-digits')).toBe(true);
    // Static files of the build (the service worker precaches them with the rest, so they may come from its cache).
    const served = new Set(h.server.log.filter(([status]) => status === 200).map(([, path]) => path));
    for (const [file, bytes] of [
      ['mnist/train-2000-images.idx3-ubyte', 16 + 2000 * 784],
      ['mnist/train-2000-labels.idx1-ubyte', 8 + 2000],
    ] as const) {
      expect(served.has(`/${file}`)).toBe(true);
      expect(statSync(join(dist, file)).size).toBe(bytes);
    }
    await h.shot('mnist-digits');
  });

  it("trains a small run to its target: the model file equals the CLI's for the printed command", async () => {
    const { page } = h;
    await h.setField('#hidden', RUN.hidden);
    await h.setField('#steps', RUN.steps);
    await h.until((s) => s.ready && s.step === 0 && s.state().includes('hidden=32,32&steps=40'));
    const printed = (await page.textContent('#cli'))!;
    expect(printed).toBe(`scorefield train ${cliRun.join(' ')} --steps ${RUN.steps} --out model.safetensors`);
    cliModel = join(h.tmp, 'mnist.safetensors');
    const made = cli([...printed.split(' ').slice(1, -2), '--out', cliModel, '--quiet']);
    made.catch(() => {});
    // Two single steps first, then on to the target: still the CLI's run.
    await page.click('#step');
    await h.until((s) => s.step === 1 && !s.running);
    await page.click('#step');
    await h.until((s) => s.step === 2 && !s.running);
    await page.click('#train');
    await h.until((s) => s.step === 40 && !s.running, 60_000);
    expect(await h.api((s) => s.losses().length)).toBe(40);
    await made;
    // Metadata included: the noise ladder is computed with det-math, the same bits as the CLI's (it was not with `**`).
    sameBytes(await h.download('#export-model'), readFileSync(cliModel), 'mnist trained in the page');
  });

  it('samples the grid by annealed Langevin, sigma going down; the same samples and metrics as the CLI', async () => {
    const { page } = h;
    await h.until((s) => !s.sampling && s.samples() !== null && s.pane(0)!.quality !== null, 300_000);
    await h.shot('mnist-samples');
    expect(await h.api((s) => s.pane(0)!.sampler)).toBe('annealed');
    const sigmas = await h.api((s) => s.sigmasShown());
    const ladder = (await h.api((s) => s.pane(0)!.info!.levels)) as number[];
    console.log(`e2e: mnist: annealed sampling showed ${sigmas.length} of ${ladder.length} levels, σ ${sigmas[0]} to ${sigmas.at(-1)}`);
    expect(sigmas.length).toBeGreaterThan(2);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]).toBeLessThan(sigmas[i - 1]);
    const text = (await h.download('#export-samples')).toString('utf8');
    expect(parseCsv(text)).toMatchObject({ rows: 64, cols: 196 });
    const csv = join(h.tmp, 'mnist-samples.csv'),
      cliCsv = join(h.tmp, 'mnist-cli-samples.csv');
    writeFileSync(csv, text);
    await cli(['sample', '--model', cliModel, '--n', '64', '--seed', '1', '--out', cliCsv, '--quiet']);
    expect(text === readFileSync(cliCsv, 'utf8')).toBe(true);
    const { stdout } = await cli(['eval', '--model', cliModel, '--samples', csv, '--json']);
    const evaluated = JSON.parse(stdout);
    const quality = await h.api((s) => s.pane(0)!.quality!.image);
    if (typeof quality !== 'object') throw new Error(`no image metrics: ${quality}`);
    console.log(`e2e: mnist (40 steps): KID ${quality.kid} ± ${quality.kidError} (floor ${quality.floor}), top p ${quality.meanTop}`);
    // The same numbers, not close ones: the feature map and the kernels compute with det-math in both.
    expect(quality.kid).toBe(evaluated.kid.value);
    expect(quality.kidError).toBe(evaluated.kid.standardError);
    expect(quality.floor).toBe(evaluated.kid.floor);
    expect(quality.meanTop).toBe(evaluated.classCoverage.meanTopProbability);
    expect(quality.heldOutMeanTop).toBe(evaluated.classCoverage.heldOutMeanTopProbability);
    expect(quality.shares).toEqual(evaluated.classCoverage.fractions);
    // Memorisation: the page compares with the digits the run trained on, as eval does given those as --train.
    const digitsCsv = join(h.tmp, 'mnist-train-2000.csv'),
      testCsv = join(h.tmp, 'mnist-test.csv');
    const csvOf = (set: { data: Float32Array; cols: number }) =>
      Array.from({ length: set.data.length / set.cols }, (_, i) => set.data.subarray(i * set.cols, (i + 1) * set.cols).join(',')).join(
        '\n',
      );
    writeFileSync(digitsCsv, csvOf(await loadMnist({ split: 'train', imageSize: 14, limit: 2000 })));
    writeFileSync(testCsv, csvOf(await loadMnist({ split: 'test', imageSize: 14 })));
    const labels = require.resolve(`@scorefield/datasets/${MNIST_FILES.test.labels}`);
    const memo = JSON.parse(
      (await cli(['eval', '--model', cliModel, '--samples', csv, '--data', testCsv, '--labels', labels, '--train', digitsCsv, '--json']))
        .stdout,
    );
    console.log(`e2e: mnist: memorisation ratio ${quality.memorisation.ratio}, closer share ${quality.memorisation.closerShare}`);
    expect(quality.memorisation.ratio).toBe(memo.memorisation.ratio);
    expect(quality.memorisation.closerShare).toBe(memo.memorisation.closerShare);
    expect(memo.kid.value).toBe(evaluated.kid.value); // the same test digits, through a file
    const kidCell = await page.$$eval(
      '#metrics tbody tr',
      (trs) => trs.find((tr) => tr.querySelector('th')?.textContent === 'KID')?.querySelector('td')?.textContent,
    );
    expect(kidCell).toMatch(/^-?[\d.e-]+ ± [\d.e-]+$/);
    // In words: whether the KID differs from the data's beyond the noise (kidVerdict), and what memorisation means.
    const cellOf = (label: string) =>
      page.$$eval(
        '#metrics tbody tr',
        (trs, l) => {
          const td = trs.find((tr) => tr.querySelector('th')?.textContent === l)?.querySelector('td');
          return { text: td?.textContent ?? '', title: td?.title ?? '' };
        },
        label,
      );
    const overlap = Math.abs(quality.kid - quality.floor) <= quality.kidError + quality.floorError;
    expect((await cellOf('KID vs data')).text).toMatch(overlap ? /^same as the data, within noise$/ : /beyond noise/);
    const memoCell = await cellOf('memorisation');
    expect(memoCell.text).toMatch(/^[\d.e-]+ \(1: new digits, good; 0: copies\)$/);
    expect(memoCell.title).toMatch(/nearest training digit/);
    await page.check('#show-digits');
    await h.shot('mnist-digits-toggle', '#pane-a');
    await page.uncheck('#show-digits');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(100);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await h.shot('mnist-phone');
    await page.setViewportSize(DESKTOP);
  });

  it('28x28 is a new run with an undo that brings the 14x14 model back; so does Reset', async () => {
    const { page } = h;
    await page.selectOption('#image-size', '28');
    await h.until((s) => s.ready && s.images()?.width === 28 && s.step === 0);
    // 28 is the CLI's default: the link and the command leave it out.
    expect(await h.api((s) => s.state())).not.toContain('image-size');
    expect(await page.textContent('#cli')).not.toContain('--image-size');
    await page.click('.notices button:text("Undo")');
    await h.until((s) => s.ready && s.images()?.width === 14 && s.step === 40);
    expect(await h.api((s) => s.state())).toContain('image-size=14');
    // Reset: a new run of the same settings at step 0, and Undo brings the trained one back again.
    await page.click('#reset');
    await h.until((s) => s.ready && s.step === 0);
    await page.click('.notices button:text("Undo")');
    await h.until((s) => s.ready && s.images()?.width === 14 && s.step === 40);
  });

  it('the digits load offline once the page was loaded (service worker)', async () => {
    const { page, context } = h;
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
    h.watching = false;
    await context.setOffline(true);
    try {
      await page.reload();
      await h.until((s) => !!s?.ready && s.images()?.width === 14, 30_000);
    } finally {
      await context.setOffline(false);
      h.watching = true;
    }
  });
}
