import { activateFour, activationEvaluate } from './activation';

// C[M,N] = (accumulate ? C : 0) + A[M,K] B[K,N] (+ bias[N] when bias != 0), all row-major f32.
// The SIMD build uses a 4x8 register tile (8 f32x4 accumulators: more spill on x64). Every
// element is accumulated in the same order (init, then k = 0..K-1) in both builds, so they
// agree bit for bit: mul and add are correctly rounded lane by lane.

@inline function initValue(c: usize, bias: usize, accumulate: bool, m: i32, n: i32, N: i32): f32 {
  let v: f32 = accumulate ? load<f32>(c + ((<usize>m * N + n) << 2)) : 0;
  if (bias != 0) v += load<f32>(bias + (<usize>n << 2));
  return v;
}

@inline function initVector(c: usize, bias: usize, accumulate: bool, m: i32, n: i32, N: i32): v128 {
  let v = accumulate ? v128.load(c + ((<usize>m * N + n) << 2)) : f32x4.splat(0);
  if (bias != 0) v = f32x4.add(v, v128.load(bias + (<usize>n << 2)));
  return v;
}

function gemmScalarBlock(a: usize, b: usize, bias: usize, c: usize, m0: i32, m1: i32, n0: i32, n1: i32,
  K: i32, N: i32, accumulate: bool, lda: i32): void {
  for (let m = m0; m < m1; m++) {
    const arow = a + (<usize>m * lda << 2);
    for (let n = n0; n < n1; n++) {
      let acc = initValue(c, bias, accumulate, m, n, N);
      for (let k = 0; k < K; k++) {
        acc += load<f32>(arow + (<usize>k << 2)) * load<f32>(b + ((<usize>k * N + n) << 2));
      }
      store<f32>(c + ((<usize>m * N + n) << 2), acc);
    }
  }
}

// lda: the row stride of A in floats.
function gemmSimd(a: usize, b: usize, bias: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, lda: i32): void {
  const M4 = M & ~3;
  const N8 = N & ~7;
  const N4 = N & ~3;
  const rowA = <usize>lda << 2;
  const rowB = <usize>N << 2;
  for (let m = 0; m < M4; m += 4) {
    const a0 = a + <usize>m * rowA;
    for (let n = 0; n < N8; n += 8) {
      let c00 = initVector(c, bias, accumulate, m, n, N), c01 = initVector(c, bias, accumulate, m, n + 4, N);
      let c10 = initVector(c, bias, accumulate, m + 1, n, N), c11 = initVector(c, bias, accumulate, m + 1, n + 4, N);
      let c20 = initVector(c, bias, accumulate, m + 2, n, N), c21 = initVector(c, bias, accumulate, m + 2, n + 4, N);
      let c30 = initVector(c, bias, accumulate, m + 3, n, N), c31 = initVector(c, bias, accumulate, m + 3, n + 4, N);
      let pb = b + (<usize>n << 2);
      let pa = a0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        const x0 = v128.load32_splat(pa);
        const x1 = v128.load32_splat(pa + rowA);
        const x2 = v128.load32_splat(pa + 2 * rowA);
        const x3 = v128.load32_splat(pa + 3 * rowA);
        c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
        c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
        c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
        pb += rowB;
        pa += 4;
      }
      const pc = c + ((<usize>m * N + n) << 2);
      v128.store(pc, c00); v128.store(pc, c01, 16);
      v128.store(pc + rowB, c10); v128.store(pc + rowB, c11, 16);
      v128.store(pc + 2 * rowB, c20); v128.store(pc + 2 * rowB, c21, 16);
      v128.store(pc + 3 * rowB, c30); v128.store(pc + 3 * rowB, c31, 16);
    }
    if (N4 > N8) { // one 4-wide column block
      const n = N8;
      let c0 = initVector(c, bias, accumulate, m, n, N), c1 = initVector(c, bias, accumulate, m + 1, n, N);
      let c2 = initVector(c, bias, accumulate, m + 2, n, N), c3 = initVector(c, bias, accumulate, m + 3, n, N);
      let pb = b + (<usize>n << 2);
      let pa = a0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
        c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa + rowA), b0));
        c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa + 2 * rowA), b0));
        c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa + 3 * rowA), b0));
        pb += rowB;
        pa += 4;
      }
      const pc = c + ((<usize>m * N + n) << 2);
      v128.store(pc, c0); v128.store(pc + rowB, c1); v128.store(pc + 2 * rowB, c2); v128.store(pc + 3 * rowB, c3);
    }
  }
  // Remainder rows: one row at a time, 4 columns per vector.
  for (let m = M4; m < M; m++) {
    const pa0 = a + <usize>m * rowA;
    for (let n = 0; n < N4; n += 4) {
      let acc = initVector(c, bias, accumulate, m, n, N);
      let pb = b + (<usize>n << 2);
      for (let k = 0; k < K; k++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(pa0 + (<usize>k << 2)), v128.load(pb)));
        pb += rowB;
      }
      v128.store(c + ((<usize>m * N + n) << 2), acc);
    }
  }
  if (N4 < N) {
    gemmThinColumns(a, b, bias, c, M4, K, N, N4, accumulate, lda);
    gemmScalarBlock(a, b, bias, c, M4, M, N4, N, K, N, accumulate, lda);
  }
}

