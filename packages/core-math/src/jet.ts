import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError } from './errors.js';
import { expectInt, expectLength } from './validate.js';

/** Jet order: 1 = tangent lanes (JVP), 2 = second-order Taylor lanes. */
export type JetOrder = 1 | 2;

/**
 * Rows of a jet block for batch B with k lanes: B primal rows, then B*k tangent rows (row B + b*k + j),
 * then for order 2 B*k second-order rows (row B + B*k + b*k + j).
 */
export function jetRows(batch: number, lanes: number, order: JetOrder): number {
  return batch * (1 + order * lanes);
}

function check(kernel: string, net: MlpLayout, batch: number, lanes: number, order: number): void {
  expectInt(kernel, 'batch', batch);
  expectInt(kernel, 'lanes', lanes, 0);
  if (order !== 1 && order !== 2) throw new InputError(`${kernel}: order must be 1 or 2, got ${order}`);
}

/** Workspace floats for {@link mlpJetForward} + {@link mlpJetBackward}. */
export function mlpJetWorkspaceFloats(net: MlpLayout, batch: number, lanes: number, order: JetOrder): number {
  check('mlpJetWorkspaceFloats', net, batch, lanes, order);
  return net.core.exports.mlpJetWorkspaceFloats(net.dimsBuf.ptr, net.layers, batch, lanes, order);
}

/**
 * Y [R, d_out] = the jet of the MLP at X [R, d_in] (R = jetRows): primal outputs, J v per tangent lane
 * and, for order 2, the second-order Taylor coefficient (v^T H v for each output when the
 * second-order inputs are zero). Keeps what the reverse pass needs in ws.
 * see: docs/design.md, "The maths", passes 2 and 3.
 */
export function mlpJetForward(
  net: MlpLayout,
  params: F32Buffer,
  X: F32Buffer,
  Y: F32Buffer,
  batch: number,
  lanes: number,
  order: JetOrder,
  ws: F32Buffer,
): void {
  const k = 'mlpJetForward';
  check(k, net, batch, lanes, order);
  const R = jetRows(batch, lanes, order);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'X', X, R * net.inputs, `rows*inputs ${R}*${net.inputs}`);
  expectLength(k, 'Y', Y, R * net.outputs, `rows*outputs ${R}*${net.outputs}`);
  expectLength(k, 'ws', ws, mlpJetWorkspaceFloats(net, batch, lanes, order), 'mlpJetWorkspaceFloats', true);
  net.core.exports.mlpJetForward(net.dimsBuf.ptr, net.layers, net.act, params.ptr, X.ptr, Y.ptr, batch, lanes, order, ws.ptr);
}

/**
 * Reverse pass over {@link mlpJetForward} (same X and ws): gparams += d<gY, Y>/dparams when given,
 * gX = d<gY, Y>/dX when given. gY [R, d_out] holds the cotangent of every output row.
 */
export function mlpJetBackward(
  net: MlpLayout,
  params: F32Buffer,
  X: F32Buffer,
  gY: F32Buffer,
  gparams: F32Buffer | null,
  gX: F32Buffer | null,
  batch: number,
  lanes: number,
  order: JetOrder,
  ws: F32Buffer,
): void {
  const k = 'mlpJetBackward';
  check(k, net, batch, lanes, order);
  const R = jetRows(batch, lanes, order);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'X', X, R * net.inputs, `rows*inputs ${R}*${net.inputs}`);
  expectLength(k, 'gY', gY, R * net.outputs, `rows*outputs ${R}*${net.outputs}`);
  if (gparams) expectLength(k, 'gparams', gparams, net.paramCount, 'paramCount');
  if (gX) expectLength(k, 'gX', gX, R * net.inputs, `rows*inputs ${R}*${net.inputs}`);
  expectLength(k, 'ws', ws, mlpJetWorkspaceFloats(net, batch, lanes, order), 'mlpJetWorkspaceFloats', true);
  net.core.exports.mlpJetBackward(
    net.dimsBuf.ptr,
    net.layers,
    net.act,
    params.ptr,
    X.ptr,
    gY.ptr,
    gparams?.ptr ?? 0,
    gX?.ptr ?? 0,
    batch,
    lanes,
    order,
    ws.ptr,
  );
}
