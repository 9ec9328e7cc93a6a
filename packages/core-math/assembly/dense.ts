import { gemm, transpose, addColumnSums } from './gemm';

// Dense layer y = x W + b with W stored input-major [I, O] (row i: weights leaving input i).

const ROW_BLOCK = 128;

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
    // Over row blocks: the block of dy the GEMM streams for every 4 rows of x^T stays in cache (one pass
    // over all B rows ran from L2 at large B). Each dw element still adds k = 0..B-1 in order: same bits.
    for (let r = 0; r < B; r += ROW_BLOCK) {
      const rows = min(ROW_BLOCK, B - r);
      transpose(x + (<usize>(r * I) << 2), scratch, rows, I);
      gemm(scratch, dy + (<usize>(r * O) << 2), 0, dw, I, rows, O, true);
    }
  }
  if (db != 0) addColumnSums(dy, db, B, O);
  if (dx != 0) {
    transpose(w, scratch, I, O);
    gemm(dy, scratch, 0, dx, B, O, I, false);
  }
}
