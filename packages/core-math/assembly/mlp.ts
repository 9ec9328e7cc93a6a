import { gemm } from './gemm';
import { denseBackward } from './dense';
import { activationForward, activationBackward } from './activation';

// MLP with L dense layers: widths dims[0..L] (i32 array), phi after every layer but the last.
// Parameters, one f32 block: for each layer l, W_l [dims[l], dims[l+1]] (input-major), then b_l [dims[l+1]].
// Workspace for batch B: for each hidden layer, a_l then h_l (B * dims[l+1] each); two gradient
// buffers of B * max(dims); one scratch of max over l of max(B * dims[l], dims[l] * dims[l+1]).

@inline function dim(dims: usize, l: i32): i32 {
  return load<i32>(dims + (<usize>l << 2));
}

/** Number of f32 parameters of the MLP. */
export function mlpParamCount(dims: usize, L: i32): i32 {
  let n = 0;
  for (let l = 0; l < L; l++) n += dim(dims, l) * dim(dims, l + 1) + dim(dims, l + 1);
  return n;
}

function maxWidth(dims: usize, L: i32): i32 {
  let m = 0;
  for (let l = 0; l <= L; l++) m = max(m, dim(dims, l));
  return m;
}

function cacheFloats(dims: usize, L: i32, B: i32): i32 {
  let n = 0;
  for (let l = 0; l < L - 1; l++) n += 2 * B * dim(dims, l + 1);
  return n;
}

function scratchFloats(dims: usize, L: i32, B: i32): i32 {
  let n = 0;
  for (let l = 0; l < L; l++) n = max(n, max(B * dim(dims, l), dim(dims, l) * dim(dims, l + 1)));
  return n;
}

/** Workspace size in f32 for {@link mlpForward} + {@link mlpBackward} at batch B. */
export function mlpWorkspaceFloats(dims: usize, L: i32, B: i32): i32 {
  return cacheFloats(dims, L, B) + 2 * B * maxWidth(dims, L) + scratchFloats(dims, L, B);
}

/** Pointer to a_l (hidden layer l < L - 1) in the workspace; h_l follows it. */
@inline function preActivation(dims: usize, l: i32, B: i32, ws: usize): usize {
  let off = 0;
  for (let j = 0; j < l; j++) off += 2 * B * dim(dims, j + 1);
  return ws + (<usize>off << 2);
}

/** out[B, dims[L]] = MLP(x[B, dims[0]]); keeps the activations in `ws` for the reverse pass. */
export function mlpForward(dims: usize, L: i32, act: i32, params: usize, x: usize, out: usize, B: i32, ws: usize): void {
  let input = x;
  let w = params;
  for (let l = 0; l < L; l++) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    const b = w + (<usize>(I * O) << 2);
    if (l == L - 1) {
      gemm(input, w, b, out, B, I, O, false);
    } else {
      const a = preActivation(dims, l, B, ws);
      const h = a + (<usize>(B * O) << 2);
      gemm(input, w, b, a, B, I, O, false);
      activationForward(act, a, h, B * O);
      input = h;
    }
    w = b + (<usize>O << 2);
  }
}

/**
 * Reverse pass after {@link mlpForward} on the same x and ws: gparams += d<gout, out>/dparams and,
 * when gx != 0, gx[B, dims[0]] = d<gout, out>/dx. gout is [B, dims[L]] and is left unchanged.
 */
export function mlpBackward(dims: usize, L: i32, act: i32, params: usize, x: usize, gout: usize,
  gparams: usize, gx: usize, B: i32, ws: usize): void {
  const gbuf0 = ws + (<usize>cacheFloats(dims, L, B) << 2);
  const gbuf1 = gbuf0 + (<usize>(B * maxWidth(dims, L)) << 2);
  const scratch = gbuf1 + (<usize>(B * maxWidth(dims, L)) << 2);
  // Offsets of each layer's W in params and gparams.
  let wOff = mlpParamCount(dims, L);
  let g = gout;
  for (let l = L - 1; l >= 0; l--) {
    const I = dim(dims, l), O = dim(dims, l + 1);
    wOff -= I * O + O;
    const w = params + (<usize>wOff << 2);
    const dw = gparams + (<usize>wOff << 2);
    const db = dw + (<usize>(I * O) << 2);
    const input = l == 0 ? x : preActivation(dims, l - 1, B, ws) + (<usize>(B * I) << 2);
    const gin = l == 0 ? gx : (g == gbuf0 ? gbuf1 : gbuf0);
    denseBackward(input, w, g, gin, dw, db, B, I, O, scratch);
    if (l > 0) activationBackward(act, preActivation(dims, l - 1, B, ws), gin, B * I);
    g = gin;
  }
}
