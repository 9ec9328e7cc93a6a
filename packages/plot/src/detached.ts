/**
 * Throws when `a` is a typed array whose memory was detached: a view into WASM memory taken before that memory
 * grew reads as empty, and would silently draw nothing. (The same test as @scorefield/core-math's `isDetached`;
 * this package depends on nothing.)
 */
export function checkNotDetached(where: string, a: ArrayLike<number> | undefined): void {
  if (!a || !ArrayBuffer.isView(a) || a.buffer.byteLength !== 0) return;
  try {
    structuredClone(a.buffer); // a detached buffer cannot be cloned; an empty one can
  } catch {
    throw new Error(`${where} is detached (a view into WASM memory that has grown since it was taken); pass a copy, e.g. buf.toArray()`);
  }
}
