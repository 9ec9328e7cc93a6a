import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import { expectInt, expectLength } from './validate.js';

/** batch[B, d] = B rows of data[N, d] drawn uniformly with replacement from rng (one draw per row). */
export function gatherRandomRows(core: Core, rng: Rng, data: F32Buffer, rows: number, d: number, batch: F32Buffer): void {
  expectInt('gatherRandomRows', 'rows', rows);
  expectInt('gatherRandomRows', 'd', d);
  expectLength('gatherRandomRows', 'data', data, rows * d, `rows*d ${rows}*${d}`);
  if (batch.length % d !== 0) expectLength('gatherRandomRows', 'batch', batch, Math.floor(batch.length / d) * d, 'a multiple of d');
  core.exports.gatherRandomRows(rng.ptr, data.ptr, rows, d, batch.ptr, batch.length / d);
}
