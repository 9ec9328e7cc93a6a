import { emptyArrayMessage, InputError } from '@scorefield/core-math';

/** A set of points: `rows` points of dimension `cols`, row-major. */
export interface Points {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/**
 * Checks `p` (shape, finite values, not an empty or detached array) and returns a copy the library owns, so
 * nothing the caller holds is read after the library has allocated: a view into WASM memory (e.g.
 * `datasetSample(...).view`) is detached when the memory grows. `what` names the points in messages.
 */
export function checkPoints(p: Points, what: string): Points {
  if (!Number.isInteger(p.rows) || p.rows < 1 || !Number.isInteger(p.cols) || p.cols < 1) {
    throw new InputError(`${what}: need at least one point of dimension >= 1, got ${p.rows} x ${p.cols}`);
  }
  if (p.data.length === 0) throw new InputError(emptyArrayMessage(what, p.data));
  if (p.data.length !== p.rows * p.cols) {
    throw new InputError(`${what}: ${p.data.length} values do not make ${p.rows} points of dimension ${p.cols}`);
  }
  const data = Float64Array.from(p.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InputError(
        `${what}: point ${Math.floor(i / p.cols)}, coordinate ${i % p.cols} (both 0-based) is ${data[i]}, not a finite number`,
      );
    }
  }
  return { data, rows: p.rows, cols: p.cols };
}
