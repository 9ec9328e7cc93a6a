import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError, lookup } from './errors.js';
import { expectFinite, expectInt, expectLength } from './validate.js';
import { conditionings, conditioningPointer, modelDataDim, modelKinds, type ModelSpec } from './score-model.js';
import { newBlock, type BlockValues } from './config-block.js';
import { ObjectiveCode, ObjectiveConfig, ProjectionCode, SdeConfig } from './generated/contract.js';
import { sdeBlockValues, type ContinuousSpec } from './sde.js';

// The SDE defaults live with the SDEs (src/sde.ts); the objectives' options default to them.
export { sdeDefaults } from './sde.js';

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

/** Projections of sliced score matching and their kernel codes. */
export const projections = {
  gaussian: ProjectionCode.Gaussian,
  rademacher: ProjectionCode.Rademacher,
  sphere: ProjectionCode.Sphere,
} satisfies Record<string, number>;
export type Projection = keyof typeof projections;

/** An objective with its options. Sigmas are in the units the network sees (standardised data). */
export type ObjectiveSpec =
  | { name: 'esm' }
  | { name: 'ssm' | 'ssm-vr'; projection?: Projection; slices?: number }
  | { name: 'dsm'; sigma: number }
  | { name: 'ncsn'; sigmas: number[] }
  | { name: 'continuous'; sde: 've' | 'vp'; sigmaMin?: number; sigmaMax?: number; betaMin?: number; betaMax?: number; eps?: number };

const codes = {
  esm: ObjectiveCode.Esm,
  ssm: ObjectiveCode.Ssm,
  'ssm-vr': ObjectiveCode.SsmVr,
  dsm: ObjectiveCode.Dsm,
  ncsn: ObjectiveCode.Ncsn,
  continuous: ObjectiveCode.Continuous,
} satisfies Record<ObjectiveName, number>;

/**
 * An objective bound to a model spec and network: holds its config block (and its noise levels or SDE) in
 * WASM memory. Call {@link lossGrad} for the loss on a batch and its parameter gradient; {@link free} when done.
 */
export class BoundObjective {
  /** The ObjectiveConfig block the kernel reads (assembly/contract.ts). */
  readonly config: F32Buffer;
  private readonly levels: F32Buffer | null;
  private readonly sde: F32Buffer | null;
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
    // Everything is checked before anything is allocated.
    const values = objectiveBlockValues(spec, model, this.dim);
    const sde = spec.name === 'continuous' ? checkedSde(spec) : null;
    this.levels = sigmas.length ? core.f32(sigmas.length, sigmas) : null;
    this.sde = sde && newBlock(core, SdeConfig, sde);
    this.config = newBlock(core, ObjectiveConfig, {
      ...values,
      levels: sigmas.length,
      sigmas: this.levels?.ptr ?? 0,
      sde: this.sde?.ptr ?? 0,
    });
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
    this.sde?.free();
  }
}

/** The ObjectiveConfig fields of a spec, the pointers to its noise levels and SDE left at 0. */
function objectiveBlockValues(spec: ObjectiveSpec, model: ModelSpec, dim: number): BlockValues<typeof ObjectiveConfig> {
  const k = 'objective';
  const values = {
    objective: codes[spec.name],
    kind: modelKinds[model.kind],
    conditioning: conditionings[model.conditioning],
    dim,
    projection: 0,
    slices: 0,
    sigma: 0,
    levels: 0,
    sigmas: 0,
    sde: 0,
    gaussian: conditioningPointer(model),
  };
  if (spec.name === 'ssm' || spec.name === 'ssm-vr') {
    values.projection = lookup(projections, spec.projection ?? 'gaussian', 'projection');
    values.slices = spec.slices ?? 1;
    expectInt(k, 'slices', values.slices);
  }
  if (spec.name === 'dsm') {
    expectFinite(k, 'sigma', spec.sigma, true);
    values.sigma = spec.sigma;
  }
  return values;
}

/** The SdeConfig fields of a continuous objective, checked. */
function checkedSde(spec: ContinuousSpec): BlockValues<typeof SdeConfig> {
  const k = 'objective';
  const o = sdeBlockValues(spec);
  for (const key of ['sigmaMin', 'sigmaMax', 'betaMin', 'betaMax', 'eps'] as const) expectFinite(k, key, o[key], true);
  if (o.sigmaMin >= o.sigmaMax) throw new InputError(`${k}: sigmaMin must be below sigmaMax, got ${o.sigmaMin} and ${o.sigmaMax}`);
  if (o.betaMin > o.betaMax) throw new InputError(`${k}: betaMin must not exceed betaMax, got ${o.betaMin} and ${o.betaMax}`);
  if (o.eps >= 1) throw new InputError(`${k}: eps must be in (0, 1), got ${o.eps}`);
  return o;
}
