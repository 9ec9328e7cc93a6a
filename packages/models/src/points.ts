import { InputError } from '@scorefield/core-math';

/** A set of points: `rows` points of dimension `cols`, row-major. */
export interface Points {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** Throws unless every value of `p` is finite and its shape is consistent; `what` names it in the message. */
export function checkPoints(p: Points, what: string): void {
  if (!Number.isInteger(p.rows) || p.rows < 1 || !Number.isInteger(p.cols) || p.cols < 1) {
    throw new InputError(`${what}: need at least one point of dimension >= 1, got ${p.rows} x ${p.cols}`);
  }
  if (p.data.length !== p.rows * p.cols) {
    throw new InputError(`${what}: ${p.data.length} values do not make ${p.rows} points of dimension ${p.cols}`);
  }
  for (let i = 0; i < p.data.length; i++) {
    if (!Number.isFinite(p.data[i])) {
      throw new InputError(
        `${what}: point ${Math.floor(i / p.cols) + 1}, coordinate ${(i % p.cols) + 1} is ${p.data[i]}, not a finite number`,
      );
    }
  }
}
