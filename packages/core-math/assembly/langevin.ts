import { modelScore } from './model';
import { normalAt } from './rng';

// Unadjusted Langevin dynamics with a score model: x <- x + (alpha/2) s(x; sigma) + sqrt(alpha) z.
// see: Song & Ermon 2019, eq. (4) (their step eps maps to alpha: same convention).
// The noise for (step t, particle i, coordinate j) is the normal at counter
// base + (t * nTotal + i) * d + j, so results do not depend on the chunk size or on how particles
// are split across workers.

/**
 * Runs `steps` Langevin steps on particles x[n, d] (in place), which are particles i0..i0+n-1 of
 * nTotal. Processes chunks of B particles (ws sized by modelWorkspaceFloats(B), score holds B*d floats).
 * Advances the rng counter by steps * nTotal * d.
 */
export function langevinModel(kind: i32, cond: i32, sigma: f32, dims: usize, L: i32, act: i32, params: usize,
  x: usize, n: i32, d: i32, i0: i32, nTotal: i32, steps: i32, alpha: f32, rng: usize, ws: usize, score: usize, B: i32): void {
  const seed = load<u64>(rng);
  const base = load<u64>(rng, 8);
  const half: f32 = 0.5 * alpha;
  const noiseScale = <f32>Math.sqrt(<f64>alpha);
  for (let c0 = 0; c0 < n; c0 += B) {
    const nb = min(B, n - c0);
    const xc = x + (<usize>(c0 * d) << 2);
    for (let t = 0; t < steps; t++) {
      modelScore(kind, cond, sigma, dims, L, act, params, xc, nb, score, ws);
      const counter0 = base + (<u64>t * <u64>nTotal + <u64>(i0 + c0)) * <u64>d;
      for (let k = 0; k < nb * d; k++) {
        const p = <usize>k << 2;
        const z = <f32>normalAt(seed, counter0 + <u64>k);
        store<f32>(xc + p, load<f32>(xc + p) + half * load<f32>(score + p) + noiseScale * z);
      }
    }
  }
  store<u64>(rng, base + <u64>steps * <u64>nTotal * <u64>d, 8);
}
