/**
 * True when `a` is a typed array whose memory was detached: a view into WASM memory taken before the memory
 * grew reads as empty from then on (every buffer's `.view` is valid only until the next call that allocates).
 */
export function isDetached(a: ArrayLike<number>): boolean {
  if (!ArrayBuffer.isView(a) || a.buffer.byteLength !== 0) return false;
  try {
    structuredClone(a.buffer); // a detached buffer cannot be cloned; an empty one can
    return false;
  } catch {
    return true;
  }
}

/** The message for an array that holds no values: why it may be empty, and what to do about it. */
export function emptyArrayMessage(what: string, a: ArrayLike<number>): string {
  return isDetached(a)
    ? `${what}: the array is detached (a view into WASM memory that has grown since it was taken); pass a copy, e.g. buf.toArray()`
    : `${what}: the array is empty`;
}
