import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { expectFinite, expectLength } from './validate.js';

/** dst = a dst + b src, elementwise in f32 (e.g. a weighted sum of data-parallel gradients). */
export function scaleAdd(core: Core, dst: F32Buffer, a: number, src: F32Buffer, b: number): void {
  expectLength('scaleAdd', 'src', src, dst.length, 'dst.length');
  expectFinite('scaleAdd', 'a', a);
  expectFinite('scaleAdd', 'b', b);
  core.exports.scaleAdd(dst.ptr, a, src.ptr, b, dst.length);
}
