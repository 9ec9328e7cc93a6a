import { F32Buffer, I32Buffer, WasmHeap, type Freeable } from './memory.js';
import { readWasm } from '#wasm';
import { availableCores, threadsAvailable } from '#spawn';
import type { Build } from './wasm/build.js';
import type { CoreExports } from './exports.js';
import { InputError } from './errors.js';
import { emptyArrayMessage, isDetached } from './detached.js';
import { SHARED_MEMORY_PAGES, ThreadPool } from './threads.js';

/** Options for {@link loadCore}. */
export interface LoadCoreOptions {
  /** 'auto' (default) runs SIMD where `WebAssembly.validate` accepts it, else scalar. */
  build?: Build | 'auto';
  /** The .wasm bytes to use instead of the package's own (see wasm/build.ts for where those come from). */
  bytes?: Uint8Array;
  /**
   * Threads the kernels split over, the caller included (default 1; 'auto': every core). Above 1 the core runs the
   * threaded build on shared memory with T - 1 workers, and gives the same bits as with one thread. Where shared
   * memory is missing (a page that is not cross-origin isolated) it runs one thread: see {@link Core.threads}.
   * With `bytes`, pass the threaded build (build/<build>-threads.wasm).
   */
  threads?: number | 'auto';
}

/** Allocations freed when their {@link Core.scope} ends (unless returned or kept). */
export interface Scope {
  f32(length: number, init?: ArrayLike<number>): F32Buffer;
  i32(values: ArrayLike<number>): I32Buffer;
  rng(seed: number | bigint, counter?: number | bigint): Rng;
  /** Frees `x` (e.g. a buffer a function allocated and returned) with the scope's own allocations. */
  adopt<T extends Freeable>(x: T): T;
  /** Hands `x` (allocated through this scope) to the caller: the scope will not free it. */
  keep<T extends Freeable>(x: T): T;
}

/** One instance of the WASM core with the memory it owns. */
export class Core {
  readonly heap: WasmHeap;
  /** The workers of a threaded core (see {@link LoadCoreOptions.threads}). */
  pool?: ThreadPool;
  /** Why a core asked for threads runs one: no shared memory here, or its workers could not start. */
  threadsUnavailable?: string;

  constructor(
    readonly exports: CoreExports,
    readonly build: Build,
  ) {
    this.heap = new WasmHeap(exports.memory, exports.heapBase());
  }

  /**
   * Runs `fn` with a {@link Scope} and then frees every buffer and stream allocated through it that `fn` did not
   * return or `keep`: a disposal scope for temporaries in place of manual `free()` calls (as `tf.tidy` is for
   * tensors, but explicit: only what is allocated through the scope is its to free, so a model or pool that
   * allocates its own workspace inside `fn` keeps it). What `fn` returns (a buffer or stream, or an array or plain
   * object holding them, one level deep) belongs to the caller. Everything is freed when `fn` throws too.
   * Synchronous only: a promise is refused (its work would outlive the scope).
   */
  scope<T>(fn: (scope: Scope) => T): T {
    const owned = new Set<Freeable>();
    const add = <X extends Freeable>(x: X): X => {
      owned.add(x);
      return x;
    };
    const scope: Scope = {
      f32: (length, init) => add(this.f32(length, init)),
      i32: (values) => add(this.i32(values)),
      rng: (seed, counter) => add(this.rng(seed, counter)),
      adopt: add,
      keep: (x) => {
        owned.delete(x);
        return x;
      },
    };
    let result: T;
    try {
      result = fn(scope);
    } catch (e) {
      freeAll(owned);
      throw e;
    }
    if (result instanceof Promise) {
      freeAll(owned);
      throw new Error('core.scope: fn returned a promise; a scope holds synchronous work only');
    }
    for (const kept of handedBack(result)) owned.delete(kept);
    freeAll(owned);
    return result;
  }

  /** Threads the kernels split over, the caller included. */
  get threads(): number {
    return this.pool?.size ?? 1;
  }

  /** Stops a threaded core's workers (the core then runs on one thread); nothing to do otherwise. */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }

  /** A zero-filled f32 buffer of `length` elements in WASM memory (optionally initialised). */
  f32(length: number, init?: ArrayLike<number>): F32Buffer {
    // Checked before allocating: an allocation can grow the memory and detach `init` if it is a view into it.
    if (init && init.length !== length) {
      throw new InputError(
        init.length === 0 ? emptyArrayMessage('f32: init', init) : `f32: init has ${init.length} values, expected ${length}`,
      );
    }
    const buf = new F32Buffer(this.heap, this.heap.alloc(length * 4), length);
    if (init) buf.set(init);
    return buf;
  }

  /** An i32 buffer holding `values`. */
  i32(values: ArrayLike<number>): I32Buffer {
    if (isDetached(values)) throw new InputError(emptyArrayMessage('i32', values));
    const buf = new I32Buffer(this.heap, this.heap.alloc(values.length * 4), values.length);
    buf.view.set(values);
    return buf;
  }

  /** A seeded random stream living in WASM memory (see {@link Rng}). */
  rng(seed: number | bigint, counter: number | bigint = 0): Rng {
    return new Rng(this, seed, counter);
  }
}

/** Frees in the reverse order of allocation (the first-fit heap then merges the blocks back in one pass). */
function freeAll(owned: Set<Freeable>): void {
  for (const x of [...owned].reverse()) x.free();
}

