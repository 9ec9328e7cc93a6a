/**
 * Plot ranges and evaluation grids for 2-D data. Points are always interleaved
 * `[x0, y0, x1, y1, …]` (row-major `[n, 2]`), as in the rest of scorefield.
 */
import { checkNotDetached } from './detached.js';

/** A closed interval `[lo, hi]` in data units, lo < hi. */
export type Range = [number, number];

/**
 * Cell-centred grid over a rectangle: the rectangle is cut into `nx × ny` equal cells and
 * each cell contributes its centre, so no point sits on the border (where a field is often
 * least interesting) and a heat map of per-point values tiles the rectangle exactly.
 * @param xRange x interval `[lo, hi]`
 * @param yRange y interval `[lo, hi]`
 * @param nx cells along x (positive integer)
 * @param ny cells along y (positive integer)
 * @returns `Float64Array` of length `2·nx·ny`, row-major `[nx·ny, 2]`: point `k = j·nx + i`
 *   is `(x_i, y_j)` with `x_i = lo + (i + ½)·(hi − lo)/nx` (x varies fastest, y increases with j)
 */
export function gridPoints(xRange: Range, yRange: Range, nx: number, ny: number): Float64Array {
  checkRange('xRange', xRange);
  checkRange('yRange', yRange);
  if (!Number.isInteger(nx) || nx < 1) throw new Error(`gridPoints: nx must be a positive integer, got ${nx}`);
  if (!Number.isInteger(ny) || ny < 1) throw new Error(`gridPoints: ny must be a positive integer, got ${ny}`);
  const out = new Float64Array(2 * nx * ny);
  const dx = (xRange[1] - xRange[0]) / nx;
  const dy = (yRange[1] - yRange[0]) / ny;
  for (let j = 0; j < ny; j++) {
    const y = yRange[0] + (j + 0.5) * dy;
    for (let i = 0; i < nx; i++) {
      const k = 2 * (j * nx + i);
      out[k] = xRange[0] + (i + 0.5) * dx;
      out[k + 1] = y;
    }
  }
  return out;
}

/**
 * Bounds of several interleaved 2-D point sets, padded and made square so the plot can use
 * equal aspect (one data unit has the same length on both axes, so directions and distances
 * in a score field are not distorted).
 *
 * Steps: the bounding box of every point whose x and y are both finite; each side padded by
 * `pad × span` of its axis; then the shorter axis is widened about its centre to the longer
 * span. With no finite points the result is `[-1, 1] × [-1, 1]`; when all points coincide
 * (zero span) the box is `±1` around them.
 * @param arrays point sets, each `[x0, y0, x1, y1, …]`; a trailing odd value is ignored
 * @param pad padding as a fraction of the span on each side (default 0.1; negative → 0)
 * @returns `{ x, y }` ranges with `x[1] − x[0] === y[1] − y[0] > 0`
 */
export function dataRange(arrays: ArrayLike<number>[], pad = 0.1): { x: Range; y: Range } {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const a of arrays) {
    checkNotDetached('dataRange: an array', a);
    for (let k = 0; k + 1 < a.length; k += 2) {
      const x = a[k],
        y = a[k + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (!(x0 <= x1)) return { x: [-1, 1], y: [-1, 1] };
  const p = Number.isFinite(pad) && pad > 0 ? pad : 0;
  const span = Math.max(x1 - x0, y1 - y0) * (1 + 2 * p);
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  // Zero span (one distinct point) or a span lost to rounding at huge magnitudes: use ±1.
  let half = span / 2;
  if (!(half > 0) || cx - half === cx + half || cy - half === cy + half) half = Math.max(1, Math.abs(cx) * 1e-9, Math.abs(cy) * 1e-9);
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

/**
 * Throw a clear error unless `r` is a finite, non-empty interval.
 * @param name what the range is called in the message
 * @param r the candidate range
 */
export function checkRange(name: string, r: Range): void {
  if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[1] > r[0])) {
    throw new Error(`${name} must be [lo, hi] with finite lo < hi, got ${JSON.stringify(r)}`);
  }
}
