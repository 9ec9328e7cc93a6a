import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { lookup } from './errors.js';
import { expectLength } from './validate.js';
import { ActivationCode } from './generated/contract.js';

/** Activation names and their kernel codes. */
export const activations = {
  silu: ActivationCode.Silu,
  softplus: ActivationCode.Softplus,
  tanh: ActivationCode.Tanh,
  elu: ActivationCode.Elu,
} satisfies Record<string, number>;
export type Activation = keyof typeof activations;

/** The kernel code of an activation name (InputError listing the valid names on a miss). */
export function activationCode(name: string): number {
  return lookup(activations, name, 'activation');
}

/** h = phi(a), elementwise. */
export function activationForward(core: Core, name: Activation, a: F32Buffer, h: F32Buffer): void {
  expectLength('activationForward', 'h', h, a.length, 'a.length');
  core.exports.activationForward(activationCode(name), a.ptr, h.ptr, a.length);
}

/** d1 = phi'(a), d2 = phi''(a), d3 = phi'''(a), elementwise; null skips an order. */
export function activationDerivatives(
  core: Core,
  name: Activation,
  a: F32Buffer,
  d: { d1?: F32Buffer | null; d2?: F32Buffer | null; d3?: F32Buffer | null },
): void {
  for (const key of ['d1', 'd2', 'd3'] as const) {
    const buf = d[key];
    if (buf) expectLength('activationDerivatives', key, buf, a.length, 'a.length');
  }
  core.exports.activationDerivatives(activationCode(name), a.ptr, d.d1?.ptr ?? 0, d.d2?.ptr ?? 0, d.d3?.ptr ?? 0, a.length);
}

/** g *= phi'(a), elementwise: the reverse pass through the activation. */
export function activationBackward(core: Core, name: Activation, a: F32Buffer, g: F32Buffer): void {
  expectLength('activationBackward', 'g', g, a.length, 'a.length');
  core.exports.activationBackward(activationCode(name), a.ptr, g.ptr, a.length);
}
