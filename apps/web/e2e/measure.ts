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

/**
 * Where the noise-level readout under a view (`#level-out-a` or `-b`) does not fit: cut inside its own box (scrollWidth
 * beyond clientWidth, or an ellipsis), the slider's row wider than itself, or the text past the right edge of the view
 * above it (where the next column starts). An empty list when it all shows.
 */
export async function sigmaOverflow(h: Harness, pane: 'a' | 'b' = 'a'): Promise<string[]> {
  return (await h.page.evaluate(
    `(() => {
      const out = document.querySelector('#level-out-${pane}'), row = document.querySelector('#sigma-${pane}');
      const view = document.querySelector('#pane-${pane} canvas');
      const problems = [], text = JSON.stringify(out.textContent);
      if (out.scrollWidth > out.clientWidth) problems.push(text + ': scrollWidth ' + out.scrollWidth + ' > clientWidth ' + out.clientWidth);
      if (getComputedStyle(out).textOverflow === 'ellipsis') problems.push(text + ': cut with an ellipsis');
      if (row.scrollWidth > row.clientWidth) problems.push('its row: scrollWidth ' + row.scrollWidth + ' > clientWidth ' + row.clientWidth);
      const right = out.getBoundingClientRect().right, edge = view.getBoundingClientRect().right;
      if (right > edge + 0.5) problems.push(text + ': ends at ' + right.toFixed(1) + ' px, the view at ' + edge.toFixed(1));
      return problems;
    })()`,
  )) as string[];
}
