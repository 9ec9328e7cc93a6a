/** Measurements the end-to-end tests make on what the page shows. */
import { viewRange } from '../src/field.js';
import type { Harness } from './harness.js';

/** Shares of points [x0, y0, ...] in `k` equal angular sectors around the origin. */
export function sectorShares(xy: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  const n = xy.length / 2;
  for (let i = 0; i < n; i++) {
    const a = Math.atan2(xy[2 * i + 1], xy[2 * i]) + Math.PI;
    counts[Math.min(k - 1, Math.floor((a / (2 * Math.PI)) * k))]++;
  }
  return counts.map((c) => c / n);
}

/**
 * How much brighter the heat map is where the data are: the view is read back with the arrows, data and
 * samples hidden, cut into 32 x 32 cells (leaving out the label, colour-bar and axis margins), and the mean
 * luminance of the cells holding data is divided by that of the other cells. A density is brighter on its data.
 */
export async function heatOnData(h: Harness, canvas = '#view'): Promise<number> {
  const { page } = h;
  const toggles = ['#show-arrows', '#show-data', '#show-samples', '#show-true'];
  const was = await Promise.all(toggles.map((t) => page.isChecked(t)));
  for (const [i, t] of toggles.entries()) if (was[i]) await page.uncheck(t);
  await page.waitForTimeout(300);
  const data = await h.api((s) => s.data()!);
  const range =
    (await h.api((s) => ('heatImage' in s ? (s.heatImage(0)?.range ?? null) : null))) ?? viewRange({ data, rows: data.length / 2 });
  const G = 32;
  const cells = (await page.evaluate(
    `(() => { const c = document.querySelector(${JSON.stringify(canvas)});
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const G = ${G}, w = c.width, out = new Array(G * G).fill(0), n = new Array(G * G).fill(0);
      for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
        const o = 4 * (y * w + x), k = Math.floor((y * G) / w) * G + Math.floor((x * G) / w);
        out[k] += 0.2126 * d[o] + 0.7152 * d[o + 1] + 0.0722 * d[o + 2]; n[k]++; }
      return out.map((v, k) => v / n[k]); })()`,
  )) as number[];
  const hasData = new Array<boolean>(G * G).fill(false);
  for (let i = 0; i < data.length; i += 2) {
    const cx = Math.floor(((data[i] - range.x0) / (range.x1 - range.x0)) * G),
      cy = Math.floor(((range.y1 - data[i + 1]) / (range.y1 - range.y0)) * G);
    if (cx >= 0 && cx < G && cy >= 0 && cy < G) hasData[cy * G + cx] = true;
  }
  let on = 0,
    nOn = 0,
    off = 0,
    nOff = 0;
  for (let r = 4; r < G - 3; r++)
    for (let c = 3; c < G - 3; c++) {
      const k = r * G + c;
      if (hasData[k]) {
        on += cells[k];
        nOn++;
      } else {
        off += cells[k];
        nOff++;
      }
    }
  for (const [i, t] of toggles.entries()) if (was[i]) await page.check(t);
  return on / Math.max(1, nOn) / Math.max(1e-9, off / Math.max(1, nOff));
}
