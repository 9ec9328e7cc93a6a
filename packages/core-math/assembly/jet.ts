import { gemm, gemmActivate, addColumnSumsRange, transposeRange } from './gemm';
import { addPartsInOrder, multiplyInPlace } from './vector';
import {
  cotangentBuffer, dim, GRADIENT_GROUPS, jetRows, layerCache, layerParamFloats, maxWidth, mlpMacsPerRow, mlpParamCount,
  partialGradients, ROW_BLOCK, scratchBuffer, secondLanes, transposedWeights,
} from './layout';
import { poolBarrier, poolPassDone, poolThreadsFor, runJob, setJobArg, shareStart } from './pool';
import { JOB_JET_BACKWARD, JOB_JET_FORWARD } from './jobs';

// Jets of an MLP: the primal pass together with k tangent lanes (order 1, JVP) or k second-order
// Taylor lanes (order 2; or all but the last, ORDER_2_LAST_TANGENT, assembly/layout.ts), and the reverse pass
// over them. Lanes are stacked as extra rows, so every layer is one GEMM over R = B (1 + k + k2) rows, with
// k2 = secondLanes(k, order) second-order lanes per sample:
//   rows [0, B)                  primal h,        row b
//   rows [B, B + Bk)             tangents hdot,   row B + b k + j
//   rows [B + Bk, B + Bk + Bk2)  second order,    row B + Bk + b k2 + j   (j < k2)
// Linear layers map tangents without the bias: adot = hdot W, addot = hddot W.
// Activations: hdot = phi'(a) adot, hddot = phi''(a) adot^2 + phi'(a) addot.
// see: docs/design.md, "The maths" (passes); Griewank & Walther, Evaluating Derivatives, ch. 13 (Taylor propagation).
// Parameters and workspace: assembly/layout.ts.

// Elementwise loops over o run four lanes at a time in the SIMD build; the remainder and the scalar
// build repeat the same f32 operations in the same order, so both builds agree bit for bit.
//
// Threads (assembly/pool.ts): a pass splits by samples. Thread t owns samples [b0, b1) (multiples of 4): their
// primal rows and all their lane rows, through every layer, so the forward pass needs no barrier. The reverse
// pass forms the input cotangents of its own samples. The parameter gradient (dW = H^T G and db, sums over all rows)
// is summed in GRADIENT_GROUPS fixed groups of samples (assembly/layout.ts), each group's sum from zero into its own
// partial block, and the partials are added to gparams in group order at the end: with as many threads as groups,
// each thread sums the rows it computed itself (reading the other core's rows cost more than a tenth of the pass), with
// one barrier at the end; with other counts a group's threads split its dW by rows, with a barrier per layer. Every
// thread count gives the same bits.

// Samples per block of the fused passes: a layer's GEMMs write the rows of this many samples, then the activation
// (or its reverse pass) reads them back from cache. A multiple of 4 (the GEMM's row panel).
const FUSED_SAMPLES = 16;

// Batches below this stay on one thread whatever the width (a share is at least 4 samples).
const MIN_SPLIT = 32;

@inline function rowsPtr(p: usize, row: i32, width: i32): usize {
  return p + (<usize>row * <usize>width << 2);
}

/**
 * The lane rows of H for samples [b0, b1) (k > 0), from their A rows and the primal rows' phi', phi'' in D
 * (the primal rows' H and D come from the GEMM's output tiles: gemmActivate).
 */
function activationJetLanes(A: usize, H: usize, D: usize, B: i32, k: i32, order: i32, O: i32, b0: i32, b1: i32): void {
  const BO = <usize>(B * O) << 2;
  const k2 = secondLanes(k, order);
  const tangent = BO;
  const second = tangent + (<usize>(B * k * O) << 2);
  const rowBytes = <usize>O << 2;
  for (let b = b0; b < b1; b++) {
    const d1 = D + <usize>b * rowBytes, d2 = d1 + BO;
    for (let j = 0; j < k; j++) {
      const q = <usize>(b * k + j) * rowBytes, q2 = <usize>(b * k2 + j) * rowBytes, both = j < k2;
      const at = A + tangent + q, ht = H + tangent + q, as = A + second + q2, hs = H + second + q2;
      let o = 0;
      if (ASC_FEATURE_SIMD) {
        for (; o + 4 <= O; o += 4) {
          const p = <usize>o << 2;
          const ad = v128.load(at + p), e1 = v128.load(d1 + p);
          v128.store(ht + p, f32x4.mul(e1, ad));
          if (both) {
            const t = f32x4.mul(f32x4.mul(v128.load(d2 + p), ad), ad);
            v128.store(hs + p, f32x4.add(t, f32x4.mul(e1, v128.load(as + p))));
          }
        }
      }
      for (; o < O; o++) {
        const p = <usize>o << 2;
        const ad = load<f32>(at + p), e1 = load<f32>(d1 + p);
        store<f32>(ht + p, e1 * ad);
        if (both) store<f32>(hs + p, load<f32>(d2 + p) * ad * ad + e1 * load<f32>(as + p));
      }
    }
  }
}

