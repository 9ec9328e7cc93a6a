/**
 * What the page lets you explore: the field of a noise-conditional model at any of its levels (and the
 * level the sampler is on while it anneals), heat maps that show a density only where the model has one,
 * two runs side by side from one link, and the phone layout. Screenshots of each go to test-results/.
 */
import { expect, it } from 'vitest';
import { DESKTOP, PHONE, type Harness } from './harness.js';
import { heatOnData, sigmaOverflow } from './measure.js';

export function exploreSuite(h: Harness): void {
  it('explore sigma: the field of an ncsn model at any level; the slider follows the sampler while it anneals', async () => {
    const { page } = h;
    await h.open('data=8gaussians&loss=ncsn&hidden=64,64&steps=1500&seed=0');
    await page.click('#train');
    await h.until((s) => s.step === 1500 && !s.running, 60_000);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    const levels = (await h.api((s) => s.pane(0)!.info!.levels)) as number[];
    expect(await page.isVisible('#sigma-a')).toBe(true);
    // At first the model's own level (the smallest), and the page says which.
    expect(await h.api((s) => s.pane(0)!.fieldSigma)).toBeCloseTo(levels[levels.length - 1], 6);
    expect(await page.textContent('#level-out-a')).toMatch(new RegExp(`level ${levels.length}/${levels.length} · the model's own`));
    // The readout shows whole, beside the slider under the view, at the desktop size and at a narrow one.
    expect(await sigmaOverflow(h)).toEqual([]);
    await page.setViewportSize({ width: 800, height: 900 });
    expect(await sigmaOverflow(h)).toEqual([]);
    await page.setViewportSize(DESKTOP);
    const small = await h.api((s) => s.field()!.hash);
    await page.focus('#level-a');
    await page.keyboard.press('End'); // the largest level
    await h.until((s, top) => Math.abs(s.pane(0)!.fieldSigma! - top) < 1e-9, 10_000, levels[0]);
    expect(await h.api((s) => s.field()!.hash)).not.toBe(small);
    expect(await page.textContent('#level-out-a')).toMatch(/level 1\//);
    await h.shot('sigma-largest', '#pane-a');
    // Annealed sampling: the field follows the level the sampler is on.
    await page.click('#sample');
    const seen = new Set<number>(),
      overflows: string[] = [];
    while (await h.api((s) => s.sampling)) {
      const p = await h.api((s) => s.pane(0)!);
      if (p.samplerSigma !== null && p.fieldSigma !== null && Math.abs(Math.log(p.fieldSigma / p.samplerSigma)) < 0.3)
        seen.add(p.fieldSigma);
      if (/sampler/.test((await page.textContent('#level-out-a')) ?? '')) overflows.push(...(await sigmaOverflow(h)));
      if (seen.size === 3) await h.shot('sigma-following-sampler');
      await new Promise((r) => setTimeout(r, 30));
    }
    console.log(`e2e: the field followed the sampler through ${seen.size} of ${levels.length} levels`);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(overflows).toEqual([]);
    expect(await page.textContent('#level-out-a')).not.toMatch(/sampler/);
  });

  it('an energy model shows its density exp(-E), brighter on the data (2spirals)', async () => {
    await h.open('data=2spirals&loss=dsm&model=energy&hidden=64,64&steps=2000&seed=0');
    await h.page.click('#train');
    await h.until((s) => s.step === 2000 && !s.running, 60_000);
    await h.page.selectOption('#heat', 'density');
    expect(await h.api((s) => s.pane(0)!.heat)).toMatch(/^density exp\(−E\)/);
    const ratio = await heatOnData(h);
    console.log(`e2e: 2spirals energy model: exp(-E) brightness on the data / elsewhere ${ratio.toFixed(2)}`);
    expect(ratio).toBeGreaterThan(1.5);
    await h.shot('energy-density', '#pane-a');
  });

  it('a continuous score model shows its probability-flow ODE density, brighter on the data (moons)', async () => {
    await h.open('data=moons&loss=continuous&hidden=64,64&steps=2000&seed=0');
    await h.page.uncheck('#auto-sample');
    await h.page.click('#train');
    await h.until((s) => s.step === 2000 && !s.running, 60_000);
    await h.page.selectOption('#heat', 'density');
    await h.until((s) => s.pane(0)!.densityStep === 2000 && s.pane(0)!.heat.startsWith('density p(x) by the ODE'), 120_000);
    const ratio = await heatOnData(h);
    console.log(`e2e: moons continuous model: ODE density brightness on the data / elsewhere ${ratio.toFixed(2)}`);
    expect(ratio).toBeGreaterThan(1.5);
    await h.shot('ode-density', '#pane-a');
  });

  it('compare: two runs side by side (same data and seed), each with its field and metrics, from one link', async () => {
    const { page } = h;
    await h.open('data=gmm3&loss=dsm&hidden=64,64&steps=1500&seed=2');
    await page.check('#compare');
    await h.until((s) => s.ready && s.pane(1) !== null && s.pane(1)!.info !== null);
    expect(await page.isVisible('#pane-b')).toBe(true);
    await page.selectOption('#kind-b', 'energy');
    await h.until((s) => s.ready && s.state().includes('b.loss=ncsn&b.model=energy'));
    const link = page.url();
    expect((await page.textContent('#cli'))!.split('\n')).toHaveLength(2);
    await page.click('#train');
    await h.until((s) => s.pane(0)!.step === 1500 && s.pane(1)!.step === 1500 && !s.running, 90_000);
    await h.until((s) => !s.sampling && s.pane(0)!.quality !== null && s.pane(1)!.quality !== null, 90_000);
    const [a, b] = await h.api((s) => [s.pane(0)!, s.pane(1)!]);
    console.log(
      `e2e: compare gmm3 dsm score vs ncsn energy: MMD² ${a.quality!.mmd.toPrecision(3)} vs ${b.quality!.mmd.toPrecision(3)} ` +
        `(floor ${a.quality!.floor.toPrecision(2)}); in modes ${a.quality!.inMode} vs ${b.quality!.inMode}; ` +
        `samplers ${a.sampler} / ${b.sampler}`,
    );
    expect([a.sampler, b.sampler]).toEqual(['langevin', 'annealed']);
    expect(a.info!.kind).toBe('score');
    expect(b.info!.kind).toBe('energy');
    expect(
      await page.$$eval('#metrics thead th', (ths) => ths.filter((t) => !(t as HTMLElement).hidden).map((t) => t.textContent)),
    ).toEqual(['', 'A: dsm · score', 'B: ncsn · energy']);
    await h.shot('compare');
    // The link brings both runs back.
    await page.goto('about:blank');
    await page.goto(link);
    await h.ready();
    expect(await page.isVisible('#pane-b')).toBe(true);
    expect(await h.api((s) => [s.pane(0)!.info!.kind, s.pane(1)!.info!.kind])).toEqual(['score', 'energy']);
  });

  it('phone: a compact toolbar in one row, the draw control next to the view, nothing wider than the screen', async () => {
    const { page } = h;
    await page.setViewportSize(PHONE);
    await h.open('data=8gaussians&hidden=32,32&steps=300&seed=0');
    await page.click('#train');
    await h.until((s) => s.step === 300 && !s.running);
    await h.until((s) => !s.sampling && s.samples() !== null, 60_000);
    await h.shot('phone');
    const toolbar = (await page.locator('.toolbar').boundingBox())!;
    const view = (await page.locator('#view').boundingBox())!;
    const draw = (await page.locator('#draw').boundingBox())!;
    // Under the view: the draw control, after the legend when the legend is under the view (it covered data on it).
    const legend = (await page.locator('#pane-a .view-legend').isVisible())
      ? (await page.locator('#pane-a .view-legend').boundingBox())!
      : null;
    const above = legend ? legend.y + legend.height : view.y + view.height;
    expect(toolbar.height).toBeLessThan(45);
    expect(draw.y - above).toBeLessThan(20);
    expect(draw.y + draw.height).toBeLessThan(PHONE.height);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize(DESKTOP);
  });
}
