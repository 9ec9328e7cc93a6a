import { describe, expect, it } from 'vitest';
import { loadCore } from './core.js';

describe('core.scope', async () => {
  const core = await loadCore();
  const inUse = () => core.heap.bytesInUse;

  it('frees what was allocated through it, keeps what it returns', () => {
    const before = inUse();
    const kept = core.scope((s) => {
      const a = s.f32(100, new Float32Array(100).fill(1));
      const b = s.f32(7);
      s.i32([1, 2, 3]);
      s.rng(5);
      b.view.set(a.view.subarray(0, 7));
      return b;
    });
    expect(Array.from(kept.view)).toEqual(new Array(7).fill(1));
    expect(inUse()).toBe(before + 32); // the 7 floats, rounded up to the heap's 16-byte blocks
    kept.free();
    expect(inUse()).toBe(before);
  });

  it('keeps the buffers of a returned array or plain object, and what it was told to keep', () => {
    const before = inUse();
    let kept: { free(): void }[] = [];
    core.scope((s) => {
      const [x, y] = core.scope((t) => [t.f32(4), t.f32(4), 3] as const);
      const { z } = core.scope((t) => ({ z: t.f32(4), w: 'not a buffer' }));
      kept = [x, y, z, s.keep(s.f32(4))];
      s.f32(1000);
    });
    expect(inUse()).toBe(before + 4 * 16);
    for (const k of kept) k.free();
    expect(inUse()).toBe(before);
  });

  it('frees everything when its function throws, and refuses a promise', async () => {
    const before = inUse();
    expect(() =>
      core.scope((s) => {
        s.f32(10);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(inUse()).toBe(before);
    expect(() => core.scope(async (s) => s.f32(3))).toThrow(/synchronous work only/);
    expect(inUse()).toBe(before);
  });

  it('leaves alone what the function allocates outside the scope (a workspace a model keeps), and a buffer freed twice', () => {
    const before = inUse();
    const own = core.scope((s) => {
      const tmp = s.f32(8);
      tmp.free(); // freed by hand as well: the scope's second free does nothing
      return core.f32(8); // not the scope's
    });
    expect(inUse()).toBe(before + 32);
    own.free();
    own.free();
    expect(inUse()).toBe(before);
  });
});