// Rows of A at (m, k) as a vector over the 4 rows m..m+3 (one column of a 4 x K panel).
@inline function rowsAt(a: usize, m: i32, k: i32, lda: i32): v128 {
  const p = a + ((<usize>m * lda + k) << 2), row = <usize>lda << 2;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + row));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * row));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * row));
}

@inline function initRows(c: usize, bias: usize, accumulate: bool, m: i32, n: i32, N: i32): v128 {
  let v = f32x4.splat(initValue(c, bias, accumulate, m, n, N));
  v = f32x4.replace_lane(v, 1, initValue(c, bias, accumulate, m + 1, n, N));
  v = f32x4.replace_lane(v, 2, initValue(c, bias, accumulate, m + 2, n, N));
  return f32x4.replace_lane(v, 3, initValue(c, bias, accumulate, m + 3, n, N));
}

@inline function storeRows(c: usize, v: v128, m: i32, n: i32, N: i32): void {
  const p = c + ((<usize>m * N + n) << 2), row = <usize>N << 2;
  store<f32>(p, f32x4.extract_lane(v, 0));
  store<f32>(p + row, f32x4.extract_lane(v, 1));
  store<f32>(p + 2 * row, f32x4.extract_lane(v, 2));
  store<f32>(p + 3 * row, f32x4.extract_lane(v, 3));
}

/**
 * The last N - n0 < 4 columns (a layer with 1 to 3 outputs, or the rest of a wide one), rows [0, M4):
 * vectors run over 4 rows instead of 4 columns. 4 x 4 blocks of A are transposed with shuffles, so each k
 * gives A[m..m+3, k]; every element still accumulates init, then k = 0..K-1, as the scalar build does.
 */
function gemmThinColumns(a: usize, b: usize, bias: usize, c: usize, M4: i32, K: i32, N: i32, n0: i32,
  accumulate: bool, lda: i32): void {
  const K4 = K & ~3;
  const wide = N - n0; // 1, 2 or 3
  const rowA = <usize>lda << 2, rowB = <usize>N << 2;
  for (let m = 0; m < M4; m += 4) {
    let c0 = initRows(c, bias, accumulate, m, n0, N);
    let c1 = wide > 1 ? initRows(c, bias, accumulate, m, n0 + 1, N) : c0;
    let c2 = wide > 2 ? initRows(c, bias, accumulate, m, n0 + 2, N) : c0;
    let pa = a + <usize>m * rowA;
    let pb = b + (<usize>n0 << 2);
    for (let k = 0; k < K4; k += 4) {
      const x0 = v128.load(pa), x1 = v128.load(pa + rowA), x2 = v128.load(pa + 2 * rowA), x3 = v128.load(pa + 3 * rowA);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const k0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), k1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
      const k2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), k3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
      c0 = f32x4.add(c0, f32x4.mul(k0, v128.load32_splat(pb)));
      c0 = f32x4.add(c0, f32x4.mul(k1, v128.load32_splat(pb + rowB)));
      c0 = f32x4.add(c0, f32x4.mul(k2, v128.load32_splat(pb + 2 * rowB)));
      c0 = f32x4.add(c0, f32x4.mul(k3, v128.load32_splat(pb + 3 * rowB)));
      if (wide > 1) {
        c1 = f32x4.add(c1, f32x4.mul(k0, v128.load32_splat(pb, 4)));
        c1 = f32x4.add(c1, f32x4.mul(k1, v128.load32_splat(pb + rowB, 4)));
        c1 = f32x4.add(c1, f32x4.mul(k2, v128.load32_splat(pb + 2 * rowB, 4)));
        c1 = f32x4.add(c1, f32x4.mul(k3, v128.load32_splat(pb + 3 * rowB, 4)));
      }
      if (wide > 2) {
        c2 = f32x4.add(c2, f32x4.mul(k0, v128.load32_splat(pb, 8)));
        c2 = f32x4.add(c2, f32x4.mul(k1, v128.load32_splat(pb + rowB, 8)));
        c2 = f32x4.add(c2, f32x4.mul(k2, v128.load32_splat(pb + 2 * rowB, 8)));
        c2 = f32x4.add(c2, f32x4.mul(k3, v128.load32_splat(pb + 3 * rowB, 8)));
      }
      pa += 16;
      pb += 4 * rowB;
    }
    for (let k = K4; k < K; k++) {
      const x = rowsAt(a, m, k, lda);
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load32_splat(pb)));
      if (wide > 1) c1 = f32x4.add(c1, f32x4.mul(x, v128.load32_splat(pb, 4)));
      if (wide > 2) c2 = f32x4.add(c2, f32x4.mul(x, v128.load32_splat(pb, 8)));
      pb += rowB;
    }
    storeRows(c, c0, m, n0, N);
    if (wide > 1) storeRows(c, c1, m, n0 + 1, N);
    if (wide > 2) storeRows(c, c2, m, n0 + 2, N);
  }
}


