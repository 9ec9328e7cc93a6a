import { InputError } from './errors.js';
import { emptyArrayMessage, isDetached } from './detached.js';

const PAGE = 65536;
const ALIGN = 16; // v128 loads do not need it, but aligned rows are faster and easy to reason about

/**
 * The TS side owns the WASM linear memory above the module's static data: a first-fit free list
 * over [heapBase, memory end), growing the memory when nothing fits.
 */
export class WasmHeap {
  private readonly free: { start: number; size: number }[] = [];
  private readonly used = new Map<number, number>();

  constructor(
    readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    const start = align(heapBase);
    this.free.push({ start, size: memory.buffer.byteLength - start });
  }

  /** Reserves `bytes` bytes (16-byte aligned, zero-filled) and returns the address. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new InputError(`alloc: invalid size ${bytes} bytes`);
    const size = Math.max(ALIGN, align(bytes));
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) i = this.grow(size);
    const block = this.free[i];
    const ptr = block.start;
    block.start += size;
    block.size -= size;
    if (block.size === 0) this.free.splice(i, 1);
    this.used.set(ptr, size);
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Returns a block from {@link alloc} to the free list, merging neighbours. */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`release: ${ptr} is not an allocated block`);
    this.used.delete(ptr);
    let i = this.free.findIndex((b) => b.start > ptr);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { start: ptr, size });
    const next = this.free[i + 1];
    if (next && ptr + size === next.start) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === ptr) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let n = 0;
    for (const s of this.used.values()) n += s;
    return n;
  }

  private grow(size: number): number {
    const end = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.start + last.size === end ? last : undefined;
    const need = size - (tail ? tail.size : 0);
    this.memory.grow(Math.ceil(need / PAGE));
    const added = this.memory.buffer.byteLength - end;
    if (tail) tail.size += added;
    else this.free.push({ start: end, size: added });
    return this.free.length - 1;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** A block of f32 in WASM memory. `view` is re-created when memory has grown, so it is always valid when read. */
export class F32Buffer {
  private cached: Float32Array | undefined;

  constructor(
    private readonly heap: WasmHeap,
    readonly ptr: number,
    readonly length: number,
  ) {}

  /** A Float32Array over the block, valid until the next call that can grow memory. */
  get view(): Float32Array {
    const buffer = this.heap.memory.buffer;
    if (!this.cached || this.cached.buffer !== buffer) this.cached = new Float32Array(buffer, this.ptr, this.length);
    return this.cached;
  }

  /** Copies `values` into the block starting at element `offset`. */
  set(values: ArrayLike<number>, offset = 0): this {
    if (isDetached(values)) throw new InputError(emptyArrayMessage('F32Buffer.set', values));
    if (offset + values.length > this.length) {
      throw new InputError(`F32Buffer.set: ${values.length} values at offset ${offset} overflow a buffer of ${this.length}`);
    }
    this.view.set(values, offset);
    return this;
  }

  /** Elements [start, end) as a buffer sharing this block's memory (for partial batches; never free it). */
  subarray(start: number, end: number): F32Buffer {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= this.length)) {
      throw new InputError(`F32Buffer.subarray: [${start}, ${end}) is outside [0, ${this.length})`);
    }
    return new F32Buffer(this.heap, this.ptr + start * 4, end - start);
  }

  /** A copy of the contents, safe to keep. */
  toArray(): Float32Array {
    return this.view.slice();
  }

  private freed = false;

  /**
   * Gives the memory back; the buffer must not be used afterwards. A second call does nothing (a scope may
   * free a buffer its function already freed), so the block is never released twice.
   */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.heap.release(this.ptr);
  }
}

/** What {@link Core.scope} frees: buffers and random streams in WASM memory. */
export interface Freeable {
  free(): void;
}

/** A block of i32 in WASM memory (shapes, indices). */
export class I32Buffer {
  constructor(
    private readonly heap: WasmHeap,
    readonly ptr: number,
    readonly length: number,
  ) {}

  get view(): Int32Array {
    return new Int32Array(this.heap.memory.buffer, this.ptr, this.length);
  }

  private freed = false;

  /** Gives the memory back (once: see {@link F32Buffer.free}). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.heap.release(this.ptr);
  }
}
