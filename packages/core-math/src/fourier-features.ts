import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import { InputError } from './errors.js';
import { newBlock } from './config-block.js';
import { FourierConfig } from './generated/contract.js';
import { rngNormal } from './rng-draws.js';

/**
 * The fixed input features of a model with conditioning 'fourier': the network reads [y, sin(2 pi B y), cos(2 pi B y),
 * c(sigma)] at y = x / sqrt(1 + sigma^2) (assembly/model.ts), B [m, d] drawn once and stored with the model. A small MLP
 * fed raw low-dimensional y learns sharp functions of it slowly and can stall (spectral bias); Fourier features let it
 * represent them from the start. see: Tancik et al. 2020, "Fourier Features Let Networks Learn High Frequency Functions
 * in Low Dimensional Domains" (Gaussian B); Rahaman et al. 2019, "On the Spectral Bias of Neural Networks".
 */
export interface FourierSpec {
  /** B [m, d] (row-major), in cycles per standardised unit. */
  frequencies: ArrayLike<number>;
}

/** Frequencies m of a new 'fourier' model (2m input features). */
export const FOURIER_FREQUENCIES = 16;

/**
 * Standard deviation of B's entries, in cycles per standardised unit: data standardised to unit spread, with structure
 * down to the modes of 25gaussians (0.71 apart), measured in docs/results (notes).
 */
export const FOURIER_SCALE = 1;

/** Checks frequencies B against data dimension d: m * d finite values, m >= 1 (one line, InputError). */
export function checkFourier(f: FourierSpec, d: number, k = 'fourier'): void {
  const n = f.frequencies.length;
  if (!(n >= d && n % d === 0)) throw new InputError(`${k}: frequencies has ${n} values, expected m x d (d = ${d}, m >= 1)`);
  if (!Array.prototype.every.call(f.frequencies, (v: number) => Number.isFinite(v)))
    throw new InputError(`${k}: frequencies must be finite`);
}

/** B [m, d] with N(0, scale^2) entries drawn from `rng` (m * d draws). */
export function drawFourier(core: Core, rng: Rng, d: number, m = FOURIER_FREQUENCIES, scale = FOURIER_SCALE): FourierSpec {
  const b = core.f32(m * d);
  try {
    rngNormal(core, rng, b, 0, scale);
    return { frequencies: b.toArray() };
  } finally {
    b.free();
  }
}

/** Frequencies in WASM memory for the kernels: their FourierConfig block and array. Free it when done. */
export class FourierBlock {
  readonly block: F32Buffer;
  private readonly array: F32Buffer;

  constructor(
    core: Core,
    readonly spec: FourierSpec,
    readonly dim: number,
  ) {
    checkFourier(spec, dim);
    this.array = core.f32(spec.frequencies.length, spec.frequencies);
    this.block = newBlock(core, FourierConfig, { dim, count: this.count, frequencies: this.array.ptr });
  }

  /** Frequencies m (the network reads 2m features). */
  get count(): number {
    return this.spec.frequencies.length / this.dim;
  }

  get ptr(): number {
    return this.block.ptr;
  }

  free(): void {
    this.block.free();
    this.array.free();
  }
}
