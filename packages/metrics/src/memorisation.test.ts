import { describe, expect, it } from 'vitest';
import { MetricError } from './errors.js';
import { memorisation, nearestDistances } from './memorisation.js';
import { checkPoints } from './points.js';
import { createRng } from './rng.js';
import { gaussianPoints, pts } from './testing/gaussian.js';

const D = 8;
const origin = new Array(D).fill(0);
const train = gaussianPoints(2000, origin, 1, 1);
const heldOut = gaussianPoints(500, origin, 1, 2);

/** `count` rows of `from`, picked by the seeded stream. */
function rowsOf(from: { data: Float64Array; cols: number; rows: number }, count: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(count * from.cols);
  for (let i = 0; i < count; i++) {
    const r = Math.floor(rng.uniform() * from.rows);
    out.set(from.data.subarray(r * from.cols, (r + 1) * from.cols), i * from.cols);
  }
  return out;
}

describe('memorisation', () => {
  it('finds the exact nearest neighbours (the pruning changes nothing), with copies, ties and varied norms', () => {
    const d = 40;
    const spread = gaussianPoints(300, new Array(d).fill(0), 1, 4);
    // norms from about 0 to 3 sqrt(d): scale point j by j / 100
    for (let j = 0; j < 300; j++) for (let k = 0; k < d; k++) spread.data[j * d + k] *= j / 100;
    const ref = checkPoints('t', 'r', spread);
    const queries = gaussianPoints(60, new Array(d).fill(0), 1.5, 3);
    queries.data.set(spread.data.subarray(17 * d, 19 * d), 0); // two exact copies
    const q = checkPoints('t', 'q', queries);
    const got = nearestDistances(q, ref);
    for (let i = 0; i < q.rows; i++) {
      let best = Number.POSITIVE_INFINITY;
      for (let j = 0; j < ref.rows; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (q.data[i * d + k] - ref.data[j * d + k]) ** 2;
        best = Math.min(best, s);
      }
      expect(got[i]).toBeCloseTo(Math.sqrt(best), 12);
    }
    expect([got[0], got[1]]).toEqual([0, 0]);
  });

  it('gives ratio 0 and closerShare 1 for exact copies of training points', () => {
    const copies = { data: rowsOf(train, 300, 5), rows: 300, cols: D };
    const r = memorisation(copies, train, heldOut);
    expect(r.ratio).toBe(0);
    expect(r.closerShare).toBe(1);
    expect(r.sampleMedian).toBe(0);
    expect(r.heldOutMedian).toBeGreaterThan(0);
  });

  it('gives a ratio near 1 and closerShare near q for new points from the data distribution', () => {
    const r = memorisation(gaussianPoints(1000, origin, 1, 6), train, heldOut);
    expect(r.ratio).toBeGreaterThan(0.93);
    expect(r.ratio).toBeLessThan(1.07);
    expect(r.closerShare).toBeGreaterThan(0.025);
    expect(r.closerShare).toBeLessThan(0.08);
    const q = memorisation(gaussianPoints(1000, origin, 1, 6), train, heldOut, { quantile: 0.25 });
    expect(q.closerShare).toBeGreaterThan(0.2);
    expect(q.closerShare).toBeLessThan(0.3);
  });

  it('sees a minority of copies in closerShare (0.3 copies: about 0.3 + 0.7 q) where the median ratio barely moves', () => {
    const fresh = gaussianPoints(700, origin, 1, 7);
    const data = new Float64Array(1000 * D);
    data.set(fresh.data, 0);
    data.set(rowsOf(train, 300, 8), 700 * D);
    const r = memorisation({ data, rows: 1000, cols: D }, train, heldOut);
    expect(r.closerShare).toBeGreaterThan(0.3);
    expect(r.closerShare).toBeLessThan(0.4);
    expect(r.ratio).toBeGreaterThan(0.75);
  });

  it('puts noisy samples, far from every training point, above 1', () => {
    const noisy = gaussianPoints(500, origin, 2, 9);
    const r = memorisation(noisy, train, heldOut);
    expect(r.ratio).toBeGreaterThan(1.5);
    expect(r.closerShare).toBeLessThan(0.01);
  });

  it('refuses bad input with one line', () => {
    const p = pts([
      [0, 0],
      [1, 1],
    ]);
    const bad: [() => unknown, string][] = [
      [() => memorisation(p, train, heldOut), 'memorisation: samples has dimension 2, train has dimension 8'],
      [() => memorisation(train, train, p), 'memorisation: heldOut has dimension 2, train has dimension 8'],
      [() => memorisation(train, train, heldOut, { quantile: 1 }), 'memorisation: quantile must be a number in (0, 1), got 1'],
      [() => memorisation(p, p, p), 'memorisation: the median distance of the held-out points to the training points is 0'],
      [() => memorisation({ data: [], rows: 0, cols: 8 }, train, heldOut), 'memorisation: samples has 0 points, need at least 1'],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrow(MetricError);
      expect(f).toThrow(message);
    }
  });
});
