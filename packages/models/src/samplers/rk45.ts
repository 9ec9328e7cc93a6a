import * as detMath from '@scorefield/core-math/det-math';

/**
 * Adaptive Runge-Kutta 5(4) of Dormand and Prince with an error-per-step controller: integrates
 * dy/dt = f(t, y) from t0 to t1 (either direction) in place on y.
 * see: Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving ODEs I, section II.4 (step control).
 */
export interface Rk45Options {
  rtol: number;
  atol: number;
  /** Most steps (accepted + rejected) before giving up. */
  maxSteps: number;
  /** Called after every accepted step with the new time. */
  onStep?: (t: number) => void;
}

const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
// 5th-order weights (the last row of A) minus the embedded 4th-order ones: the error estimate.
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

/** Integrates and returns the number of function evaluations. */
export function rk45(
  f: (t: number, y: Float64Array, out: Float64Array) => void,
  y: Float64Array,
  t0: number,
  t1: number,
  o: Rk45Options,
): number {
  const n = y.length,
    dir = Math.sign(t1 - t0);
  const k = Array.from({ length: 7 }, () => new Float64Array(n));
  const tmp = new Float64Array(n),
    next = new Float64Array(n);
  let t = t0,
    h = 0.01 * (t1 - t0),
    evals = 0;
  f(t, y, k[0]);
  evals++;
  for (let step = 0; dir * (t1 - t) > 1e-12 * Math.abs(t1 - t0); step++) {
    if (step >= o.maxSteps)
      throw new Error(`ODE solver: no convergence in ${o.maxSteps} steps at t = ${t.toPrecision(4)}; loosen --rtol/--atol`);
    if (dir * (t + h - t1) > 0) h = t1 - t;
    for (let s = 1; s < 7; s++) {
      for (let i = 0; i < n; i++) {
        let v = y[i];
        for (let j = 0; j < s; j++) v += h * A[s][j] * k[j][i];
        tmp[i] = v;
      }
      f(t + C[s] * h, tmp, k[s]);
      evals++;
      if (s === 6) next.set(tmp);
    }
    let err = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < 7; j++) e += E[j] * k[j][i];
      const scale = o.atol + o.rtol * Math.max(Math.abs(y[i]), Math.abs(next[i]));
      err += ((h * e) / scale) ** 2;
    }
    err = Math.sqrt(err / n);
    if (!Number.isFinite(err)) throw new Error(`ODE solver: non-finite state at t = ${t.toPrecision(4)}`);
    if (err <= 1) {
      t += h;
      y.set(next);
      k[0].set(k[6]); // first same as last
      o.onStep?.(t);
    }
    h *= Math.min(5, Math.max(0.2, 0.9 * detMath.pow(err, -0.2)));
  }
  return evals;
}
