import { totalmem } from 'node:os';
import { InputError } from '@scorefield/core-math';
import { POINT_LIMITS } from '@scorefield/formats';
import { MODEL_LIMITS } from '@scorefield/models';

/** The WASM core's memory cannot grow past 4 GiB (32-bit addresses). */
export const WASM_MEMORY_BYTES = 4 * 2 ** 30;

/**
 * Bytes one run may plan to use: half of this machine's memory (or of the cgroup limit, when there is
 * one), so a run that passes the up-front checks does not push the machine into swap.
 */
export function memoryBudget(): number {
  const machine = totalmem();
  const cgroup = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  return Math.floor((cgroup && cgroup < machine ? cgroup : machine) / 2);
}

/** Most values a points file may hold: the readers' limit, or less on a small machine (float64 while parsing, float32 twice after). */
export function maxPointValues(): number {
  return Math.min(POINT_LIMITS.maxValues, Math.floor(memoryBudget() / 16));
}

/** Most parameters a model may have: WASM's limit (models' MODEL_LIMITS), or less on a small machine (8 float32 copies). */
export function maxModelParams(): number {
  return Math.min(MODEL_LIMITS.maxParams, Math.floor(memoryBudget() / 32));
}

/** Largest file each kind of input may be; checked from the file's size before reading it. */
export function inputByteLimit(kind: InputKind): number {
  switch (kind) {
    case 'model':
    case 'checkpoint':
      // float32 parameters (a checkpoint also holds Adam's two moments) plus safetensors' 100 MB header cap.
      return (kind === 'checkpoint' ? 3 : 1) * 4 * maxModelParams() + 100e6 + 2 ** 20;
    case 'record':
      return 2 * 2 ** 30;
    case 'config':
      return 2 ** 20;
    case 'csv':
      return 16 * 2 ** 30;
    default:
      return 8 * maxPointValues() + 2 ** 20; // .npy and IDX: float64 at most, plus the header
  }
}

export type InputKind = 'model' | 'checkpoint' | 'record' | 'config' | 'csv' | 'npy' | 'idx';

/** `1.5 GiB`, `12 MiB`: sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * Refuses, before any work, a plan that needs more than this machine's budget or than WASM's 4 GiB:
 * `what` names the flags that set it, e.g. `--n 100000000 (x 2 dimensions)`.
 */
export function checkMemory(what: string, bytes: number, wasmBytes = 0): void {
  const budget = memoryBudget();
  if (wasmBytes > WASM_MEMORY_BYTES * 0.9)
    throw new InputError(`${what}: needs ${formatBytes(wasmBytes)} of WASM memory, more than its 4 GiB can hold`);
  if (bytes > budget)
    throw new InputError(
      `${what}: needs about ${formatBytes(bytes)} of memory, more than this machine allows a run (${formatBytes(budget)})`,
    );
}
