// A view into WASM memory detaches when the memory grows: every entry that takes values says so instead of
// reading it as empty (which used to give silent zeros).
import { describe, expect, it } from 'vitest';
import { emptyArrayMessage, isDetached } from './detached.js';
import { loadCore } from './core.js';

async function detachedView() {
  const core = await loadCore();
  const buf = core.f32(4, [1, 2, 3, 4]);
  const view = buf.view;
  core.f32(1 << 20); // 4 MB more than the memory has: it grows
  return { core, buf, view };
}

describe('detached views', () => {
  it('isDetached tells a detached view from an empty or a live one', async () => {
    const { buf, view } = await detachedView();
    expect(view.length).toBe(0);
    expect(isDetached(view)).toBe(true);
    expect(isDetached(buf.view)).toBe(false);
    expect(Array.from(buf.view)).toEqual([1, 2, 3, 4]); // .view itself is re-created, never stale
    expect(isDetached(new Float32Array(0))).toBe(false);
    expect(isDetached([])).toBe(false);
    expect(emptyArrayMessage('data', view)).toMatch(/^data: the array is detached \(a view into WASM memory that has grown/);
    expect(emptyArrayMessage('data', [])).toBe('data: the array is empty');
  });

  it('core.f32(n, init) and F32Buffer.set refuse a detached view, and an init of the wrong length', async () => {
    const { core, view } = await detachedView();
    expect(() => core.f32(4, view)).toThrow(/^f32: init: the array is detached/);
    expect(() => core.f32(4).set(view)).toThrow(/^F32Buffer\.set: the array is detached/);
    expect(() => core.i32(view)).toThrow(/^i32: the array is detached/);
    expect(() => core.f32(4, [1, 2, 3])).toThrow('f32: init has 3 values, expected 4');
  });
});
