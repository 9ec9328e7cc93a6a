import { ConditioningCode, ModelKindCode, PoolConfig, SamplerConfig, StepMode } from './contract';
import { guardMixtureScores } from './mixture';
import { modelScoreWithSkip, modelWorkspaceFloats } from './model';
import { normalAt } from './rng';
import { mlpMacsPerRow } from './layout';
import { poolBlock, poolPassDone, poolThreadsFor, runJob, setJobArg, shareStart } from './pool';
import { JOB_SAMPLER } from './jobs';

// The stochastic step every sampler is made of, on particles x[n, d] with a score model at noise sigma:
//   mode Affine:   x <- a x + b s(x; sigma) + c z
//       Langevin (a = 1, b = alpha/2, c = sqrt(alpha); see: Song & Ermon 2019, eq. 4), one annealed
//       level, a reverse-diffusion predictor (see: Song et al. 2021, eq. 46-47), a denoising step (c = 0).
//   mode Lm:       x <- a x + b s(x; sigma) + c (z_t + z_{t+1}) / 2, z_{t+1} the noise of the next step (the next
//       call's first when this call's steps end: its counter is where the rng stands after the call), so a run in
//       several calls is one chain. Langevin with a = 1, b = alpha/2, c = sqrt(alpha) is the Leimkuhler-Matthews
//       scheme, exact in law on Gaussians (see: Leimkuhler & Matthews 2013; packages/models samplers/langevin.ts).
//   mode Corrector: Langevin corrector with a signal-to-noise-adaptive step,
//       eps = 2 a (b mean|z| / mean|s|)^2,  x <- x + eps s + sqrt(2 eps) z   (a = alpha_i, b = snr)
//       (see: Song et al. 2021, Algorithm 5). The norms are means over each chunk of B particles (the
//       reference takes the whole batch), so splits into workers must align to chunks (B = 256).
// The noise for (step t, particle i, coordinate j) is the normal at counter base + (t * nTotal + i) * d + j,
// so results do not depend on the chunk size or on how particles are split across workers.
// A 'mixture' model's score is guarded before the step (guardMixtureScores, assembly/mixture.ts), and so is the score
// of a VE-type model given the data's box (guardDenoiser below; a given score is guarded in place).
// Coordinates with mask[j] != 0 are reset to held[i, j] after every step (inpainting); mask = 0: none.
// A caller that already has the score at x (given != 0: the Stein check's, before a final denoising step) passes it
// for a one-step call, which then reads it instead of running the model: the same step, one evaluation fewer.
// Threads (assembly/pool.ts): chunks are independent through all the steps (their noise positions are fixed,
// the corrector's norms are per chunk), so each thread takes a contiguous share of whole chunks, with its own
// workspace: the bits of one thread.

/**
 * Runs the steps the SamplerConfig block cfg describes on particles x[n, d] (in place), which are particles
 * first..first+n-1 of total (held, when given, is [n, d] like x). Chunks of B = chunk particles: ws sized by
 * modelWorkspaceFloats(B), score holds B*d floats. Advances the rng counter by steps * total * d.
 */
export function samplerSteps(cfg: usize, dims: usize, L: i32, act: i32, params: usize, x: usize, rng: usize, ws: usize,
  score: usize): void {
  const config = changetype<SamplerConfig>(cfg);
  const chunks = (config.n + config.chunk - 1) / config.chunk;
  // Its size: the score's forward rows over every step (an energy model's gradient adds a reverse pass, about twice
  // that: counted as one, so a sampler splits a little early rather than late; it has no barrier, one dispatch a call).
  const work = <f64>config.n * <f64>config.steps * mlpMacsPerRow(dims, L), T = poolThreadsFor(work);
  if (T == 1 || chunks == 1) samplerShare(cfg, dims, L, act, params, x, rng, ws, score, 0, 1);
  else {
    setJobArg(0, <i32>cfg); setJobArg(1, <i32>dims); setJobArg(2, L); setJobArg(3, act); setJobArg(4, <i32>params);
    setJobArg(5, <i32>x); setJobArg(6, <i32>rng); setJobArg(7, <i32>ws); setJobArg(8, <i32>score);
    runJob(JOB_SAMPLER);
  }
  poolPassDone(work);
  store<u64>(rng, load<u64>(rng, 8) + <u64>config.steps * <u64>config.total * <u64>config.d, 8);
}

/**
 * Thread id's share (of T) of {@link samplerSteps}: a contiguous run of whole chunks. Threads other than the
 * caller use their workspace of the pool (PoolConfig.workspace: ws, then score).
 */
