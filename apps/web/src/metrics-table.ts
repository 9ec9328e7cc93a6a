/**
 * The live metrics beside the view: a table with one column per run (two in compare mode). Built once
 * here, its cells kept as typed references (no lookups by id).
 */
import { kidVerdict, memorisationText } from './image-quality.js';
import { settingsText, settledText } from './sampler-report.js';
import type { ModeWeights } from './sample-quality.js';
import type { RunView } from './view-model.js';

const rows = {
  step: ['step', 'Adam steps done / the steps target'],
  loss: ['loss', 'the training loss, exponential moving average over the last steps'],
  rate: ['steps/s', "training steps per second (its tooltip: the share of the worker's time in Adam steps)"],
  fisher: ['Fisher div.', '½ E|s − s_true|² on 1000 held-out points, against the exact score of the data at the noise level shown'],
  mmd: ['MMD²', 'unbiased MMD² of the samples against held-out data (as scorefield eval), standardised, RBF bandwidths 0.05 to 2'],
  mmdFloor: ['… of data', 'the same MMD² for a second draw of the data: what perfect samples score (it can be slightly negative)'],
  inMode: ['in modes', 'share of the samples within 2 standard deviations of a mode (mixtures)'],
  inModeFloor: ['… of data', 'the same share for a draw of the data'],
  modes: [
    'mode weights',
    "share of the samples nearest each mode beside the mixture's weights (as scorefield eval's modes; mixtures); " +
      'every mode in the tooltip',
  ],
  kid: [
    'KID',
    "kernel inception distance of the samples against MNIST's 997 held-out test digits on the MNIST classifier's features, " +
      '± its standard error (as scorefield eval --samples)',
  ],
  kidFloor: ['… of data', 'the same KID for as many train digits (the first ones): what real digits score'],
  kidVs: [
    'KID vs data',
    "whether the samples' KID differs from the data's by more than their standard errors together: when the ± intervals " +
      'overlap, the two cannot be told apart with this many samples',
  ],
  topProb: ['top-class p', "the MNIST classifier's mean top-class probability of the samples; of the held-out test digits after it"],
  classes: ['classes', 'share of the samples the classifier puts in each class 0-9: the smallest (all of them in the tooltip)'],
  memo: [
    'memorisation',
    "median distance of the samples to their nearest training digit over the test digits' (a ratio, no unit; 1 or more: as " +
      'new as unseen digits, good; towards 0: copies); the tooltip: the share of samples closer to a training digit than ' +
      '95% of the test digits are (0.05 expected)',
  ],
  sampler: ['sampler', 'the sampler, and the noise level σ of the step on screen'],
  settings: ['settings', 'what the sampler used, every default chosen from the model (standardised units)'],
  settled: ['settled', "Stein's check that the chains reached the model's law (plain Langevin; 0 at the law)"],
} as const;
export type MetricRow = keyof typeof rows;
/** Rows of 2-D data only, and of images only. */
const planeRows: MetricRow[] = ['fisher', 'mmd', 'mmdFloor', 'inMode', 'inModeFloor', 'modes'];
const imageRows: MetricRow[] = ['kid', 'kidFloor', 'kidVs', 'topProb', 'classes', 'memo'];

export class MetricsTable {
  private readonly cells: Record<MetricRow, HTMLTableCellElement[]>;
  private readonly heads: HTMLTableCellElement[];
  /** Page-wide rows: the core build and the view's frame rate. */
  readonly core: HTMLTableCellElement;
  readonly fps: HTMLTableCellElement;
  private columns = '';

