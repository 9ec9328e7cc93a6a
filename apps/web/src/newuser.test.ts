/**
 * A new user's report (e2e/newuser.ts checks the same in the browser): the heat map control and the legend say the
 * same, the data size field of a file, the image metrics in words, short option texts, the command as words, the
 * legend's place, the mode weights of a mixture.
 */
import { datasetComponents, datasetPoints, loadCore } from '@scorefield/core-math';
import { modeFractions } from '@scorefield/metrics';
import { describe, expect, it } from 'vitest';
import { dataSizeField, shortName } from './controls.js';
import { densityChoiceText, densityWait, heatValues, type DensityKind, type FieldSnapshot } from './heat.js';
import { kidVerdict, memorisationText } from './image-quality.js';
import { modeWeightsText } from './metrics-table.js';
import { legendBox, pointsInBox, wrapText } from './render-view.js';
import { EVAL_POINTS, EVAL_TWIN_SEED, sampleQuality } from './sample-quality.js';
import { cliCommand, cliWords, defaults, type AppState } from './state.js';

const base = (): AppState => ({ ...defaults });
const field: FieldSnapshot = { step: 5, range: { x0: 0, x1: 1, y0: 0, y1: 1 }, grid: 2, noise: 0, score: new Float32Array(8).fill(1) };

describe('the heat map control and the legend on the view say the same', () => {
  it('a continuous model: |s| and why while it trains and while its density is computed, then the density', () => {
    const density = { step: 5, grid: 2, logp: new Float32Array([0, -1, -2, -3]) };
    const phases: [string, { running: boolean; step: number; density: typeof density | null }, string, string][] = [
      [
        'untrained',
        { running: false, step: 0, density: null },
        '|s| (density after training)',
        '|s(x)|, log scale (density after training)',
      ],
      ['training', { running: true, step: 5, density: null }, '|s| (density after training)', '|s(x)|, log scale (density after training)'],
      [
        'computing',
        { running: false, step: 5, density: null },
        '|s| (computing the density…)',
        '|s(x)|, log scale (computing the density…)',
      ],
      ['drawn', { running: false, step: 5, density }, 'density (ODE)', 'density p(x) by the ODE, relative'],
    ];
    for (const [name, run, option, legend] of phases) {
      const wait = densityWait('ode', run);
      expect(densityChoiceText([{ kind: 'ode', wait }]), name).toBe(option);
      expect(heatValues({ ...field, step: run.step || 5 }, 'density', run.density, wait)!.legend, name).toBe(legend);
    }
    // Training on after a density: the one of the older step, said by both.
    const older = { ...density, step: 3 };
    expect(densityChoiceText([{ kind: 'ode', wait: densityWait('ode', { running: true, step: 5, density: older }), stale: 3 }])).toBe(
      'density (ODE, step 3)',
    );
    expect(heatValues(field, 'density', older, null)!.legend).toBe('density p(x) by the ODE (step 3), relative');
  });

  it('energy models draw exp(-E) at every phase; score models at one level have none, and both say so', () => {
    for (const running of [true, false]) expect(densityWait('energy', { running, step: 9, density: null })).toBeNull();
    const none = densityWait(null, { running: true, step: 9, density: null });
    expect(densityChoiceText([{ kind: null, wait: none }])).toBe('density: none, |s|');
    expect(heatValues(field, 'density', null, none)!.legend).toBe('|s(x)|, log scale (this model has no density)');
    // |s| chosen as such carries no note; compared runs that differ are said to.
    expect(heatValues(field, 'norm', null, 'training')!.legend).toBe('|s(x)|, log scale');
    const kinds: DensityKind[] = ['energy', null];
    expect(densityChoiceText(kinds.map((kind) => ({ kind, wait: densityWait(kind, { running: false, step: 1, density: null }) })))).toBe(
      'density, where there is one',
    );
  });
});

describe('the data size field', () => {
  it('a file shows its rows, drawn data its points, a dataset the points drawn from it; the hint what the view shows', () => {
    const shown = (points: number, rows: number) => ({ points, rows });
    expect(dataSizeField({ ...base(), data: 'file' }, { fileRows: 2000, shown: shown(2000, 2000) })).toEqual({
      label: "Training points (the file's rows)",
      value: '2000',
      hint: 'The view shows all 2,000.',
    });
    expect(dataSizeField(base(), { shown: shown(2000, 10_000) })).toEqual({
      label: 'Training points (sampled from 8gaussians)',
      value: '10000',
      hint: 'The view shows a random 2,000 of the 10,000.',
    });
    const points = new Float32Array(24);
    expect(dataSizeField({ ...base(), data: 'drawn', points }, {}).value).toBe('12');
    // Before the worker sent what it shows: no hint rather than a stale one.
    expect(dataSizeField({ ...base(), data: 'file' }, { fileRows: 300, shown: shown(2000, 2000) }).hint).toBe('');
  });

  it('a long file name is shortened around an ellipsis, keeping its extension', () => {
    expect(shortName('ring.csv')).toBe('ring.csv');
    const s = shortName('my-own-points-from-the-lab.csv');
    expect([...s].length).toBe(22);
    expect(s).toBe('my-own-poi…the-lab.csv');
  });
});

