// Test fixtures: seeded Gaussian point clouds and the normal CDF. Not part of the build.
import type { Points } from '../points.js';
import { createRng } from '../rng.js';

/** n points from N(mean, sd^2 I) in d = mean.length dimensions, from the seeded stream. */
export function gaussianPoints(n: number, mean: number[], sd: number, seed: number): Points & { data: Float64Array } {
  const d = mean.length;
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) data[i * d + k] = mean[k] + sd * rng.normal();
  return { data, rows: n, cols: d };
}

/** Points from a plain list of rows. */
export function pts(rows: number[][]): Points & { data: Float64Array } {
  const cols = rows[0]?.length ?? 1;
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols };
}

/** Sample mean and standard deviation (n - 1 denominator). */
export function meanSd(v: number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, sd };
}

/** Standard normal CDF via erfc (W. J. Cody-style rational approx, Numerical Recipes erfc, |err| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Composite Simpson integral of f on [a, b] with n (even) intervals. */
export function simpson(f: (x: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (s * h) / 3;
}
