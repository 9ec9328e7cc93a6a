import { nextNormal, nextU64 } from './rng';
import { mlpForward, mlpBackward } from './mlp';

// Denoising score matching at one noise level.
// see: Vincent, "A connection between score matching and denoising autoencoders", 2011, eq. (7);
// Song & Ermon 2019, eq. (2). Loss = mean_b 1/2 ||s(x~) + (x~ - x)/sigma^2||^2, x~ = x + sigma z.

/** batch[B, d] = rows of data[N, d] drawn uniformly with replacement. */
export function gatherRandomRows(rng: usize, data: usize, N: i32, d: i32, batch: usize, B: i32): void {
  for (let b = 0; b < B; b++) {
    const row = <i32>((nextU64(rng) >> 32) * <u64>N >> 32); // multiply-shift: unbiased enough for N < 2^32
    memory.copy(batch + (<usize>(b * d) << 2), data + (<usize>(row * d) << 2), <usize>d << 2);
  }
}

/**
 * One DSM loss evaluation on batch x[B, d]: returns the loss and adds its parameter gradient to gparams.
 * noisy, score, gscore: [B, d] buffers the caller owns (noisy ends holding x~, score holding s(x~)).
 */
export function dsmLossGrad(dims: usize, L: i32, act: i32, params: usize, x: usize, B: i32, d: i32,
  sigma: f32, rng: usize, gparams: usize, ws: usize, noisy: usize, score: usize, gscore: usize): f64 {
  const n = B * d;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const z = <f32>nextNormal(rng);
    store<f32>(gscore + p, z); // keep z until the residual is formed
    store<f32>(noisy + p, load<f32>(x + p) + sigma * z);
  }
  mlpForward(dims, L, act, params, noisy, score, B, ws);
  // residual r = s + (x~ - x)/sigma^2 = s + z/sigma; dLoss/ds = r / B
  let loss: f64 = 0;
  const invSigma: f32 = 1.0 / sigma;
  const invB: f32 = 1.0 / <f32>B;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const r = load<f32>(score + p) + load<f32>(gscore + p) * invSigma;
    loss += <f64>r * <f64>r;
    store<f32>(gscore + p, r * invB);
  }
  mlpBackward(dims, L, act, params, noisy, gscore, gparams, 0, B, ws);
  return 0.5 * loss / <f64>B;
}
