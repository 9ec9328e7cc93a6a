// One layout for every pass over an MLP f with L dense layers of widths dims[0..L] (an i32 array), phi after
// every layer but the last. The plain passes (assembly/mlp.ts) are the jet passes (assembly/jet.ts) with no
// lanes, so there is one parameter layout and one workspace layout.
//
// Parameters, one f32 block: for each layer l, W_l [dims[l], dims[l+1]] (input-major), then b_l [dims[l+1]].
// Workspace of a pass over B samples with k lanes of order o, R = B (1 + o k) rows (jetRows):
//   per hidden layer l, width O = dims[l+1]: A_l [R, O], H_l [R, O] (pre- and post-activation rows), then
//     D1_l, D2_l, D3_l [B, O] (phi', phi'', phi''' at the primal rows' a);
//   two cotangent buffers of R * max(dims) floats each;
//   a scratch of max over l of max(R * dims[l], dims[l] * dims[l+1]) floats (denseBackward's transposes).

/** Width dims[l]. */
@inline export function dim(dims: usize, l: i32): i32 {
  return load<i32>(dims + (<usize>l << 2));
}

/** Rows of a jet block: B primal rows, then B k tangent rows, then (order 2) B k second-order rows. */
@inline export function jetRows(B: i32, k: i32, order: i32): i32 {
  return B * (1 + order * k);
}

/** Floats of layer l's W_l and b_l. */
@inline export function layerParamFloats(dims: usize, l: i32): i32 {
  return dim(dims, l) * dim(dims, l + 1) + dim(dims, l + 1);
}

/** Number of f32 parameters of the MLP. */
export function mlpParamCount(dims: usize, L: i32): i32 {
  let n = 0;
  for (let l = 0; l < L; l++) n += layerParamFloats(dims, l);
  return n;
}

function maxWidth(dims: usize, L: i32): i32 {
  let m = 0;
  for (let l = 0; l <= L; l++) m = max(m, dim(dims, l));
  return m;
}

function layerFloats(R: i32, B: i32, O: i32): i32 {
  return 2 * R * O + 3 * B * O;
}

function cacheFloats(dims: usize, L: i32, R: i32, B: i32): i32 {
  let n = 0;
  for (let l = 0; l < L - 1; l++) n += layerFloats(R, B, dim(dims, l + 1));
  return n;
}

/** Workspace floats of a jet pass (forward and reverse) over B samples with k lanes of this order. */
export function mlpJetWorkspaceFloats(dims: usize, L: i32, B: i32, k: i32, order: i32): i32 {
  const R = jetRows(B, k, order);
  let scratch = 0;
  for (let l = 0; l < L; l++) scratch = max(scratch, max(R * dim(dims, l), dim(dims, l) * dim(dims, l + 1)));
  return cacheFloats(dims, L, R, B) + 2 * R * maxWidth(dims, L) + scratch;
}

/** A_l of hidden layer l; H_l, D1_l, D2_l, D3_l follow it. */
@inline export function layerCache(dims: usize, l: i32, R: i32, B: i32, ws: usize): usize {
  let off = 0;
  for (let j = 0; j < l; j++) off += layerFloats(R, B, dim(dims, j + 1));
  return ws + (<usize>off << 2);
}

/** Cotangent buffer i (0 or 1) of the reverse pass. */
@inline export function cotangentBuffer(dims: usize, L: i32, R: i32, B: i32, ws: usize, i: i32): usize {
  return ws + (<usize>(cacheFloats(dims, L, R, B) + i * R * maxWidth(dims, L)) << 2);
}

/** The reverse pass's scratch. */
@inline export function scratchBuffer(dims: usize, L: i32, R: i32, B: i32, ws: usize): usize {
  return cotangentBuffer(dims, L, R, B, ws, 2);
}
