/**
 * The heat map under the field: what it shows, scaled to [0, 1], and its colours.
 *
 * - density: a density the model has. An energy model's exp(-E(x)) at the level the field is drawn at
 *   (unnormalised, scaled to its maximum); a continuous-time score model's probability-flow ODE likelihood
 *   (density.ts). A score model trained at one noise level has no density (a line integral of its score
 *   is not one where the score is not a gradient: it put bright blobs away from the data), so for it the
 *   page offers |s| instead.
 * - norm: |s(x)| on a log scale.
 * - error: |s - s_true| where the exact score of the data is known.
 */
import type { Range } from './protocol.js';
import * as detMath from '@scorefield/core-math/det-math';

export type HeatMode = 'density' | 'norm' | 'error' | 'none';

export interface FieldSnapshot {
  step: number;
  range: Range;
  grid: number;
  score: Float32Array;
  /** Energy models: E(x) on the grid. */
  energy?: Float32Array;
  /** Noise-conditional models: the level the field is drawn at (standardised units). */
  sigma?: number;
  trueScore?: Float32Array;
  noise: number;
}

/** The ODE density on its own (coarser) grid. */
export interface DensityGrid {
  step: number;
  grid: number;
  logp: Float32Array;
}

export interface HeatImage {
  /** Values in [0, 1] on a grid x grid image, row 0 at the bottom of the view. */
  t: Float32Array;
  grid: number;
  /** What the colours mean. */
  legend: string;
  /** The values at t = 0 and t = 1, for the colour bar (its unit is in the legend). */
  range: [number, number];
}

/** A blue-teal ramp (dark to light) with no warm colour in it, so orange particles and magenta true-score arrows stand out on it. */
export const HEAT_STOPS: [number, number, number][] = [
  [11, 10, 26],
  [47, 47, 99],
  [46, 111, 158],
  [53, 171, 159],
  [143, 224, 192],
];

export function heatColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(x)),
    f = x - i;
  const a = HEAT_STOPS[i],
    b = HEAT_STOPS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))) as [number, number, number];
}

/** exp(v - max v) scaled to [0, 1]: a density from its logarithm, up to its normalising constant. */
function fromLog(logp: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let k = 0; k < logp.length; k++) if (Number.isFinite(logp[k])) max = Math.max(max, logp[k]);
  return Float32Array.from(logp, (v) => (Number.isFinite(v) ? detMath.exp(v - max) : 0));
}

/** The density a model has: exp(-E) of an energy model, the ODE likelihood of a continuous score model, or none. */
export type DensityKind = 'energy' | 'ode' | null;

/**
 * Why the density choice draws |s| instead of a density: the model has none ('none'), or it is a continuous model
 * whose ODE density is computed only when the model stands still (`untrained` at step 0, `training` while it
 * trains, `computing` while the job worker integrates it). Null: a density is drawn.
 */
export type DensityWait = 'none' | 'untrained' | 'training' | 'computing';

/** What the density choice of the heat map draws for a run now (its density, or |s| and why). */
export function densityWait(kind: DensityKind, run: { running: boolean; step: number; density: DensityGrid | null }): DensityWait | null {
  if (kind === 'energy') return null;
  if (kind === null) return 'none';
  if (run.density) return null; // the latest computed one, said to be of its step when older
  return run.running ? 'training' : run.step === 0 ? 'untrained' : 'computing';
}

/** What |s| stands in for, in the legend on the view and in the heat map control (the two say the same). */
const waitNotes: Record<DensityWait, string> = {
  none: 'this model has no density',
  untrained: 'density after training',
  training: 'density after training',
  computing: 'computing the density…',
};

/**
 * The text of the heat map control's density choice: what it draws now for each run (one text when the runs agree).
 * `stale`: the step of the ODE density drawn when it is older than the model.
 */
export function densityChoiceText(runs: { kind: DensityKind; wait: DensityWait | null; stale?: number }[]): string {
  const texts = runs.map(({ kind, wait, stale }) => {
    if (kind === 'energy') return 'density exp(−E)';
    if (wait === 'none') return 'density: none, |s|';
    if (wait) return `|s| (${waitNotes[wait]})`;
    return stale === undefined ? 'density (ODE)' : `density (ODE, step ${stale})`;
  });
  return texts.every((t) => t === texts[0]) ? texts[0] : 'density, where there is one';
}

/**
 * The heat image of a mode for a field (and the ODE density, when computed), or null when the mode has nothing to
 * show. `wait`: why the density choice shows |s| (densityWait), said in the legend.
 */
export function heatValues(
  f: FieldSnapshot,
  mode: HeatMode,
  density: DensityGrid | null,
  wait: DensityWait | null = null,
): HeatImage | null {
  const n = f.grid * f.grid;
  if (mode === 'density' && f.energy) {
    return { t: fromLog(f.energy.map((e) => -e)), grid: f.grid, legend: 'density exp(−E), relative', range: [0, 1] };
  }
  if (mode === 'density' && density) {
    const stale = density.step === f.step ? '' : ` (step ${density.step})`;
    return {
      t: fromLog(density.logp),
      grid: density.grid,
      legend: `density p(x) by the ODE${stale}, relative`,
      range: [0, 1],
    };
  }
  if (mode === 'norm' || (mode === 'density' && !f.energy && !density)) {
    let max = 0;
    const t = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      t[k] = detMath.log1p(detMath.hypot(f.score[2 * k], f.score[2 * k + 1]));
      if (Number.isFinite(t[k])) max = Math.max(max, t[k]);
    }
    for (let k = 0; k < n; k++) t[k] /= max || 1;
    const note = mode === 'density' && wait ? ` (${waitNotes[wait]})` : '';
    return { t, grid: f.grid, legend: `|s(x)|, log scale${note}`, range: [0, detMath.expm1(max)] };
  }
  if (mode === 'error' && f.trueScore) {
    const err = new Float32Array(n);
    for (let k = 0; k < n; k++) err[k] = detMath.hypot(f.score[2 * k] - f.trueScore[2 * k], f.score[2 * k + 1] - f.trueScore[2 * k + 1]);
    const sorted = Float32Array.from(err).sort();
    const top = sorted[Math.floor(0.95 * (n - 1))] || 1;
    return { t: err.map((e) => e / top), grid: f.grid, legend: 'error |s − s_true| (to its 95th percentile)', range: [0, top] };
  }
  return null;
}

/** Paints heat values into a g x g canvas (row 0 = bottom of the view). */
export function paintHeat(target: HTMLCanvasElement, g: number, t: Float32Array): void {
  target.width = g;
  target.height = g;
  const ctx = target.getContext('2d')!;
  const img = ctx.createImageData(g, g);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const [r, gr, b] = heatColour(t[i * g + j]);
      const o = 4 * ((g - 1 - i) * g + j);
      img.data[o] = r;
      img.data[o + 1] = gr;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
