/**
 * A new user's report (the web page's newuser round): the heat map control and the view's legend say the same at every
 * phase of a continuous run; the data size field of a loaded file; the image metrics in words (images.ts); option
 * texts that fit their selects; the command wrapping between arguments only; the legend off the data on a phone; the
 * mode weights of a mixture, equal to `scorefield eval`'s. Screenshots: `newuser-heat-training`, `newuser-phone-2spirals`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli, DESKTOP, PHONE, sameBytes, type Harness } from './harness.js';

/** What the heat map control shows (its selected option) and what the view's legend says is drawn. */
async function heatSays(h: Harness): Promise<{ option: string; legend: string }> {
  await h.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  const option = await h.page.$eval('#heat', (e) => (e as HTMLSelectElement).selectedOptions[0].text);
  return { option, legend: await h.api((s) => s.pane(0)!.heat) };
}

/** The options of the visible selects whose text is wider than the select shows (measured with the select's font). */
async function cutOptions(h: Harness): Promise<string[]> {
  return h.page.$$eval('select', (sels) => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    const cut: string[] = [];
    for (const sel of sels as HTMLSelectElement[]) {
      if (!sel.offsetParent) continue; // hidden
      const cs = getComputedStyle(sel);
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      // The content box less the drop-down arrow (about 20 px in Chromium).
      const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
      for (const o of sel.options) if (ctx.measureText(o.text).width > room) cut.push(`#${sel.id}: '${o.text}'`);
    }
    return cut;
  });
}

/** Words of the printed command split over two lines (a flag cut at its hyphens, "-" / "-out"). */
async function splitWords(h: Harness): Promise<string[]> {
  return h.page.$$eval('#cli .arg', (args) =>
    args
      .filter(
        (a) => a.getClientRects().length > 1 || a.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(a).lineHeight || '16'),
      )
      .map((a) => a.textContent ?? ''),
  );
}