  constructor(private readonly table: HTMLTableElement) {
    const head = table.createTHead().insertRow();
    head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: '' }));
    this.heads = [0, 1].map(() => head.appendChild(Object.assign(document.createElement('th'), { scope: 'col' })));
    const body = table.createTBody();
    const add = (label: string, title: string, span: boolean) => {
      const tr = body.insertRow();
      tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: label, title }));
      const tds = (span ? [0] : [0, 1]).map(() => tr.insertCell());
      if (span) tds[0].colSpan = 2;
      tds.forEach((td) => (td.textContent = '–'));
      return tds;
    };
    this.cells = Object.fromEntries(Object.entries(rows).map(([k, [label, title]]) => [k, add(label, title, false)])) as Record<
      MetricRow,
      HTMLTableCellElement[]
    >;
    for (const td of this.cells.settings) td.classList.add('detail');
    this.core = add('core', 'the WebAssembly build the workers run', true)[0];
    this.fps = add('view fps', 'frames per second the view draws', true)[0];
    this.setColumns(['run'], false);
  }

  /** One column per run, headed by its label. */
  setColumns(labels: string[], compare: boolean): void {
    const key = `${compare}:${labels.join('|')}`;
    if (key === this.columns) return;
    this.columns = key;
    this.table.classList.toggle('compare', compare);
    this.heads.forEach((th, i) => {
      th.textContent = labels[i] ?? '';
      th.hidden = i >= labels.length;
    });
    for (const tds of Object.values(this.cells)) tds.forEach((td, i) => (td.hidden = i >= labels.length));
  }

  /** Shows the rows of image metrics (image mode) or of 2-D ones. */
  setImageMode(images: boolean): void {
    const hide = (row: MetricRow, hidden: boolean) => {
      const tr = this.cells[row][0].parentElement!;
      if (tr.hidden !== hidden) tr.hidden = hidden;
    };
    for (const row of planeRows) hide(row, images);
    for (const row of imageRows) hide(row, !images);
  }

  cell(row: MetricRow, column: number): HTMLTableCellElement {
    return this.cells[row][column];
  }

  private set(row: MetricRow, column: number, text: string, title = ''): void {
    const td = this.cells[row][column];
    if (td.textContent !== text) td.textContent = text;
    if (td.title !== title) td.title = title;
  }

  /** Writes a run's numbers into its column. */
  show(column: number, v: RunView): void {
    this.set('step', column, `${v.step} / ${v.target}`);
    const loss = v.losses.ema;
    this.set('loss', column, loss === undefined ? '–' : loss.toPrecision(4));
    this.set(
      'rate',
      column,
      v.stepsPerSecond > 0 ? v.stepsPerSecond.toFixed(0) : '–',
      v.stepsPerSecond > 0
        ? `${(100 * v.trainShare).toFixed(0)}% of the worker's time in Adam steps (the rest: field snapshots, metrics, messages)`
        : '',
    );
    this.set(
      'fisher',
      column,
      v.fisher === undefined ? (v.info && !v.field?.trueScore ? 'n/a' : '–') : v.fisher.toPrecision(3),
      v.fisher === undefined
        ? 'needs the exact score: built-in mixtures only'
        : `at the model's noise level, σ = ${v.fisherNoise.toPrecision(2)} in data units`,
    );
    const q = v.quality;
    const num = (x: number | undefined, digits: number, fixed = false) =>
      x === undefined || Number.isNaN(x) ? (q ? 'n/a' : '–') : fixed ? x.toFixed(digits) : x.toPrecision(digits);
    this.set('mmd', column, num(q?.mmd, 3), q ? `samples of the model at step ${v.qualityStep}` : '');
    this.set('mmdFloor', column, num(q?.floor, 2));
    this.set('inMode', column, num(q?.inMode, 3, true));
    this.set('inModeFloor', column, num(q?.inModeFloor, 3, true));
    const modes = q?.modes ? modeWeightsText(q.modes) : { text: num(undefined, 0), title: '' };
    this.set('modes', column, modes.text, modes.title);
    this.showImage(column, v);
    const sigma = v.samplerSigma === undefined ? '' : ` · σ ${v.samplerSigma.toPrecision(2)}`;
    this.set('sampler', column, v.sampling || v.samples ? `${v.sampler}${sigma}` : (v.info?.defaultSampler ?? '–'));
    const s = v.sampled;
    this.set('settings', column, s ? settingsText(s.settings, !!v.info?.conditional) : '–');
    const settled = s ? settledText(s.stationarity, s.convergenceCheck) : { text: '–', title: '', warn: false };
    this.set('settled', column, settled.text, settled.title);
    this.cells.settled[column].classList.toggle('warn', settled.warn);
  }

  /** The image metrics of a run's latest samples (image-quality.ts), or why there are none. */
  private showImage(column: number, v: RunView): void {
    const q = v.quality?.image;
    const f = (x: number) => String(Number(x.toPrecision(3)));
    const none = q === undefined ? '–' : 'n/a';
    const why = typeof q === 'string' ? q : '';
    const m = typeof q === 'object' ? q : null;
    const at = m ? `samples of the model at step ${v.qualityStep}` : why;
    this.set('kid', column, m ? `${f(m.kid)} ± ${f(m.kidError)}` : none, at);
    this.set('kidFloor', column, m ? `${f(m.floor)} ± ${f(m.floorError)}` : none, why);
    const verdict = m ? kidVerdict(m) : { text: none, title: why };
    this.set('kidVs', column, verdict.text, verdict.title);
    this.set('topProb', column, m ? `${m.meanTop.toFixed(3)} (digits ${m.heldOutMeanTop.toFixed(3)})` : none, why);
    const shares = m ? m.shares.map((x, c) => `${c}: ${x.toFixed(3)}`).join(', ') : why;
    this.set('classes', column, m ? `smallest ${m.minShare.toFixed(3)}` : none, shares);
    const memo = m ? memorisationText(m.memorisation) : { text: none, title: why };
    this.set('memo', column, memo.text, memo.title);
  }
}

/**
 * The samples' mode weights beside the mixture's: every mode when there are few (`0.213 / 0.787 (data 0.2 / 0.8)`),
 * else the largest difference beside what a draw of the data itself gives; every mode in the title.
 */
export function modeWeightsText(m: ModeWeights): { text: string; title: string } {
  const f = (x: number) => x.toFixed(3);
  const g = (x: number) => String(Number(x.toFixed(3)));
  const text =
    m.weights.length <= 4
      ? `${m.fractions.map(f).join(' / ')} (data ${m.weights.map(g).join(' / ')})`
      : `off by ≤ ${f(m.maxAbsError)} (data draw ${f(m.twinMaxAbsError)})`;
  const at = (c: number[]) => c.map((v) => String(Number(v.toPrecision(3)))).join(', ');
  const modes = m.centres.map((c, k) => `mode ${k + 1} at (${at(c)}): ${f(m.fractions[k])} of the samples, weight ${g(m.weights[k])}`);
  const title = [
    ...modes,
    `off every mode: ${f(m.offMode)}`,
    `largest difference ${f(m.maxAbsError)}; of a draw of 2000 points of the data: ${f(m.twinMaxAbsError)}`,
  ].join('\n');
  return { text, title };
}
