import type { Core } from './core.js';
import type { F32Buffer } from './memory.js';
import { expectFinite, expectInt, expectLength } from './validate.js';
import { InputError } from './errors.js';

/** Adam hyper-parameters (defaults: Kingma & Ba 2015). */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Adam state for a parameter vector: first and second moments and the step count. */
export class Adam {
  readonly m: F32Buffer;
  readonly v: F32Buffer;
  step = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(
    private readonly core: Core,
    readonly size: number,
    readonly options: AdamOptions,
  ) {
    expectFinite('Adam', 'lr', options.lr, true);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    for (const [k, v] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(v >= 0 && v < 1)) throw new InputError(`Adam: ${k} must be in [0, 1), got ${v}`);
    }
    expectFinite('Adam', 'eps', this.eps, true);
    this.m = core.f32(size);
    this.v = core.f32(size);
  }

  /** params -= lr * mhat / (sqrt(vhat) + eps), with the moments updated from grads. */
  update(params: F32Buffer, grads: F32Buffer, lr = this.options.lr): void {
    expectLength('adamStep', 'params', params, this.size, 'size');
    expectLength('adamStep', 'grads', grads, this.size, 'size');
    this.step += 1;
    expectInt('adamStep', 'step', this.step);
    this.core.exports.adamStep(params.ptr, grads.ptr, this.m.ptr, this.v.ptr, this.size, lr, this.beta1, this.beta2, this.eps, this.step);
  }

  free(): void {
    this.m.free();
    this.v.free();
  }
}