/** The buffers and streams a scope's function returned: the value itself, or the items of an array or plain object. */
function handedBack(result: unknown): Freeable[] {
  const isFreeable = (x: unknown): x is Freeable => typeof (x as Freeable | null)?.free === 'function';
  if (isFreeable(result)) return [result];
  if (Array.isArray(result)) return result.filter(isFreeable);
  if (result && typeof result === 'object' && Object.getPrototypeOf(result) === Object.prototype)
    return Object.values(result).filter(isFreeable);
  return [];
}

/**
 * Counter-based random stream (SplitMix64 at explicit positions): state is (seed, counter) and
 * every draw advances the counter by one, so the same seed gives the same bits in every build.
 */
export class Rng {
  readonly ptr: number;

  constructor(
    private readonly core: Core,
    seed: number | bigint,
    counter: number | bigint = 0,
  ) {
    const s = toU64(seed, 'seed');
    this.ptr = core.heap.alloc(16);
    this.state.setBigUint64(0, s, true);
    this.counter = toU64(counter, 'counter');
  }

  private get state(): DataView {
    return new DataView(this.core.exports.memory.buffer, this.ptr, 16);
  }

  get seed(): bigint {
    return this.state.getBigUint64(0, true);
  }

  /** Number of draws made so far (the stream position). */
  get counter(): bigint {
    return this.state.getBigUint64(8, true);
  }

  set counter(value: bigint) {
    this.state.setBigUint64(8, value, true);
  }

  private freed = false;

  /** Gives the state back (once: see {@link F32Buffer.free}). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.core.heap.release(this.ptr);
  }
}

function toU64(v: number | bigint, what: string): bigint {
  if (typeof v === 'number' && !(Number.isSafeInteger(v) && v >= 0)) {
    throw new InputError(`rng: ${what} must be a non-negative integer below 2^53, got ${v}`);
  }
  const b = BigInt(v);
  if (b < 0n || b >= 1n << 64n) throw new InputError(`rng: ${what} must fit in 64 bits, got ${v}`);
  return b;
}

/** Minimal module with one v128 instruction: validates only where WASM SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this engine runs WebAssembly SIMD (fixed-width, 128-bit). */
export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

/**
 * True when a threaded core can run here: shared WebAssembly memory (in a browser, a cross-origin isolated page:
 * COOP same-origin, COEP require-corp) and workers. Elsewhere loadCore({ threads }) runs one thread.
 */
export function threadsSupported(): boolean {
  return threadsAvailable();
}

/** The thread count {@link LoadCoreOptions.threads} asks for (checked). */
export function resolveThreads(threads: number | 'auto' | undefined): number {
  if (threads === undefined) return 1;
  if (threads === 'auto') return availableCores();
  if (!(Number.isSafeInteger(threads) && threads >= 1 && threads <= 256)) {
    throw new InputError(`loadCore: threads must be an integer from 1 to 256 or 'auto', got ${threads}`);
  }
  return threads;
}

/** Loads and instantiates the WASM core. */
export async function loadCore(options: LoadCoreOptions = {}): Promise<Core> {
  const wanted = options.build ?? 'auto';
  if (!['auto', 'simd', 'scalar'].includes(wanted)) {
    throw new InputError(`loadCore: unknown build '${wanted}'; valid: auto, simd, scalar`);
  }
  const build: Build = wanted === 'auto' ? (simdSupported() ? 'simd' : 'scalar') : wanted;
  if (build === 'simd' && !simdSupported()) throw new Error('loadCore: this engine does not support WebAssembly SIMD; use build: "scalar"');
  const threads = resolveThreads(options.threads);
  const threaded = threads > 1 && threadsAvailable();
  const bytes = options.bytes ?? (await readWasm(threaded ? `${build}-threads` : build));
  // Compile first: instantiate(bytes) has an overload taking a Module that confuses the typings.
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const importsMemory = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
  if (importsMemory !== threaded) {
    throw new InputError(`loadCore: the bytes given are ${importsMemory ? '' : 'not '}a threaded build, for threads: ${threads}`);
  }
  const memory = threaded ? sharedMemory() : undefined;
  let pool: ThreadPool | undefined;
  const instance = await WebAssembly.instantiate(module, {
    env: {
      ...(memory ? { memory } : {}),
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new Error(`core-math: WASM abort at ${line}:${column}`);
      },
      poolFailed(worker: number) {
        const cause = pool?.workerError(worker);
        throw new Error(`core-math: thread ${worker} failed${cause ? ` (${cause})` : ''}; close this core and load another`);
      },
      // The threaded build times its jobs to stop splitting passes while the machine is busy (assembly/pool.ts).
      poolNow: () => (pool ? pool.clock() : performance.now()),
    },
  });
  const exports = instance.exports as unknown as CoreExports;
  if ((exports.isSimdBuild() === 1) !== (build === 'simd')) {
    throw new InputError(`loadCore: the bytes given are not the ${build} build`);
  }
  const core = new Core(exports, build);
  if (threaded && memory) {
    // Workers that cannot start (e.g. a page's CSP without blob: workers) leave a core that runs on one thread.
    try {
      core.pool = pool = await ThreadPool.start(core, module, memory, threads);
    } catch (e) {
      core.threadsUnavailable = (e as Error).message;
    }
  } else if (threads > 1) core.threadsUnavailable = 'no shared WebAssembly memory here (a page must be cross-origin isolated)';
  return core;
}

/** A shared memory for the threaded build: the whole 32-bit space if the engine reserves it, else 1 GiB. */
function sharedMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ ...SHARED_MEMORY_PAGES, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: SHARED_MEMORY_PAGES.initial, maximum: 16384, shared: true });
  }
}
