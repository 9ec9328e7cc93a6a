import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';

// Config blocks are @unmanaged classes of assembly/contract.ts; their layouts (src/generated/contract.ts) come
// from the compiler, so writing a block here by field name puts each value where the kernel reads it.

/** The layout of a config block, as generated: its size and each field's byte offset and type. */
export interface BlockLayout {
  readonly bytes: number;
  readonly fields: { readonly [name: string]: { readonly offset: number; readonly type: 'i32' | 'u32' | 'f32' | 'f64' | 'usize' } };
}

/** A value for every field of a block (pointers as byte addresses, 0 for none). */
export type BlockValues<L extends BlockLayout> = { [K in keyof L['fields']]: number };

/** Floats to allocate for a block of this layout. */
export function blockFloats(layout: BlockLayout): number {
  return Math.ceil(layout.bytes / 4);
}

/** Writes every field of `values` into the block at `block` (at least {@link blockFloats} floats). */
export function writeBlock<L extends BlockLayout>(core: Core, layout: L, block: F32Buffer, values: BlockValues<L>): void {
  const view = new DataView(core.exports.memory.buffer, block.ptr, layout.bytes);
  for (const [name, { offset, type }] of Object.entries(layout.fields)) {
    const v = values[name as keyof L['fields']];
    if (type === 'f32') view.setFloat32(offset, v, true);
    else if (type === 'f64') view.setFloat64(offset, v, true);
    else if (type === 'i32') view.setInt32(offset, v, true);
    else view.setUint32(offset, v, true);
  }
}

/** A new block in WASM memory holding `values` (the caller frees it). */
export function newBlock<L extends BlockLayout>(core: Core, layout: L, values: BlockValues<L>): F32Buffer {
  const block = core.f32(blockFloats(layout));
  writeBlock(core, layout, block, values);
  return block;
}
