import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { expectInt, expectLength } from './validate.js';

/** Sizes of a dense layer applied to a batch: x [batch, inputs] -> y [batch, outputs]. */
export interface DenseShape {
  batch: number;
  inputs: number;
  outputs: number;
}

function check(kernel: string, s: DenseShape): void {
  expectInt(kernel, 'batch', s.batch);
  expectInt(kernel, 'inputs', s.inputs);
  expectInt(kernel, 'outputs', s.outputs);
}

/** y[B,O] = x[B,I] w[I,O] + b[O] (w is input-major: row i holds the weights leaving input i). */
export function denseForward(core: Core, x: F32Buffer, w: F32Buffer, b: F32Buffer, y: F32Buffer, s: DenseShape): void {
  const k = 'denseForward';
  check(k, s);
  expectLength(k, 'x', x, s.batch * s.inputs, `batch*inputs ${s.batch}*${s.inputs}`);
  expectLength(k, 'w', w, s.inputs * s.outputs, `inputs*outputs ${s.inputs}*${s.outputs}`);
  expectLength(k, 'b', b, s.outputs, 'outputs');
  expectLength(k, 'y', y, s.batch * s.outputs, `batch*outputs ${s.batch}*${s.outputs}`);
  core.exports.denseForward(x.ptr, w.ptr, b.ptr, y.ptr, s.batch, s.inputs, s.outputs);
}

/** Floats of scratch {@link denseBackward} needs. */
export function denseScratchFloats(s: DenseShape): number {
  return Math.max(s.batch * s.inputs, s.inputs * s.outputs);
}

/**
 * Reverse pass of {@link denseForward} for upstream gradient dy[B,O]: dw += x^T dy, db += colsum(dy),
 * dx = dy w^T. Pass null for any gradient you do not need.
 */
export function denseBackward(
  core: Core,
  x: F32Buffer,
  w: F32Buffer,
  dy: F32Buffer,
  grads: { dx: F32Buffer | null; dw: F32Buffer | null; db: F32Buffer | null },
  scratch: F32Buffer,
  s: DenseShape,
): void {
  const k = 'denseBackward';
  check(k, s);
  expectLength(k, 'x', x, s.batch * s.inputs, `batch*inputs ${s.batch}*${s.inputs}`);
  expectLength(k, 'w', w, s.inputs * s.outputs, `inputs*outputs ${s.inputs}*${s.outputs}`);
  expectLength(k, 'dy', dy, s.batch * s.outputs, `batch*outputs ${s.batch}*${s.outputs}`);
  if (grads.dx) expectLength(k, 'dx', grads.dx, s.batch * s.inputs, `batch*inputs ${s.batch}*${s.inputs}`);
  if (grads.dw) expectLength(k, 'dw', grads.dw, s.inputs * s.outputs, `inputs*outputs ${s.inputs}*${s.outputs}`);
  if (grads.db) expectLength(k, 'db', grads.db, s.outputs, 'outputs');
  expectLength(k, 'scratch', scratch, denseScratchFloats(s), 'max(batch*inputs, inputs*outputs)', true);
  core.exports.denseBackward(
    x.ptr,
    w.ptr,
    dy.ptr,
    grads.dx?.ptr ?? 0,
    grads.dw?.ptr ?? 0,
    grads.db?.ptr ?? 0,
    s.batch,
    s.inputs,
    s.outputs,
    scratch.ptr,
  );
}
