import { describe, expect, it } from 'vitest';
import { WasmHeap } from './memory.js';
import { loadCore } from './core.js';

describe('WasmHeap', () => {
  it('hands out aligned, disjoint, zeroed blocks and reuses freed ones (merging neighbours)', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).fill(7);
    const heap = new WasmHeap(memory, 100);
    const a = heap.alloc(10),
      b = heap.alloc(40),
      c = heap.alloc(16);
    expect([a, b, c].every((p) => p % 16 === 0 && p >= 100)).toBe(true);
    expect(b).toBeGreaterThanOrEqual(a + 16);
    expect(c).toBeGreaterThanOrEqual(b + 48);
    expect(new Uint8Array(memory.buffer, b, 40).every((v) => v === 0)).toBe(true);
    heap.release(a);
    heap.release(b);
    expect(heap.alloc(64)).toBe(a); // a and b merged into one 64-byte hole
    expect(heap.bytesInUse).toBe(64 + 16);
    expect(() => heap.release(12345)).toThrow(/not an allocated block/);
  });

  it('grows memory when nothing fits', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new WasmHeap(memory, 0);
    const p = heap.alloc(200_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(p + 200_000);
  });
});

describe('F32Buffer', () => {
  it('keeps a valid view after memory grows', async () => {
    const core = await loadCore();
    const a = core.f32(4, [1, 2, 3, 4]);
    const old = a.view;
    const big = core.f32(1 << 22); // forces memory.grow: old views detach
    expect(old.length).toBe(0);
    expect(Array.from(a.view)).toEqual([1, 2, 3, 4]);
    big.free();
    a.free();
  });

  it('rejects an overflowing set with a message naming the sizes', async () => {
    const core = await loadCore();
    expect(() => core.f32(2).set([1, 2, 3])).toThrow(/3 values at offset 0 overflow a buffer of 2/);
  });
});
