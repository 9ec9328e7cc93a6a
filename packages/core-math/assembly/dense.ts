import { gemm, transpose, addColumnSums } from './gemm';

// Dense layer y = x W + b with W stored input-major [I, O] (row i: weights leaving input i).

/** y[B,O] = x[B,I] W[I,O] + b[O]. */
export function denseForward(x: usize, w: usize, b: usize, y: usize, B: i32, I: i32, O: i32): void {
  gemm(x, w, b, y, B, I, O, false);
}

/**
 * Reverse pass of {@link denseForward}: dw[I,O] += x^T dy, db[O] += colsum(dy), dx[B,I] = dy W^T.
 * Any of dw, db, dx may be 0 to skip it. `scratch` holds max(B*I, I*O) floats.
 */
export function denseBackward(x: usize, w: usize, dy: usize, dx: usize, dw: usize, db: usize,
  B: i32, I: i32, O: i32, scratch: usize): void {
  if (dw != 0) {
    transpose(x, scratch, B, I);
    gemm(scratch, dy, 0, dw, I, B, O, true);
  }
  if (db != 0) addColumnSums(dy, db, B, O);
  if (dx != 0) {
    transpose(w, scratch, I, O);
    gemm(dy, scratch, 0, dx, B, O, I, false);
  }
}