describe('the image metrics in words', () => {
  it("KID within the noise of the data's is said to be the same, not better (the report: 0.0246 ± 0.068 vs 0.0549 ± 0.0849)", () => {
    expect(kidVerdict({ kid: 0.0246, kidError: 0.068, floor: 0.0549, floorError: 0.0849 }).text).toBe('same as the data, within noise');
    expect(kidVerdict({ kid: 2.01, kidError: 0.37, floor: 0.055, floorError: 0.085 }).text).toBe(
      'worse than the data (by 2, beyond noise)',
    );
    const below = kidVerdict({ kid: -0.5, kidError: 0.05, floor: 0.05, floorError: 0.05 });
    expect(below.text).toBe("below the data's (by 0.55, beyond noise)");
    expect(below.title).toMatch(/does not mean better/);
  });

  it('memorisation says what the ratio means and what is good', () => {
    const m = memorisationText({ ratio: 1.0912, closerShare: 0.0625 });
    expect(m.text).toBe('1.09 (1: new digits, good; 0: copies)');
    expect(m.title).toMatch(/nearest training digit.*test digits.*0\.0625 of the samples.*0\.05 expected/s);
  });
});

describe('the printed command as words', () => {
  it('its words joined are the command; a word with a space is one quoted word', () => {
    for (const s of [base(), { ...base(), loss: 'dsm' as const, hidden: [32, 32], steps: 200 }]) {
      const words = cliWords(s)!;
      expect(words.join(' ')).toBe(cliCommand(s));
      expect(words.slice(-2)).toEqual(['--out', 'model.safetensors']);
    }
    const file = cliWords({ ...base(), data: 'file' }, 'model.safetensors', 'my ring.csv')!;
    expect(file).toContain("'my ring.csv'");
    expect(cliWords({ ...base(), data: 'drawn' })).toBeNull();
  });
});

describe('the legend on the view', () => {
  const range = { x0: -1.3, x1: 1.3, y0: -1.3, y1: 1.3 };
  /** A disk of points filling the view's box to the margin viewRange leaves (2spirals' shape). */
  const disk = Float32Array.from({ length: 4000 }, (_, k) => {
    const i = k >> 1,
      r = Math.sqrt((i + 0.5) / 2000),
      a = i * 2.399963;
    return k % 2 ? r * Math.sin(a) : r * Math.cos(a);
  });

  it('goes where it covers no data: the corner on a large view, the row along the bottom or under the view on a phone', () => {
    const widths = [27, 50, 100];
    // Desktop: text at 1.08 canvas px per point on a 640 px canvas: the bottom right corner is clear.
    const desk = legendBox(
      640,
      1.08,
      widths.map((w) => w * 1.08),
      disk,
      range,
    )!;
    expect(desk.row).toBe(false);
    expect(pointsInBox(disk, range, 640, desk)).toBe(0);
    // Phone: the same legend at 1.74 px per point covers the disk in the corner; it takes no place that covers data.
    const phone = legendBox(
      640,
      1.74,
      widths.map((w) => w * 1.74),
      disk,
      range,
    );
    if (phone) expect(pointsInBox(disk, range, 640, phone)).toBeLessThanOrEqual(10);
    const corner = { x: 640 - 130 * 1.74 - 6 * 1.74, y: 640 - 53 * 1.74 - 22 * 1.74, w: 130 * 1.74, h: 53 * 1.74 };
    expect(pointsInBox(disk, range, 640, corner)).toBeGreaterThan(10);
    // Data filling the whole view: under the view.
    const full = Float32Array.from(
      { length: 2 * 60 * 60 },
      (_, k) => (((k % 2 ? (k >> 1) % 60 : Math.floor((k >> 1) / 60)) + 0.5) / 60) * 2.6 - 1.3,
    );
    expect(legendBox(640, 1.74, widths, full, range)).toBeNull();
  });

  it('a long label wraps at spaces to the room it has', () => {
    const width = (s: string) => s.length * 7;
    expect(wrapText('heat: |s(x)|, log scale (this model has no density)', 200, width)).toEqual([
      'heat: |s(x)|, log scale',
      '  (this model has no',
      '  density)',
    ]);
    expect(wrapText('short', 200, width)).toEqual(['short']);
  });
});

describe('mode weights of a mixture (as scorefield eval reports modes)', () => {
  it("ncsn-mix: the samples' share per mode beside the weights, and a draw of the data's for the noise", async () => {
    const core = await loadCore({ build: 'scalar' });
    const samples = datasetPoints(core, 'ncsn-mix', 4242, 1000);
    const q = sampleQuality(core, samples, { kind: 'builtin', name: 'ncsn-mix' });
    const comps = datasetComponents(core, 'ncsn-mix');
    const radius = 4 * Math.max(...comps.map((c) => c.std));
    const m = modeFractions(
      { data: samples, rows: 1000, cols: 2 },
      comps.map((c) => [...c.mean]),
      comps.map((c) => c.weight),
      { radius },
    );
    expect(q.modes).toMatchObject({ fractions: m.fractions, weights: m.weights, offMode: m.offMode, maxAbsError: m.maxAbsError });
    const twin = datasetPoints(core, 'ncsn-mix', EVAL_TWIN_SEED, EVAL_POINTS);
    expect(q.modes!.twinMaxAbsError).toBe(
      modeFractions({ data: twin, rows: EVAL_POINTS, cols: 2 }, q.modes!.centres, m.weights, { radius }).maxAbsError,
    );
    const text = modeWeightsText(q.modes!);
    expect(text.text).toBe(`${m.fractions.map((f) => f.toFixed(3)).join(' / ')} (data 0.2 / 0.8)`);
    expect(text.title).toMatch(/mode 1 at \(.*\): 0\.\d{3} of the samples, weight 0\.2\n/);
    // Not a mixture: none.
    expect(sampleQuality(core, samples, { kind: 'builtin', name: 'moons' }).modes).toBeUndefined();
    // Many modes: the largest difference beside a data draw's.
    const many = sampleQuality(core, datasetPoints(core, '25gaussians', 7, 1000), { kind: 'builtin', name: '25gaussians' }).modes!;
    expect(modeWeightsText(many).text).toMatch(/^off by ≤ 0\.\d{3} \(data draw 0\.\d{3}\)$/);
  });
});