/**
 * In place on G (cotangents of H rows) -> cotangents of A rows:
 *   ga    = gh phi' + sum_j [ghd_j phi'' ad_j + ghdd_j (phi''' ad_j^2 + phi'' add_j)]
 *   gad_j = ghd_j phi' + 2 ghdd_j phi'' ad_j,    gadd_j = ghdd_j phi'.
 */
function activationJetBackward(A: usize, D: usize, G: usize, B: i32, k: i32, order: i32, O: i32, b0: i32, b1: i32): void {
  const BO = <usize>(B * O) << 2;
  if (k == 0) {
    const p = <usize>(b0 * O) << 2;
    multiplyInPlace(G + p, D + p, (b1 - b0) * O);
    return;
  }
  const k2 = secondLanes(k, order);
  const tangent = BO;
  const second = tangent + (<usize>(B * k * O) << 2);
  const rowBytes = <usize>O << 2;
  for (let b = b0; b < b1; b++) {
    const row = <usize>b * rowBytes;
    const d1 = D + row, d2 = d1 + BO, d3 = d2 + BO, g = G + row;
    let o = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 4 <= O; o += 4) {
        const p = <usize>o << 2;
        const e1 = v128.load(d1 + p), e2 = v128.load(d2 + p);
        const e3 = k2 > 0 ? v128.load(d3 + p) : f32x4.splat(0);
        let ga = f32x4.mul(v128.load(g + p), e1);
        for (let j = 0; j < k; j++) {
          const q = <usize>(b * k + j) * rowBytes + p, q2 = <usize>(b * k2 + j) * rowBytes + p;
          const ad = v128.load(A + tangent + q), gd = v128.load(G + tangent + q);
          let gad = f32x4.mul(gd, e1);
          ga = f32x4.add(ga, f32x4.mul(f32x4.mul(gd, e2), ad));
          if (j < k2) {
            const add = v128.load(A + second + q2), gdd = v128.load(G + second + q2);
            const curv = f32x4.add(f32x4.mul(f32x4.mul(e3, ad), ad), f32x4.mul(e2, add));
            ga = f32x4.add(ga, f32x4.mul(gdd, curv));
            gad = f32x4.add(gad, f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(2), gdd), e2), ad));
            v128.store(G + second + q2, f32x4.mul(gdd, e1));
          }
          v128.store(G + tangent + q, gad);
        }
        v128.store(g + p, ga);
      }
    }
    for (; o < O; o++) {
      const p = <usize>o << 2;
      const e1 = load<f32>(d1 + p), e2 = load<f32>(d2 + p);
      const e3: f32 = k2 > 0 ? load<f32>(d3 + p) : 0;
      let ga = load<f32>(g + p) * e1;
      for (let j = 0; j < k; j++) {
        const q = <usize>(b * k + j) * rowBytes + p, q2 = <usize>(b * k2 + j) * rowBytes + p;
        const ad = load<f32>(A + tangent + q), gd = load<f32>(G + tangent + q);
        let gad = gd * e1;
        ga += gd * e2 * ad;
        if (j < k2) {
          const add = load<f32>(A + second + q2), gdd = load<f32>(G + second + q2);
          ga += gdd * (e3 * ad * ad + e2 * add);
          gad += <f32>2 * gdd * e2 * ad;
          store<f32>(G + second + q2, gdd * e1);
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
  const R = jetRows(B, k, order), computed = rows == PRIMAL_ROWS ? B : rows == LANE_ROWS ? R - B : R;
  const work = <f64>computed * mlpMacsPerRow(dims, L), T = poolThreadsFor(work);
  if (T == 1 || B < MIN_SPLIT) jetForwardShare(dims, L, act, params, X, Y, B, k, order, ws, keep, rows, 0, 1);
  else {
    setJobArg(0, <i32>dims); setJobArg(1, L); setJobArg(2, act); setJobArg(3, <i32>params); setJobArg(4, <i32>X);
    setJobArg(5, <i32>Y); setJobArg(6, B); setJobArg(7, k); setJobArg(8, order); setJobArg(9, <i32>ws);
    setJobArg(10, keep ? 1 : 0); setJobArg(11, rows);
    runJob(JOB_JET_FORWARD);
  }
  poolPassDone(work);
}

/** Thread id's share (of T) of {@link jetForward}: its samples' rows through every layer. */
export function jetForwardShare(dims: usize, L: i32, act: i32, params: usize, X: usize, Y: usize,
  B: i32, k: i32, order: i32, ws: usize, keep: bool, rows: i32, id: i32, T: i32): void {
  const R = jetRows(B, k, order), k2 = secondLanes(k, order);
  const b0 = shareStart(B, id, T, 4), b1 = shareStart(B, id + 1, T, 4), n = b1 - b0;
  let input = X;
  let w = params;
  for (let l = 0; l < L; l++) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    const b = w + (<usize>(I * O) << 2);
    const hidden = l < L - 1;
    const A = hidden ? layerCache(dims, l, R, B, ws) : Y;
    const H = A + (<usize>(R * O) << 2);
    // A block of samples at a time: the primal rows activated in the GEMM's output tiles, then the lane rows' GEMMs
    // and their activation while the block's rows are in cache. Each element is the same operations as in separate
    // sweeps over the layer.
    const block = hidden ? FUSED_SAMPLES : n;
    for (let s0 = b0; s0 < b1; s0 += block) {
      const s1 = min(b1, s0 + block), m = s1 - s0;
      if (rows != LANE_ROWS) {
        if (hidden) {
          // The primal rows' phi and, as far as the tangent lanes or (keep) the reverse pass read them, phi', phi'', phi'''.
          const D = H + (<usize>(R * O) << 2), BO = <usize>(B * O) << 2, p = <usize>(s0 * O) << 2;
          const need1 = keep || k > 0, need2 = k > 0 && (keep || k2 > 0), need3 = keep && k2 > 0;
          gemmActivate(rowsPtr(input, s0, I), w, b, A + p, m, I, O, act, H + p, need1 ? D + p : 0, need2 ? D + BO + p : 0,
            need3 ? D + 2 * BO + p : 0);
        } else gemm(rowsPtr(input, s0, I), w, b, rowsPtr(A, s0, O), m, I, O, false);
      }
      if (k > 0 && rows != PRIMAL_ROWS) {
        // Lane rows without the bias: the tangent block, then the second-order block.
        gemm(rowsPtr(input, B + s0 * k, I), w, 0, rowsPtr(A, B + s0 * k, O), m * k, I, O, false);
        if (k2 > 0) gemm(rowsPtr(input, B + B * k + s0 * k2, I), w, 0, rowsPtr(A, B + B * k + s0 * k2, O), m * k2, I, O, false);
      }
      if (hidden && k > 0 && rows != PRIMAL_ROWS) activationJetLanes(A, H, H + (<usize>(R * O) << 2), B, k, order, O, s0, s1);
    }
    if (hidden) input = H;
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
  jetBackward(dims, L, act, params, X, gY, gparams, gX, B, k, order, ws, 0);
}

// Options of jetBackward, or-ed: the reverse pass of the primal rows alone (cotangents gY and gX of B rows) after a
// PRIMAL_ROWS forward in the same layout, e.g. grad_x f before the lanes exist; and W^T of every layer is already in
// ws, from an earlier reverse pass in the same layout with the same params (it is not formed again).
export const PRIMAL_ONLY = 1;
export const WEIGHTS_TRANSPOSED = 2;

/** {@link mlpJetBackward} with `options` (PRIMAL_ONLY, WEIGHTS_TRANSPOSED, or-ed; 0 for none). */
export function jetBackward(dims: usize, L: i32, act: i32, params: usize, X: usize, gY: usize,
  gparams: usize, gX: usize, B: i32, k: i32, order: i32, ws: usize, options: i32): void {
  const primalOnly = (options & PRIMAL_ONLY) != 0;
  // dW and the input cotangents: two GEMMs' multiply-adds per row and layer.
  const work = 2 * <f64>(primalOnly ? B : jetRows(B, k, order)) * mlpMacsPerRow(dims, L), T = poolThreadsFor(work);
  if (T == 1 || B < MIN_SPLIT) jetBackwardShare(dims, L, act, params, X, gY, gparams, gX, B, k, order, ws, options, 0, 1);
  else {
    setJobArg(0, <i32>dims); setJobArg(1, L); setJobArg(2, act); setJobArg(3, <i32>params); setJobArg(4, <i32>X);
    setJobArg(5, <i32>gY); setJobArg(6, <i32>gparams); setJobArg(7, <i32>gX); setJobArg(8, B); setJobArg(9, k);
    setJobArg(10, order); setJobArg(11, <i32>ws); setJobArg(12, options);
    runJob(JOB_JET_BACKWARD);
  }
  poolPassDone(work);
}

// dW over blocks of ROW_BLOCK rows: the block of cotangents the GEMM streams for every 4 rows of H^T stays in cache (one
// pass over 1024 rows ran from L2).

/**
 * Thread id's share (of T) of {@link jetBackward}: W^T of its share of the layers' columns (then a barrier; not with
 * WEIGHTS_TRANSPOSED), and
 * per layer, from the top: its share of its gradient group's partial dW and db, the input cotangents of its own
 * samples and their activation reverse pass (a barrier before the next layer when a group's rows are not all its
 * own); then a barrier and its share of the parameters, gparams += the partials in group order.
 */
export function jetBackwardShare(dims: usize, L: i32, act: i32, params: usize, X: usize, gY: usize,
  gparams: usize, gX: usize, B: i32, k: i32, order: i32, ws: usize, options: i32, id: i32, T: i32): void {
  const primalOnly = (options & PRIMAL_ONLY) != 0;
  const R = jetRows(B, k, order), rows = primalOnly ? B : R, lanes = primalOnly ? 0 : k;
  const b0 = shareStart(B, id, T, 4), b1 = shareStart(B, id + 1, T, 4), n = b1 - b0;
  const gbuf0 = cotangentBuffer(dims, L, R, B, ws, 0), gbuf1 = cotangentBuffer(dims, L, R, B, ws, 1);
  const scratch = scratchBuffer(dims, L, R, B, ws);
  const wt = transposedWeights(dims, L, R, B, ws), partials = partialGradients(dims, L, R, B, ws);
  const nParams = mlpParamCount(dims, L);
  // W_l^T [O, I] of every layer whose input cotangents are wanted, each thread a share of its rows.
  const transpose = (options & WEIGHTS_TRANSPOSED) == 0;
  let wOff = 0, tOff = 0;
  for (let l = 0; l < L; l++) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    if (transpose && (l > 0 || gX != 0)) {
      transposeRange(params + (<usize>wOff << 2), wt + (<usize>tOff << 2), I, O, shareStart(O, id, T, 4), shareStart(O, id + 1, T, 4));
    }
    wOff += layerParamFloats(dims, l);
    tOff += I * O;
  }
  if (transpose) poolBarrier(id, T);
  let g = gY;
  for (let l = L - 1; l >= 0; l--) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    wOff -= layerParamFloats(dims, l);
    tOff -= I * O;
    const dw: usize = gparams == 0 ? 0 : gparams + (<usize>wOff << 2);
    const input = l == 0 ? X : layerCache(dims, l - 1, R, B, ws) + (<usize>(R * I) << 2);
    const gin = l == 0 ? gX : (g == gbuf0 ? gbuf1 : gbuf0);
    if (dw != 0) {
      for (let group = 0; group < GRADIENT_GROUPS; group++) {
        // This thread's place among the group's threads (a thread may serve several groups, or share one).
        const first = groupThread(group, T), last = groupThread(group + 1, T);
        if (T >= GRADIENT_GROUPS ? id < first || id >= last : (group * T) / GRADIENT_GROUPS != id) continue;
        const j = T >= GRADIENT_GROUPS ? id - first : 0, c = T >= GRADIENT_GROUPS ? last - first : 1;
        const blockRows = min(ROW_BLOCK, rows), part = scratch + (<usize>(group * maxWidth(dims, L) * blockRows) << 2);
        groupGradient(input, g, partials + (<usize>(group * nParams + wOff) << 2), part, blockRows, B, lanes,
          primalOnly ? 0 : secondLanes(k, order), I, O, group, j, c);
      }
    }
    if (gin != 0) {
      // The input cotangents of a block of samples, then (below the first layer) their activation reverse pass
      // while those rows are in cache, block by block as in the forward pass.
      const wT = wt + (<usize>tOff << 2), k2 = secondLanes(k, order);
      const A = l > 0 ? layerCache(dims, l - 1, R, B, ws) : 0;
      const block = l > 0 ? FUSED_SAMPLES : n;
      for (let s0 = b0; s0 < b1; s0 += block) {
        const s1 = min(b1, s0 + block), m = s1 - s0;
        gemm(rowsPtr(g, s0, O), wT, 0, rowsPtr(gin, s0, I), m, O, I, false);
        if (lanes > 0) {
          gemm(rowsPtr(g, B + s0 * k, O), wT, 0, rowsPtr(gin, B + s0 * k, I), m * k, O, I, false);
          const first = B + B * k + s0 * k2;
          if (k2 > 0) gemm(rowsPtr(g, first, O), wT, 0, rowsPtr(gin, first, I), m * k2, O, I, false);
        }
        if (l > 0) activationJetBackward(A, A + (<usize>(2 * R * I) << 2), gin, B, lanes, order, I, s0, s1);
      }
    }
    if (l > 0 && dw != 0 && T != GRADIENT_GROUPS) poolBarrier(id, T);
    g = gin;
  }
  if (gparams != 0) {
    poolBarrier(id, T);
    addPartsInOrder(gparams, partials, nParams, GRADIENT_GROUPS, shareStart(nParams, id, T, 4), shareStart(nParams, id + 1, T, 4));
  }
}

