import type { MixtureComponent } from '@scorefield/core-math';
import * as detMath from '@scorefield/core-math/det-math';

/** Points in data units, row-major. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/**
 * log p and the score of a Gaussian mixture blurred by independent noise of variance noiseVar[k] along
 * coordinate k (data units; none when empty). A noise-conditional model read at sigma (standardised
 * units) describes the data plus N(0, (sigma std_k)^2) along coordinate k in data units: pass
 * noiseVar = (sigma std_k)^2 to compare like with like.
 */
export function perturbedMixture(comps: readonly MixtureComponent[], x: Matrix, noiseVar: readonly number[] = []) {
  const d = x.cols,
    logp = new Float64Array(x.rows),
    score = new Float64Array(x.rows * d);
  const terms = new Float64Array(comps.length);
  for (let i = 0; i < x.rows; i++) {
    comps.forEach((c, k) => {
      let t = detMath.log(c.weight);
      for (let j = 0; j < d; j++) {
        const v = c.std ** 2 + (noiseVar[j] ?? 0);
        t += -0.5 * detMath.log(2 * Math.PI * v) - (x.data[i * d + j] - c.mean[j]) ** 2 / (2 * v);
      }
      terms[k] = t;
    });
    let top = -Infinity;
    for (const t of terms) top = Math.max(top, t);
    let z = 0;
    for (const t of terms) z += detMath.exp(t - top);
    logp[i] = top + detMath.log(z);
    comps.forEach((c, k) => {
      const r = detMath.exp(terms[k] - logp[i]);
      for (let j = 0; j < d; j++) score[i * d + j] += (r * (c.mean[j] - x.data[i * d + j])) / (c.std ** 2 + (noiseVar[j] ?? 0));
    });
  }
  return { logp, score };
}