/**
 * The 4 x 8 tiles of {@link gemmSimd} (M a multiple of 4, N of 8, no accumulate) activated in registers: H = phi(C),
 * D_k = phi^(k)(C) for the outputs given; C = A B + bias itself is not stored. Against a separate sweep over the
 * layer: 1.07x to 1.11x training steps per CPU second at width 128 (docs/bench/analysis.md); score sampling the same.
 */
@inline function gemmActivateTiles(a: usize, b: usize, bias: usize, M: i32, K: i32, N: i32, act: i32,
  h: usize, d1: usize, d2: usize, d3: usize): void {
  const rowA = <usize>K << 2;
  const rowB = <usize>N << 2;
  for (let m = 0; m < M; m += 4) {
    const a0 = a + <usize>m * rowA;
    for (let n = 0; n < N; n += 8) {
      let c00 = initVector(0, bias, false, m, n, N), c01 = initVector(0, bias, false, m, n + 4, N);
      let c10 = initVector(0, bias, false, m + 1, n, N), c11 = initVector(0, bias, false, m + 1, n + 4, N);
      let c20 = initVector(0, bias, false, m + 2, n, N), c21 = initVector(0, bias, false, m + 2, n + 4, N);
      let c30 = initVector(0, bias, false, m + 3, n, N), c31 = initVector(0, bias, false, m + 3, n + 4, N);
      let pb = b + (<usize>n << 2);
      let pa = a0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        const x0 = v128.load32_splat(pa);
        const x1 = v128.load32_splat(pa + rowA);
        const x2 = v128.load32_splat(pa + 2 * rowA);
        const x3 = v128.load32_splat(pa + 3 * rowA);
        c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
        c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
        c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
        pb += rowB;
        pa += 4;
      }
      const p = (<usize>m * N + n) << 2;
      activateFour(act, c00, c01, c10, c11, h, d1, d2, d3, p, p + 16, p + rowB, p + rowB + 16, false);
      activateFour(act, c20, c21, c30, c31, h, d1, d2, d3, p + 2 * rowB, p + 2 * rowB + 16, p + 3 * rowB, p + 3 * rowB + 16, false);
    }
  }
}

/**
 * A hidden layer's primal rows: H = phi(C) and D_k = phi^(k)(C) for the outputs given (0 skips one; [M,N] each) of
 * C = A[M,K] B[K,N] + bias[N]. The SIMD build activates each register tile where the tiles cover C and does not store
 * C (no pass reads a hidden layer's primal pre-activations); elsewhere C[M,N] is formed, then activated. The same
 * operations per element either way: the same bits.
 */
