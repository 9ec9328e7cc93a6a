import { gemm, addColumnSums } from './gemm';
import { denseBackward } from './dense';
import { activationEvaluate } from './activation';
import { multiplyInPlace } from './vector';
import { cotangentBuffer, dim, jetRows, layerCache, layerParamFloats, mlpParamCount, scratchBuffer } from './layout';

// Jets of an MLP: the primal pass together with k tangent lanes (order 1, JVP) or k second-order
// Taylor lanes (order 2), and the reverse pass over them. Lanes are stacked as extra rows, so every
// layer is one GEMM over R = B (1 + order k) rows:
//   rows [0, B)               primal h,        row b
//   rows [B, B + Bk)          tangents hdot,   row B + b k + j
//   rows [B + Bk, B + 2Bk)    second order,    row B + Bk + b k + j   (order 2 only)
// Linear layers map tangents without the bias: adot = hdot W, addot = hddot W.
// Activations: hdot = phi'(a) adot, hddot = phi''(a) adot^2 + phi'(a) addot.
// see: docs/design.md, "The maths" (passes); Griewank & Walther, Evaluating Derivatives, ch. 13 (Taylor propagation).
// Parameters and workspace: assembly/layout.ts.

// Elementwise loops over o run four lanes at a time in the SIMD build; the remainder and the scalar
// build repeat the same f32 operations in the same order, so both builds agree bit for bit.

/**
 * H = phi(A) on all rows. Keeps phi', phi'', phi''' of the primal rows in D as far as the tangent lanes
 * (forward) or, with `keep`, the reverse pass will read them.
 */
function activationJetForward(act: i32, A: usize, H: usize, D: usize, B: i32, k: i32, order: i32, O: i32, keep: bool,
  rows: i32): void {
  const BO = <usize>(B * O) << 2;
  const need1 = keep || k > 0, need2 = k > 0 && (keep || order == 2), need3 = keep && k > 0 && order == 2;
  if (rows != LANE_ROWS) activationEvaluate(act, A, H, need1 ? D : 0, need2 ? D + BO : 0, need3 ? D + 2 * BO : 0, B * O, false);
  if (k == 0 || rows == PRIMAL_ROWS) return;
  const tangent = BO;
  const second = tangent + (<usize>(B * k * O) << 2);
  const rowBytes = <usize>O << 2;
  for (let b = 0; b < B; b++) {
    const d1 = D + <usize>b * rowBytes, d2 = d1 + BO;
    for (let j = 0; j < k; j++) {
      const q = <usize>(b * k + j) * rowBytes;
      const at = A + tangent + q, ht = H + tangent + q, as = A + second + q, hs = H + second + q;
      let o = 0;
      if (ASC_FEATURE_SIMD) {
        for (; o + 4 <= O; o += 4) {
          const p = <usize>o << 2;
          const ad = v128.load(at + p), e1 = v128.load(d1 + p);
          v128.store(ht + p, f32x4.mul(e1, ad));
          if (order == 2) {
            const t = f32x4.mul(f32x4.mul(v128.load(d2 + p), ad), ad);
            v128.store(hs + p, f32x4.add(t, f32x4.mul(e1, v128.load(as + p))));
          }
        }
      }
      for (; o < O; o++) {
        const p = <usize>o << 2;
        const ad = load<f32>(at + p), e1 = load<f32>(d1 + p);
        store<f32>(ht + p, e1 * ad);
        if (order == 2) store<f32>(hs + p, load<f32>(d2 + p) * ad * ad + e1 * load<f32>(as + p));
      }
    }
  }
}

/**
 * In place on G (cotangents of H rows) -> cotangents of A rows:
 *   ga    = gh phi' + sum_j [ghd_j phi'' ad_j + ghdd_j (phi''' ad_j^2 + phi'' add_j)]
 *   gad_j = ghd_j phi' + 2 ghdd_j phi'' ad_j,    gadd_j = ghdd_j phi'.
 */
function activationJetBackward(A: usize, D: usize, G: usize, B: i32, k: i32, order: i32, O: i32): void {
  const BO = <usize>(B * O) << 2;
  if (k == 0) {
    multiplyInPlace(G, D, B * O);
    return;
  }
  const tangent = BO;
  const second = tangent + (<usize>(B * k * O) << 2);
  const rowBytes = <usize>O << 2;
  for (let b = 0; b < B; b++) {
    const row = <usize>b * rowBytes;
    const d1 = D + row, d2 = d1 + BO, d3 = d2 + BO, g = G + row;
    let o = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 4 <= O; o += 4) {
        const p = <usize>o << 2;
        const e1 = v128.load(d1 + p), e2 = v128.load(d2 + p);
        const e3 = order == 2 ? v128.load(d3 + p) : f32x4.splat(0);
        let ga = f32x4.mul(v128.load(g + p), e1);
        for (let j = 0; j < k; j++) {
          const q = <usize>(b * k + j) * rowBytes + p;
          const ad = v128.load(A + tangent + q), gd = v128.load(G + tangent + q);
          let gad = f32x4.mul(gd, e1);
          ga = f32x4.add(ga, f32x4.mul(f32x4.mul(gd, e2), ad));
          if (order == 2) {
            const add = v128.load(A + second + q), gdd = v128.load(G + second + q);
            const curv = f32x4.add(f32x4.mul(f32x4.mul(e3, ad), ad), f32x4.mul(e2, add));
            ga = f32x4.add(ga, f32x4.mul(gdd, curv));
            gad = f32x4.add(gad, f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(2), gdd), e2), ad));
            v128.store(G + second + q, f32x4.mul(gdd, e1));
          }
          v128.store(G + tangent + q, gad);
        }
        v128.store(g + p, ga);
      }
    }
    for (; o < O; o++) {
      const p = <usize>o << 2;
      const e1 = load<f32>(d1 + p), e2 = load<f32>(d2 + p);
      const e3: f32 = order == 2 ? load<f32>(d3 + p) : 0;
      let ga = load<f32>(g + p) * e1;
      for (let j = 0; j < k; j++) {
        const q = <usize>(b * k + j) * rowBytes + p;
        const ad = load<f32>(A + tangent + q), gd = load<f32>(G + tangent + q);
        let gad = gd * e1;
        ga += gd * e2 * ad;
        if (order == 2) {
          const add = load<f32>(A + second + q), gdd = load<f32>(G + second + q);
          ga += gdd * (e3 * ad * ad + e2 * add);
          gad += <f32>2 * gdd * e2 * ad;
          store<f32>(G + second + q, gdd * e1);
        }
        store<f32>(G + tangent + q, gad);
      }
      store<f32>(g + p, ga);
    }
  }
}