export function samplerShare(cfg: usize, dims: usize, L: i32, act: i32, params: usize, x: usize, rng: usize, ws: usize,
  score: usize, id: i32, T: i32): void {
  const config = changetype<SamplerConfig>(cfg);
  const kind = config.kind, cond = config.conditioning, sigma = config.sigma, mode = config.mode;
  const a = config.a, b = config.b, c = config.c, mask = config.mask, held = config.held, given = config.given;
  const n = config.n, d = config.d, i0 = config.first, nTotal = config.total, steps = config.steps, B = config.chunk;
  const seed = load<u64>(rng);
  const base = load<u64>(rng, 8);
  if (id > 0) {
    const pool = changetype<PoolConfig>(poolBlock());
    ws = pool.workspace + (<usize>(id - 1) * <usize>pool.workspaceFloats << 2);
    score = ws + (<usize>modelWorkspaceFloats(dims, L, B) << 2);
  }
  const chunks = (n + B - 1) / B;
  const next = <u64>nTotal * <u64>d; // the same coordinate's noise one step later (Lm)
  // A 'mixture' model's score is guarded (assembly/mixture.ts): its skip goes where modelScore's input gradient was,
  // left there by the model's evaluation (the same bits as the guard computing it again), or computed by the guard
  // when the score was given.
  const mixture = (cond & ConditioningCode.Mixture) != 0, skip = ws + (<usize>(B * load<i32>(dims)) << 2);
  const shared = mixture && given == 0 && kind == ModelKindCode.Score;
  for (let c0 = shareStart(chunks, id, T, 1) * B; c0 < min(n, shareStart(chunks, id + 1, T, 1) * B); c0 += B) {
    const nb = min(B, n - c0);
    const xc = x + (<usize>(c0 * d) << 2);
    for (let t = 0; t < steps; t++) {
      if (given != 0) score = given + (<usize>(c0 * d) << 2);
      else modelScoreWithSkip(kind, cond, sigma, config.gaussian, dims, L, act, params, xc, nb, score, ws, shared ? skip : 0);
      if (mixture) guardMixtureScores(config.gaussian, sigma, xc, score, nb, d, skip, shared);
      if (config.lower != 0 && sigma > 0) guardDenoiser(config.lower, config.upper, sigma, xc, score, nb, d);
      const counter0 = base + (<u64>t * <u64>nTotal + <u64>(i0 + c0)) * <u64>d;
      let eps: f64 = 0, noise: f64 = 0;
      if (mode == StepMode.Corrector) {
        let gradNorm: f64 = 0, noiseNorm: f64 = 0;
        for (let p = 0; p < nb; p++) {
          let s2: f64 = 0, z2: f64 = 0;
          for (let j = 0; j < d; j++) {
            const sj = <f64>load<f32>(score + (<usize>(p * d + j) << 2));
            const zj = normalAt(seed, counter0 + <u64>(p * d + j));
            s2 += sj * sj;
            z2 += zj * zj;
          }
          gradNorm += Math.sqrt(s2);
          noiseNorm += Math.sqrt(z2);
        }
        const ratio = gradNorm > 0 ? <f64>b * noiseNorm / gradNorm : 0.0;
        eps = 2.0 * <f64>a * ratio * ratio;
        noise = Math.sqrt(2.0 * eps);
      }
      for (let p = 0; p < nb; p++) {
        const row = <usize>(p * d) << 2;
        const counterRow = counter0 + <u64>(p * d);
        if (mode == StepMode.Affine) {
          for (let j = 0; j < d; j++) {
            const q = row + (<usize>j << 2);
            const z: f32 = c != 0 ? <f32>normalAt(seed, counterRow + <u64>j) : 0;
            store<f32>(xc + q, a * load<f32>(xc + q) + b * load<f32>(score + q) + c * z);
          }
        } else if (mode == StepMode.Lm) {
          for (let j = 0; j < d; j++) {
            const q = row + (<usize>j << 2);
            const k = counterRow + <u64>j;
            const z: f32 = c != 0 ? <f32>(0.5 * (normalAt(seed, k) + normalAt(seed, k + next))) : 0;
            store<f32>(xc + q, a * load<f32>(xc + q) + b * load<f32>(score + q) + c * z);
          }
        } else {
          for (let j = 0; j < d; j++) {
            const q = row + (<usize>j << 2);
            const zj = normalAt(seed, counterRow + <u64>j);
            store<f32>(xc + q, <f32>(<f64>load<f32>(xc + q) + eps * <f64>load<f32>(score + q) + noise * zj));
          }
        }
        if (mask != 0) {
          for (let j = 0; j < d; j++) {
            if (load<f32>(mask + (<usize>j << 2)) != 0) {
              const q = row + (<usize>j << 2);
              store<f32>(xc + q, load<f32>(held + (<usize>(c0 * d) << 2) + q));
            }
          }
        }
      }
    }
  }
}

/**
 * The guard of a VE-type model's score by the data's box (this project's choice, as the mixture's guard): under
 * x = x0 + sigma z, Tweedie's D = x + sigma^2 s = E[x0 | x] lies in the convex hull of the data, so within its range
 * [lower_j, upper_j] in every coordinate. Where the network's D leaves the box (far from the data, where it was never
 * trained: on a 2-D mixture a few chains in 10^4 settled 2 std beyond the outer mode: packages/models README) the coordinate's
 * score is set so that D is the nearest bound; elsewhere s is left unchanged, bit for bit. The true score always
 * passes unchanged. see: Efron 2011, "Tweedie's Formula and Selection Bias"; Vincent 2011 (x + sigma^2 s).
 */
function guardDenoiser(lower: usize, upper: usize, sigma: f32, x: usize, s: usize, B: i32, d: i32): void {
  const s2 = sigma * sigma;
  for (let p = 0; p < B; p++) {
    for (let j = 0; j < d; j++) {
      const q = <usize>(p * d + j) << 2, b = <usize>j << 2;
      const xj = load<f32>(x + q), D = xj + s2 * load<f32>(s + q);
      const lo = load<f32>(lower + b), hi = load<f32>(upper + b);
      if (D < lo) store<f32>(s + q, (lo - xj) / s2);
      else if (D > hi) store<f32>(s + q, (hi - xj) / s2);
    }
  }
}
