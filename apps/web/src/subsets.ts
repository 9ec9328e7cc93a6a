/**
 * Seeded random subsets of a point set, for what the page shows and measures against. An even stride
 * (every k-th point) lines up with how some datasets are generated (pinwheel draws its arms in turn:
 * every 5th point is one arm), so the rows are drawn at random, without replacement, from a seeded
 * generator: the same seed gives the same subset in Node and in the browser.
 */

/** Points [rows, 2] (data units). */
export interface Points2 {
  data: ArrayLike<number>;
  rows: number;
}

/** A small counter-based generator (splitmix32 of a counter): uniform in [0, 1), the same bits everywhere. */
export function seededUniform(seed: number): () => number {
  let counter = seed >>> 0;
  return () => {
    counter = (counter + 0x9e3779b9) >>> 0;
    let z = counter;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/**
 * Indices of min(k, rows) distinct rows of `rows` chosen uniformly at random (a partial Fisher-Yates
 * shuffle over a sparse map, O(k) memory), in the order drawn.
 */
export function randomRows(rows: number, k: number, seed: number): Uint32Array {
  const n = Math.min(k, rows);
  const next = seededUniform(seed);
  const moved = new Map<number, number>();
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(next() * (rows - i));
    const at = (r: number) => moved.get(r) ?? r;
    out[i] = at(j);
    moved.set(j, at(i));
  }
  return out;
}

/** min(k, rows) rows of `p` drawn at random without replacement. */
export function randomSubset(p: Points2, k: number, seed: number): Float32Array {
  const idx = randomRows(p.rows, k, seed);
  const out = new Float32Array(2 * idx.length);
  idx.forEach((r, i) => {
    out[2 * i] = p.data[2 * r];
    out[2 * i + 1] = p.data[2 * r + 1];
  });
  return out;
}

/**
 * Two disjoint random subsets of `p`: a reference of up to `refRows` rows and a twin of up to `twinRows`
 * other rows (fewer when the data are short), as two independent draws of the data for a metric and its floor.
 */
export function disjointSubsets(
  p: Points2,
  refRows: number,
  twinRows: number,
  seed: number,
): { reference: Float32Array; twin: Float32Array } {
  const ref = Math.min(refRows, Math.ceil(p.rows / 2));
  const twin = Math.min(twinRows, p.rows - ref);
  const idx = randomRows(p.rows, ref + twin, seed);
  const take = (from: number, to: number) => {
    const out = new Float32Array(2 * (to - from));
    for (let i = from; i < to; i++) {
      out[2 * (i - from)] = p.data[2 * idx[i]];
      out[2 * (i - from) + 1] = p.data[2 * idx[i] + 1];
    }
    return out;
  };
  return { reference: take(0, ref), twin: take(ref, ref + twin) };
}
