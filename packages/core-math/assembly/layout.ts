// One layout for every pass over an MLP f with L dense layers of widths dims[0..L] (an i32 array), phi after
// every layer but the last. The plain passes (assembly/mlp.ts) are the jet passes (assembly/jet.ts) with no
// lanes, so there is one parameter layout and one workspace layout.
//
// Parameters, one f32 block: for each layer l, W_l [dims[l], dims[l+1]] (input-major), then b_l [dims[l+1]].
// Workspace of a pass over B samples with k lanes of order o, R = B (1 + o k) rows (jetRows):
//   per hidden layer l, width O = dims[l+1]: A_l [R, O], H_l [R, O] (pre- and post-activation rows; the SIMD build
//     leaves the primal rows of A_l unwritten where it activates the GEMM's output tiles in registers: no pass reads them), then
//     D1_l, D2_l, D3_l [B, O] (phi', phi'', phi''' at the primal rows' a);
//   two cotangent buffers of R * max(dims) floats each;
//   a scratch of max(GRADIENT_GROUPS * max(dims) * min(R, ROW_BLOCK), max over l of max(R * dims[l], dims[l] *
//     dims[l+1])) floats (H^T blocks of the weight gradient: a part per gradient group, each group's threads may be
//     at different layers);
//   W_l^T of every layer, sum over l of dims[l] * dims[l+1] floats (the input cotangents' GEMMs);
//   GRADIENT_GROUPS partial parameter gradients, one parameter block each (assembly/jet.ts, jetBackwardShare).

/**
 * The reverse pass sums the parameter gradient over the samples in this many fixed groups (the first and second half
 * of the batch), each from zero, then adds the groups' sums in order: with two threads each sums the rows it computed
 * itself, from its own cache (assembly/jet.ts). A fixed count, so every thread count gives the same bits.
 */
export const GRADIENT_GROUPS = 2;

/** Rows of H^T (and of cotangents) per GEMM of the weight gradient: a block of cotangents the GEMM streams stays in cache. */
export const ROW_BLOCK = 128;

/** Width dims[l]. */
@inline export function dim(dims: usize, l: i32): i32 {
  return load<i32>(dims + (<usize>l << 2));
}

/**
 * Orders of a jet pass: ORDER_1 tangent lanes; ORDER_2 Taylor-2 lanes; ORDER_2_LAST_TANGENT Taylor-2 lanes but the
 * last one, which is a tangent lane only (ssm-vr's lane along grad f reads only its first-order output, so its
 * second-order rows would be work whose cotangents are all zero).
 */
export const ORDER_1 = 1;
export const ORDER_2 = 2;
export const ORDER_2_LAST_TANGENT = 3;

/** Second-order lanes per sample of a pass with k lanes of this order. */
@inline export function secondLanes(k: i32, order: i32): i32 {
  return order == ORDER_1 ? 0 : order == ORDER_2 ? k : k - 1;
}

/** Rows of a jet block: B primal rows, then B k tangent rows, then B secondLanes(k, order) second-order rows. */
@inline export function jetRows(B: i32, k: i32, order: i32): i32 {
  return B * (1 + k + secondLanes(k, order));
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

/** Multiply-adds of one row through the MLP's GEMMs (sum of I * O): the unit of a pass's size (assembly/pool.ts). */
export function mlpMacsPerRow(dims: usize, L: i32): f64 {
  let n: f64 = 0;
  for (let l = 0; l < L; l++) n += <f64>dim(dims, l) * <f64>dim(dims, l + 1);
  return n;
}

export function maxWidth(dims: usize, L: i32): i32 {
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
  const scratch = scratchFloats(dims, L, R);
  return cacheFloats(dims, L, R, B) + 2 * R * maxWidth(dims, L) + scratch + weightFloats(dims, L) +
    GRADIENT_GROUPS * mlpParamCount(dims, L);
}

function weightFloats(dims: usize, L: i32): i32 {
  let n = 0;
  for (let l = 0; l < L; l++) n += dim(dims, l) * dim(dims, l + 1);
  return n;
}

function scratchFloats(dims: usize, L: i32, R: i32): i32 {
  let scratch = 0;
  for (let l = 0; l < L; l++) scratch = max(scratch, max(R * dim(dims, l), dim(dims, l) * dim(dims, l + 1)));
  return max(scratch, GRADIENT_GROUPS * maxWidth(dims, L) * min(R, ROW_BLOCK));
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

/** W_l^T of every layer, in layer order ([dims[l+1], dims[l]] each), after the scratch. */
@inline export function transposedWeights(dims: usize, L: i32, R: i32, B: i32, ws: usize): usize {
  return scratchBuffer(dims, L, R, B, ws) + (<usize>scratchFloats(dims, L, R) << 2);
}

/** GRADIENT_GROUPS parameter blocks after the transposed weights: group g's partial parameter gradient. */
@inline export function partialGradients(dims: usize, L: i32, R: i32, B: i32, ws: usize): usize {
  return transposedWeights(dims, L, R, B, ws) + (<usize>weightFloats(dims, L) << 2);
}
