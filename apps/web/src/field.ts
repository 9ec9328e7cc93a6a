/** Grid geometry and field post-processing (pure, shared by the worker and the page; unit-tested). */
import type { Range } from './protocol.js';
import * as detMath from '@scorefield/core-math/det-math';

/**
 * The square view box of a point set: the 0.5%..99.5% quantiles of each coordinate, widened by 15% and
 * made square (the same scale on both axes, so arrows keep their angles).
 */
export function viewRange(p: { data: ArrayLike<number>; rows: number }): Range {
  const n = p.rows,
    stride = Math.max(1, Math.floor(n / 5000));
  const xs: number[] = [],
    ys: number[] = [];
  for (let i = 0; i < n; i += stride) {
    xs.push(p.data[2 * i]);
    ys.push(p.data[2 * i + 1]);
  }
  const q = (v: number[], f: number) => v[Math.min(v.length - 1, Math.max(0, Math.round(f * (v.length - 1))))];
  xs.sort((a, b) => a - b);
  ys.sort((a, b) => a - b);
  const lo = [q(xs, 0.005), q(ys, 0.005)],
    hi = [q(xs, 0.995), q(ys, 0.995)];
  const cx = (lo[0] + hi[0]) / 2,
    cy = (lo[1] + hi[1]) / 2;
  const half = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-6) * 0.5 * 1.3;
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/** The G x G cell centres of a range, row-major with y increasing from y0: point (i, j) at row i * G + j. */
export function gridPoints(r: Range, g: number): { data: Float32Array; rows: number; cols: number } {
  const data = new Float32Array(g * g * 2);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      data[2 * (i * g + j)] = r.x0 + ((j + 0.5) * (r.x1 - r.x0)) / g;
      data[2 * (i * g + j) + 1] = r.y0 + ((i + 0.5) * (r.y1 - r.y0)) / g;
    }
  }
  return { data, rows: g * g, cols: 2 };
}

/** A cheap fingerprint of a field (for tests and the status line): the mean |s| and a rolling hash of the rounded values. */
export function fieldSignature(score: Float32Array): { meanNorm: number; hash: number } {
  let sum = 0,
    hash = 2166136261;
  for (let k = 0; k < score.length; k += 2) {
    sum += detMath.hypot(score[k], score[k + 1]);
    hash = Math.imul(hash ^ Math.round(score[k] * 1e3), 16777619) >>> 0;
    hash = Math.imul(hash ^ Math.round(score[k + 1] * 1e3), 16777619) >>> 0;
  }
  return { meanNorm: sum / (score.length / 2), hash };
}