// The first thread of gradient group `group` of T threads (T >= GRADIENT_GROUPS; groupThread(GRADIENT_GROUPS) = T).
@inline function groupThread(group: i32, T: i32): i32 {
  return (group * T + GRADIENT_GROUPS - 1) / GRADIENT_GROUPS;
}

/**
 * Share j (of c) of gradient group `group`'s partial dW [I, O] and db [O] (at dwp, db after dW): rows [i0, i1) of
 * dW = H^T G and columns [o0, o1) of db over the group's samples' rows (primal, then tangent, then second-order),
 * summed from zero, in GEMMs of at most blockRows rows. The H^T rows [i0, i1) of a block of m rows sit in this share's
 * own part of the group's scratch, from i0 blockRows floats (m <= blockRows): a shorter last block must not move them
 * into another's part.
 */
function groupGradient(H: usize, G: usize, dwp: usize, groupScratch: usize, blockRows: i32, B: i32, k: i32, k2: i32,
  I: i32, O: i32, group: i32, j: i32, c: i32): void {
  const s0 = shareStart(B, group, GRADIENT_GROUPS, 4), s1 = shareStart(B, group + 1, GRADIENT_GROUPS, 4), n = s1 - s0;
  const i0 = shareStart(I, j, c, 4), i1 = shareStart(I, j + 1, c, 4);
  const part = groupScratch + (<usize>(i0 * blockRows) << 2);
  let summed = false;
  for (let range = 0; range < 3; range++) {
    // The group's rows of one block of the layout: primal, tangent, second-order.
    const r0 = range == 0 ? s0 : range == 1 ? B + s0 * k : B + B * k + s0 * k2;
    const r1 = range == 0 ? s1 : range == 1 ? B + s1 * k : B + B * k + s1 * k2;
    for (let r = r0; r < r1; r += ROW_BLOCK) {
      const m = min(ROW_BLOCK, r1 - r);
      transposeRange(rowsPtr(H, r, I), part - (<usize>(i0 * m) << 2), m, I, i0, i1);
      gemm(part, rowsPtr(G, r, O), 0, rowsPtr(dwp, i0, O), i1 - i0, m, O, summed);
      summed = true;
    }
  }
  if (!summed) memory.fill(rowsPtr(dwp, i0, O), 0, <usize>((i1 - i0) * O) << 2);
  // db: the bias moves the primal rows alone.
  const o0 = shareStart(O, j, c, 4), o1 = shareStart(O, j + 1, c, 4), db = dwp + (<usize>(I * O) << 2);
  memory.fill(db + (<usize>o0 << 2), 0, <usize>(o1 - o0) << 2);
  addColumnSumsRange(rowsPtr(G, s0, O), db, n, O, o0, o1);
}
