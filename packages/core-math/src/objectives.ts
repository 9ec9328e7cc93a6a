import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError, lookup } from './errors.js';
import { expectFinite, expectInt, expectLength } from './validate.js';
import { conditionings, modelDataDim, modelKinds, type ModelSpec } from './score-model.js';

/** The objectives, their kernel codes, and whether they are noise-conditional (need sigma levels). */
export const objectives = {
  esm: { description: 'exact (implicit) score matching: tr(grad s) + 1/2 |s|^2, exact trace', noisy: false },
  ssm: { description: 'sliced score matching: v^T (grad s) v + 1/2 (v^T s)^2', noisy: false },
  'ssm-vr': { description: 'sliced score matching, variance reduced: v^T (grad s) v + 1/2 |s|^2', noisy: false },
  dsm: { description: 'denoising score matching at one noise level', noisy: true },
  ncsn: { description: 'multi-level denoising score matching, sigma^2 weighted (NCSN)', noisy: true },
  continuous: { description: 'continuous-time DSM over a VE or VP SDE, lambda = sigma(t)^2', noisy: true },
} satisfies Record<string, { description: string; noisy: boolean }>;
export type ObjectiveName = keyof typeof objectives;

export const projections = { gaussian: 0, rademacher: 1, sphere: 2 } satisfies Record<string, number>;
export type Projection = keyof typeof projections;

/** An objective with its options. Sigmas are in the units the network sees (standardised data). */
export type ObjectiveSpec =
  | { name: 'esm' }
  | { name: 'ssm' | 'ssm-vr'; projection?: Projection; slices?: number }
  | { name: 'dsm'; sigma: number }
  | { name: 'ncsn'; sigmas: number[] }
  | { name: 'continuous'; sde: 've' | 'vp'; sigmaMin?: number; sigmaMax?: number; betaMin?: number; betaMax?: number; eps?: number };

/** Defaults of the continuous-time SDEs (VP: Song et al. 2021; VE scaled to standardised toy data). */
export const sdeDefaults = { sigmaMin: 0.01, sigmaMax: 5, betaMin: 0.1, betaMax: 20, eps: 1e-5 };

const codes = { esm: 0, ssm: 1, 'ssm-vr': 2, dsm: 3, ncsn: 4 } as const;
const CONFIG_BYTES = 64;

/**
 * An objective bound to a model spec and network: holds its config block in WASM memory. Call
 * {@link lossGrad} for the loss on a batch and its parameter gradient; {@link free} when done.
 */
export class BoundObjective {
  private readonly config: F32Buffer;
  private readonly levels: F32Buffer | null;
  readonly dim: number;

  constructor(
    readonly core: Core,
    readonly spec: ObjectiveSpec,
    readonly model: ModelSpec,
    readonly net: MlpLayout,
  ) {
    const k = 'objective';
    lookup(objectives, spec.name, 'loss');
    this.dim = modelDataDim(model, net, k);
    if (!objectives[spec.name].noisy && model.conditioning !== 'none') {
      throw new InputError(`${k}: ${spec.name} trains an unconditional model; conditioning must be 'none', got '${model.conditioning}'`);
    }
    const sigmas = spec.name === 'ncsn' ? spec.sigmas : [];
    if (spec.name === 'ncsn') {
      if (!Array.isArray(sigmas) || sigmas.length < 1) throw new InputError(`${k}: ncsn needs at least one sigma`);
      sigmas.forEach((s, i) => expectFinite(k, `sigmas[${i}]`, s, true));
    }
    this.levels = sigmas.length ? core.f32(sigmas.length, sigmas) : null;
    this.config = core.f32(CONFIG_BYTES / 4);
    this.write(spec);
  }

  private write(spec: ObjectiveSpec): void {
    const k = 'objective';
    const view = new DataView(this.core.exports.memory.buffer, this.config.ptr, CONFIG_BYTES);
    const i32 = (off: number, v: number) => view.setInt32(off, v, true);
    const f32 = (off: number, v: number) => view.setFloat32(off, v, true);
    const sde = spec.name === 'continuous' ? lookup({ ve: 5, vp: 6 }, spec.sde, 'sde') : 0;
    i32(0, spec.name === 'continuous' ? sde : codes[spec.name]);
    i32(4, modelKinds[this.model.kind]);
    i32(8, conditionings[this.model.conditioning]);
    i32(12, this.dim);
    if (spec.name === 'ssm' || spec.name === 'ssm-vr') {
      i32(16, lookup(projections, spec.projection ?? 'gaussian', 'projection'));
      const M = spec.slices ?? 1;
      expectInt(k, 'slices', M);
      i32(20, M);
    }
    if (spec.name === 'dsm') {
      expectFinite(k, 'sigma', spec.sigma, true);
      f32(24, spec.sigma);
    }
    if (this.levels) {
      i32(28, this.levels.length);
      i32(32, this.levels.ptr);
    }
    if (spec.name === 'continuous') {
      const o = { ...sdeDefaults, ...spec };
      for (const key of ['sigmaMin', 'sigmaMax', 'betaMin', 'betaMax', 'eps'] as const) expectFinite(k, key, o[key], true);
      if (o.sigmaMin >= o.sigmaMax) throw new InputError(`${k}: sigmaMin must be below sigmaMax, got ${o.sigmaMin} and ${o.sigmaMax}`);
      if (o.betaMin > o.betaMax) throw new InputError(`${k}: betaMin must not exceed betaMax, got ${o.betaMin} and ${o.betaMax}`);
      if (o.eps >= 1) throw new InputError(`${k}: eps must be in (0, 1), got ${o.eps}`);
      f32(36, o.sigmaMin);
      f32(40, o.sigmaMax);
      f32(44, o.betaMin);
      f32(48, o.betaMax);
      f32(52, o.eps);
    }
  }

  /** Workspace floats of {@link lossGrad} at this batch size. */
  workspaceFloats(batch: number): number {
    expectInt('objectiveWorkspaceFloats', 'batch', batch);
    return this.core.exports.objectiveWorkspaceFloats(this.config.ptr, this.net.dimsBuf.ptr, this.net.layers, batch);
  }

  /**
   * The loss on x [B, d] (a batch mean) and its parameter gradient, added to gparams. Draws noise levels,
   * noise and projections from rng (see assembly/objectives.ts for the order).
   */
  lossGrad(params: F32Buffer, x: F32Buffer, batch: number, rng: Rng, gparams: F32Buffer, ws: F32Buffer): number {
    const k = 'objectiveLossGrad';
    expectInt(k, 'batch', batch);
    expectLength(k, 'params', params, this.net.paramCount, 'paramCount');
    expectLength(k, 'gparams', gparams, this.net.paramCount, 'paramCount');
    expectLength(k, 'x', x, batch * this.dim, `batch*d ${batch}*${this.dim}`);
    expectLength(k, 'ws', ws, this.workspaceFloats(batch), `workspaceFloats(${batch})`, true);
    return this.core.exports.objectiveLossGrad(
      this.config.ptr,
      this.net.dimsBuf.ptr,
      this.net.layers,
      this.net.act,
      params.ptr,
      x.ptr,
      batch,
      rng.ptr,
      gparams.ptr,
      ws.ptr,
    );
  }

  free(): void {
    this.config.free();
    this.levels?.free();
  }
}