/**
 * Y[R, d_out] = jet of the MLP at X[R, d_in] (rows as above; the caller puts x in the primal rows,
 * the tangent directions in the tangent rows and zeros, or second-order inputs, in the last block).
 * Keeps what the reverse pass needs in ws.
 */
export function mlpJetForward(dims: usize, L: i32, act: i32, params: usize, X: usize, Y: usize,
  B: i32, k: i32, order: i32, ws: usize): void {
  jetForward(dims, L, act, params, X, Y, B, k, order, ws, true, ALL_ROWS);
}

// Which rows a pass computes, in the (B, k, order) layout: all; the primal rows alone (their lanes are not
// known yet); or the lane rows alone, over primal rows a PRIMAL_ROWS pass left in ws. Splitting a pass
// this way gives the same bits as one pass: the primal and the lane rows are separate GEMMs anyway.
export const ALL_ROWS = 0;
export const PRIMAL_ROWS = 1;
export const LANE_ROWS = 2;

/**
 * {@link mlpJetForward} over the rows `rows` selects; without `keep` it skips the activation derivatives
 * only the reverse pass reads (forward-only use: sampling, scoring), and ws is then not valid for
 * {@link mlpJetBackward}.
 */
export function jetForward(dims: usize, L: i32, act: i32, params: usize, X: usize, Y: usize,
  B: i32, k: i32, order: i32, ws: usize, keep: bool, rows: i32): void {
  const R = jetRows(B, k, order);
  let input = X;
  let w = params;
  for (let l = 0; l < L; l++) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    const b = w + (<usize>(I * O) << 2);
    const A = l == L - 1 ? Y : layerCache(dims, l, R, B, ws);
    if (rows != LANE_ROWS) gemm(input, w, b, A, B, I, O, false);
    if (R > B && rows != PRIMAL_ROWS) gemm(input + (<usize>(B * I) << 2), w, 0, A + (<usize>(B * O) << 2), R - B, I, O, false);
    if (l < L - 1) {
      const H = A + (<usize>(R * O) << 2);
      activationJetForward(act, A, H, H + (<usize>(R * O) << 2), B, k, order, O, keep, rows);
      input = H;
    }
    w = b + (<usize>O << 2);
  }
}

/**
 * Reverse pass over {@link mlpJetForward} (same X and ws): with gY[R, d_out] the cotangents of every
 * output row, gparams += d<gY, Y>/dparams (skipped when gparams is 0) and, when gX != 0,
 * gX[R, d_in] = d<gY, Y>/dX. gY is left unchanged.
 */
export function mlpJetBackward(dims: usize, L: i32, act: i32, params: usize, X: usize, gY: usize,
  gparams: usize, gX: usize, B: i32, k: i32, order: i32, ws: usize): void {
  jetBackward(dims, L, act, params, X, gY, gparams, gX, B, k, order, ws, false);
}

/**
 * {@link mlpJetBackward}; with `primalOnly`, the reverse pass of the primal rows alone (cotangents gY and
 * gX of B rows) after a PRIMAL_ROWS forward in the same layout, e.g. grad_x f before the lanes exist.
 */
export function jetBackward(dims: usize, L: i32, act: i32, params: usize, X: usize, gY: usize,
  gparams: usize, gX: usize, B: i32, k: i32, order: i32, ws: usize, primalOnly: bool): void {
  const R = jetRows(B, k, order), rows = primalOnly ? B : R;
  const gbuf0 = cotangentBuffer(dims, L, R, B, ws, 0), gbuf1 = cotangentBuffer(dims, L, R, B, ws, 1);
  const scratch = scratchBuffer(dims, L, R, B, ws);
  let wOff = mlpParamCount(dims, L);
  let g = gY;
  for (let l = L - 1; l >= 0; l--) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    wOff -= layerParamFloats(dims, l);
    const w = params + (<usize>wOff << 2);
    const dw: usize = gparams == 0 ? 0 : gparams + (<usize>wOff << 2);
    const input = l == 0 ? X : layerCache(dims, l - 1, R, B, ws) + (<usize>(R * I) << 2);
    const gin = l == 0 ? gX : (g == gbuf0 ? gbuf1 : gbuf0);
    // dW over all rows; the bias only moves the primal rows.
    denseBackward(input, w, g, gin, dw, 0, rows, I, O, scratch);
    if (dw != 0) addColumnSums(g, dw + (<usize>(I * O) << 2), B, O);
    if (l > 0) {
      const A = layerCache(dims, l - 1, R, B, ws);
      activationJetBackward(A, A + (<usize>(2 * R * I) << 2), gin, B, primalOnly ? 0 : k, order, I);
    }
    g = gin;
  }
}
