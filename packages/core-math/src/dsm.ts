import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError } from './errors.js';
import { expectFinite, expectInt, expectLength } from './validate.js';

/** Buffers one DSM evaluation at batch B uses: noisy x~, score s(x~) and dLoss/ds, each [B, d]. */
export interface DsmBuffers {
  noisy: F32Buffer;
  score: F32Buffer;
  gscore: F32Buffer;
  ws: F32Buffer;
}

/** batch[B, d] = B rows of data[N, d] drawn uniformly with replacement from rng. */
export function gatherRandomRows(core: Core, rng: Rng, data: F32Buffer, rows: number, d: number, batch: F32Buffer): void {
  expectInt('gatherRandomRows', 'rows', rows);
  expectInt('gatherRandomRows', 'd', d);
  expectLength('gatherRandomRows', 'data', data, rows * d, `rows*d ${rows}*${d}`);
  if (batch.length % d !== 0) expectLength('gatherRandomRows', 'batch', batch, Math.floor(batch.length / d) * d, 'a multiple of d');
  core.exports.gatherRandomRows(rng.ptr, data.ptr, rows, d, batch.ptr, batch.length / d);
}

/**
 * Denoising score matching loss at noise level sigma on x[B, d] for a score network (d -> d):
 * mean_b 1/2 ||s(x~) + (x~ - x)/sigma^2||^2 with x~ = x + sigma z, z drawn from rng.
 * Returns the loss and adds its parameter gradient to gparams.
 * see: Vincent 2011, eq. (7).
 */
export function dsmLossGrad(core: Core, net: MlpLayout, params: F32Buffer, x: F32Buffer, batch: number, sigma: number,
  rng: Rng, gparams: F32Buffer, bufs: DsmBuffers): number {
  const k = 'dsmLossGrad';
  expectFinite(k, 'sigma', sigma, true);
  expectInt(k, 'batch', batch);
  const d = net.inputs;
  if (net.outputs !== d) throw new InputError(`${k}: a score network maps R^d to R^d, got ${d} -> ${net.outputs}`);
  expectLength(k, 'x', x, batch * d, `batch*d ${batch}*${d}`);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'gparams', gparams, net.paramCount, 'paramCount');
  for (const key of ['noisy', 'score', 'gscore'] as const) expectLength(k, key, bufs[key], batch * d, `batch*d ${batch}*${d}`);
  expectLength(k, 'ws', bufs.ws, net.workspaceFloats(batch), `workspaceFloats(${batch})`, true);
  return core.exports.dsmLossGrad(net.dimsBuf.ptr, net.layers, net.act, params.ptr, x.ptr, batch, d, sigma, rng.ptr,
    gparams.ptr, bufs.ws.ptr, bufs.noisy.ptr, bufs.score.ptr, bufs.gscore.ptr);
}
