import { nextU64 } from './rng';

// Minibatches: rows drawn uniformly with replacement from the training set.

/** batch[B, d] = rows of data[N, d] drawn uniformly with replacement. */
export function gatherRandomRows(rng: usize, data: usize, N: i32, d: i32, batch: usize, B: i32): void {
  for (let b = 0; b < B; b++) {
    const row = <i32>((nextU64(rng) >> 32) * <u64>N >> 32); // multiply-shift: bias below 2^-32 * N
    memory.copy(batch + (<usize>(b * d) << 2), data + (<usize>(row * d) << 2), <usize>d << 2);
  }
}
