import { ALL_ROWS, jetBackward, jetForward } from './jet';
import { mlpJetWorkspaceFloats } from './layout';

// The plain MLP passes, out = f(x) and its reverse pass: the jet passes with no lanes, so they share the jet
// passes' parameter and workspace layout (assembly/layout.ts) and their code.

/** Workspace size in f32 for {@link mlpForward} + {@link mlpBackward} at batch B. */
export function mlpWorkspaceFloats(dims: usize, L: i32, B: i32): i32 {
  return mlpJetWorkspaceFloats(dims, L, B, 0, 1);
}

/** out[B, dims[L]] = MLP(x[B, dims[0]]); keeps the activations in `ws` for the reverse pass. */
export function mlpForward(dims: usize, L: i32, act: i32, params: usize, x: usize, out: usize, B: i32, ws: usize): void {
  jetForward(dims, L, act, params, x, out, B, 0, 1, ws, true, ALL_ROWS);
}

/**
 * Reverse pass after {@link mlpForward} on the same x and ws: gparams += d<gout, out>/dparams and,
 * when gx != 0, gx[B, dims[0]] = d<gout, out>/dx. gout is [B, dims[L]] and is left unchanged.
 */
export function mlpBackward(dims: usize, L: i32, act: i32, params: usize, x: usize, gout: usize,
  gparams: usize, gx: usize, B: i32, ws: usize): void {
  jetBackward(dims, L, act, params, x, gout, gparams, gx, B, 0, 1, ws, 0);
}