export function gemmActivate(a: usize, b: usize, bias: usize, c: usize, M: i32, K: i32, N: i32, act: i32,
  h: usize, d1: usize, d2: usize, d3: usize): void {
  if (ASC_FEATURE_SIMD && (M & 3) == 0 && (N & 7) == 0) {
    if (d1 == 0) gemmActivateTiles(a, b, bias, M, K, N, act, h, 0, 0, 0);
    else if (d2 == 0) gemmActivateTiles(a, b, bias, M, K, N, act, h, d1, 0, 0);
    else if (d3 == 0) gemmActivateTiles(a, b, bias, M, K, N, act, h, d1, d2, 0);
    else gemmActivateTiles(a, b, bias, M, K, N, act, h, d1, d2, d3);
  } else {
    gemm(a, b, bias, c, M, K, N, false);
    activationEvaluate(act, c, h, d1, d2, d3, M * N, false);
  }
}

/** C[M,N] = (accumulate ? C : 0) + A[M,K] B[K,N] + bias[N] (bias optional: pass 0). */
export function gemm(a: usize, b: usize, bias: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool): void {
  if (ASC_FEATURE_SIMD) {
    gemmSimd(a, b, bias, c, M, K, N, accumulate, K);
  } else {
    gemmScalarBlock(a, b, bias, c, 0, M, 0, N, K, N, accumulate, K);
  }
}

/**
 * out[C,R] = in[R,C]^T, in 16 x 16 tiles: a row-by-row transpose writes with a stride of R floats, which
 * for R a power of two maps every write of a column to the same cache set. The SIMD build moves 4 x 4
 * blocks with shuffles inside each tile.
 */
export function transpose(src: usize, dst: usize, R: i32, C: i32): void {
  transposeRange(src, dst, R, C, 0, C);
}

/** Rows [c0, c1) of out[C,R] = in[R,C]^T (columns c0..c1-1 of in): a thread's share of {@link transpose}. */
export function transposeRange(src: usize, dst: usize, R: i32, C: i32, cBegin: i32, cEnd: i32): void {
  const T = 16;
  for (let r0 = 0; r0 < R; r0 += T) {
    const r1 = min(R, r0 + T);
    for (let c0 = cBegin; c0 < cEnd; c0 += T) {
      const c1 = min(cEnd, c0 + T);
      let r = r0;
      if (ASC_FEATURE_SIMD) {
        const c4 = c0 + ((c1 - c0) & ~3);
        for (; r + 4 <= r1; r += 4) {
          for (let c = c0; c < c4; c += 4) transpose4x4(src, dst, r, c, R, C);
          for (let q = r; q < r + 4; q++) copyTransposed(src, dst, q, c4, c1, R, C);
        }
      }
      for (; r < r1; r++) copyTransposed(src, dst, r, c0, c1, R, C);
    }
  }
}

@inline function copyTransposed(src: usize, dst: usize, r: i32, c0: i32, c1: i32, R: i32, C: i32): void {
  for (let c = c0; c < c1; c++) store<f32>(dst + ((<usize>c * R + r) << 2), load<f32>(src + ((<usize>r * C + c) << 2)));
}

// The 4 x 4 block at (r, c) of in[R, C] to (c, r) of out[C, R].
@inline function transpose4x4(src: usize, dst: usize, r: i32, c: i32, R: i32, C: i32): void {
  const rowIn = <usize>C << 2, rowOut = <usize>R << 2;
  const p = src + ((<usize>r * C + c) << 2);
  const x0 = v128.load(p), x1 = v128.load(p + rowIn), x2 = v128.load(p + 2 * rowIn), x3 = v128.load(p + 3 * rowIn);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  const q = dst + ((<usize>c * R + r) << 2);
  v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(q + rowOut, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(q + 2 * rowOut, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(q + 3 * rowOut, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** out[N] += sum over rows of in[M,N] (column sums, in row order). */
export function addColumnSums(src: usize, out: usize, M: i32, N: i32): void {
  addColumnSumsRange(src, out, M, N, 0, N);
}

/** Columns [n0, n1) of {@link addColumnSums} (a thread's share): each still sums its rows in order. */
export function addColumnSumsRange(src: usize, out: usize, M: i32, N: i32, n0: i32, n1: i32): void {
  for (let m = 0; m < M; m++) {
    const row = src + (<usize>m * N << 2);
    for (let n = n0; n < n1; n++) {
      const p = out + (<usize>n << 2);
      store<f32>(p, load<f32>(p) + load<f32>(row + (<usize>n << 2)));
    }
  }
}
