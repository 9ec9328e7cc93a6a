import { InputError } from './errors.js';
import type { F32Buffer } from './memory.js';

/** Throws unless `v` is an integer >= min, naming the kernel and the argument. */
export function expectInt(kernel: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new InputError(`${kernel}: ${name} must be an integer >= ${min}, got ${v}`);
}

/** Throws unless `v` is a finite number (and > 0 when `positive`). */
export function expectFinite(kernel: string, name: string, v: number, positive = false): void {
  if (!Number.isFinite(v) || (positive && v <= 0)) {
    throw new InputError(`${kernel}: ${name} must be a finite${positive ? ' positive' : ''} number, got ${v}`);
  }
}

/** Throws unless buf holds exactly (or, with atLeast, at least) `expected` floats; `shape` explains it. */
export function expectLength(kernel: string, name: string, buf: F32Buffer, expected: number, shape: string, atLeast = false): void {
  if (atLeast ? buf.length < expected : buf.length !== expected) {
    throw new InputError(`${kernel}: ${name} has ${buf.length} floats, expected ${atLeast ? 'at least ' : ''}${shape} = ${expected}`);
  }
}