export function newUserSuite(h: Harness): void {
  it('the heat map control and the legend agree while a continuous model trains, while its density is computed, and after', async () => {
    const { page } = h;
    await h.open('data=8gaussians&loss=continuous&hidden=32,32&steps=1500&seed=0');
    await page.uncheck('#auto-sample');
    await page.selectOption('#heat', 'density');
    expect(await heatSays(h)).toEqual({ option: '|s| (density after training)', legend: '|s(x)|, log scale (density after training)' });
    await page.click('#train');
    await h.until((s) => s.step > 200);
    expect(await heatSays(h)).toEqual({ option: '|s| (density after training)', legend: '|s(x)|, log scale (density after training)' });
    await h.shot('newuser-heat-training', '#pane-a');
    await h.until((s) => s.step === 1500 && !s.running, 60_000);
    const seen = new Set<string>();
    while ((await h.api((s) => s.pane(0)!.densityStep)) !== 1500) {
      const says = await heatSays(h);
      if ((await h.api((s) => s.pane(0)!.densityStep)) === 1500) break;
      expect(says).toEqual({ option: '|s| (computing the density…)', legend: '|s(x)|, log scale (computing the density…)' });
      seen.add(says.option);
      await page.waitForTimeout(100);
    }
    expect(seen.size).toBe(1);
    expect(await heatSays(h)).toEqual({ option: 'density (ODE)', legend: 'density p(x) by the ODE, relative' });
    // Training on: the density of step 1500 stays on screen, said to be of that step by both.
    await page.click('#train');
    await h.until((s) => s.step > 1600);
    expect(await heatSays(h)).toEqual({ option: 'density (ODE, step 1500)', legend: 'density p(x) by the ODE (step 1500), relative' });
    await page.click('#pause');
    // A score model at one noise level has none: both say so.
    await h.open('data=8gaussians&loss=dsm&hidden=32,32&steps=100&seed=0');
    expect(await heatSays(h)).toEqual({ option: 'density: none, |s|', legend: '|s(x)|, log scale (this model has no density)' });
  });

  it("a loaded file's data size field shows its rows, and the view how many it draws", async () => {
    const { page } = h;
    await h.open('data=8gaussians&hidden=32,32&steps=100');
    expect(await page.inputValue('#data-size')).toBe('10000');
    expect(await page.textContent('#data-size-hint')).toBe('The view shows a random 2,000 of the 10,000.');
    const rows = Array.from({ length: 2000 }, (_, i) => `${(3 * Math.cos(i / 50)).toFixed(4)},${(2 * Math.sin(i / 50)).toFixed(4)}`);
    const path = join(h.tmp, 'my-own-points-from-the-lab.csv');
    writeFileSync(path, `x,y\n${rows.join('\n')}\n`);
    await page.setInputFiles('#file', path);
    await h.until((s) => s.ready && s.state().startsWith('data=file') && s.data()?.length === 4000);
    await h.until((s) => s.ready, 5_000);
    expect(await page.inputValue('#data-size')).toBe('2000');
    expect(await page.isDisabled('#data-size')).toBe(true);
    expect(await page.textContent('#data-size-label')).toBe("Training points (the file's rows)");
    expect(await page.textContent('#data-size-hint')).toBe('The view shows all 2,000.');
    // The picker's file option fits (a long name is shortened, the whole name in the title).
    expect(await cutOptions(h)).toEqual([]);
    expect(await page.getAttribute('#data', 'title')).toBe('file: my-own-points-from-the-lab.csv');
    // Training on the file does not turn its rows into a data-size of the run.
    await page.click('#train');
    await h.until((s) => s.step === 100 && !s.running);
    expect(await h.api((s) => s.state())).not.toMatch(/data-size/);
    // The file's header names are the model's columns, as `scorefield train` stores them: the same bytes.
    const out = join(h.tmp, 'lab.safetensors');
    await cli(['train', '--data', path, '--hidden', '32,32', '--steps', '100', '--quiet', '--out', out]);
    const exported = await h.download('#export-model');
    sameBytes(exported, readFileSync(out), 'trained in the page on a file with a header');
    expect(exported.toString('latin1')).toContain('"columns":"[\\"x\\",\\"y\\"]"');
  });

  it('select options fit their selects, and the command wraps between arguments only (desktop, mnist, phone)', async () => {
    const { page } = h;
    for (const [size, hash] of [
      [DESKTOP, 'data=mnist&data-size=2000&image-size=14&loss=ncsn'],
      [DESKTOP, 'data=8gaussians&loss=continuous'],
      [{ width: 800, height: 900 }, 'data=8gaussians&loss=continuous&sde-sigma-max=3'],
      [PHONE, 'data=mnist&data-size=2000&image-size=14&loss=ncsn'],
      [PHONE, 'data=25gaussians&loss=continuous&hidden=32,32&steps=200&seed=3&batch=64'],
    ] as const) {
      await page.setViewportSize(size);
      await h.open(hash);
      expect(await cutOptions(h), `${size.width}: ${hash}`).toEqual([]);
      expect(await splitWords(h), `${size.width}: ${hash}`).toEqual([]);
      expect(await page.$$eval('#cli .arg', (a) => a.length)).toBeGreaterThan(5);
    }
    await page.setViewportSize(DESKTOP);
  });

  it('phone: the legend does not cover the data (2spirals): it goes under the view', async () => {
    const { page } = h;
    await page.setViewportSize(PHONE);
    await h.open('data=2spirals&loss=dsm&hidden=32,32&steps=300&seed=0');
    await page.click('#train');
    await h.until((s) => s.step === 300 && !s.running);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    await page.locator('#pane-a').scrollIntoViewIfNeeded();
    await h.shot('newuser-phone-2spirals');
    const covers = await h.api((s) => s.pane(0)!.legendCovers);
    const data = (await h.api((s) => s.data()!.length)) / 2;
    if (covers === null) expect(await page.textContent('#pane-a .view-legend')).toBe('datasamples→learned score s(x)');
    else expect(covers).toBeLessThanOrEqual(0.005 * data);
    await page.setViewportSize(DESKTOP);
  });

  it("ncsn-mix: the samples' mode weights beside the data's, equal to scorefield eval's modes", async () => {
    const { page } = h;
    await h.open('data=ncsn-mix&loss=dsm&hidden=32,32&steps=300&seed=0');
    await page.click('#train');
    await h.until((s) => s.step === 300 && !s.running);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    const modes = (await h.api((s) => s.pane(0)!.quality!.modes!)) as { fractions: number[]; weights: number[]; offMode: number };
    const model = join(h.tmp, 'mix.safetensors'),
      samples = join(h.tmp, 'mix.csv');
    writeFileSync(model, await h.download('#export-model'));
    writeFileSync(samples, await h.download('#export-samples'));
    const evaluated = JSON.parse((await cli(['eval', '--model', model, '--samples', samples, '--json'])).stdout).modes;
    expect(modes.fractions).toEqual(evaluated.fractions);
    expect(modes.weights).toEqual(evaluated.weights);
    expect(modes.offMode).toBe(evaluated.offMode);
    const cell = await page.$$eval(
      '#metrics tbody tr',
      (trs) => trs.find((tr) => tr.querySelector('th')?.textContent === 'mode weights')?.querySelector('td')?.textContent,
    );
    console.log(`e2e: ncsn-mix mode weights: ${cell}`);
    expect(cell).toBe(`${modes.fractions.map((f) => f.toFixed(3)).join(' / ')} (data 0.2 / 0.8)`);
  });
}
