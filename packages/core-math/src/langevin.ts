import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError } from './errors.js';
import { expectFinite, expectInt, expectLength } from './validate.js';
import { conditionings, conditioningPointer, modelDataDim, modelKinds, modelWorkspaceFloats, type ModelSpec } from './score-model.js';
import { blockFloats, writeBlock, type BlockValues } from './config-block.js';
import { SamplerConfig, StepMode } from './generated/contract.js';

/** Where a block of particles sits in the full set (for splitting across workers). */
export interface ParticleBlock {
  /** Index of the first particle of x in the full set (default 0). */
  first?: number;
  /** Size of the full set (default: the particles in x). */
  total?: number;
}

/** Buffers for {@link langevin}: ws of modelWorkspaceFloats(chunk) and score of chunk * d floats. */
export interface LangevinWork {
  ws: F32Buffer;
  score: F32Buffer;
  chunk: number;
}

/** One sampler step rule (see assembly/langevin.ts). */
export type StepRule =
  /** x <- a x + b s(x; sigma) + c z. */
  | { mode: 'affine'; a: number; b: number; c: number }
  /**
   * x <- a x + b s(x; sigma) + c (z_t + z_{t+1}) / 2, z_{t+1} the noise of the next step (of the next call after the
   * last): with a = 1, b = alpha/2, c = sqrt(alpha) the Leimkuhler-Matthews Langevin scheme.
   */
  | { mode: 'lm'; a: number; b: number; c: number }
  /**
   * Langevin corrector, eps = 2 alpha (snr mean|z| / mean|s|)^2 with the means over each chunk of particles:
   * x <- x + eps s + sqrt(2 eps) z.
   */
  | { mode: 'corrector'; alpha: number; snr: number };

/** Options of {@link samplerSteps}. */
export interface StepOptions extends ParticleBlock {
  /** Noise level the model is read at (default 1; ignored by unconditioned models). */
  sigma?: number;
  /** Inpainting: coordinates j with mask[j] != 0 are reset to held[i, j] after every step (held is [n, d] like x). */
  hold?: { mask: F32Buffer; values: F32Buffer };
  /** The score at x [n, d] when the caller already has it (at this sigma): one step reads it instead of the model. */
  score?: F32Buffer;
  /**
   * The data's box [d] each, in x's units, for a model of x = x0 + sigma z (VE-type: ncsn, dsm, continuous VE): where
   * the network's denoiser x + sigma^2 s leaves it, the score is clamped to keep it on the box's nearest face
   * (assembly/langevin.ts, guardDenoiser); a given `score` is guarded in place. Absent: no guard.
   */
  box?: { lower: F32Buffer; upper: F32Buffer };
}

/**
 * `steps` sampler steps in place on x[n, d] with a score or energy model, in chunks of `chunk` particles.
 * The noise of (step, particle, coordinate) is fixed by the rng position, so results do not depend on the
 * chunk size or on how particles are split: the rng advances by steps * total * d.
 */
export function samplerSteps(
  core: Core,
  spec: ModelSpec,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  steps: number,
  rule: StepRule,
  rng: Rng,
  work: LangevinWork,
  options: StepOptions = {},
): void {
  const values = samplerBlockValues(spec, net, params, x, steps, rule, work, options);
  // A threaded core's workers take whole chunks, each with a workspace and score buffer of its own.
  core.pool?.reserveWorkspace(modelWorkspaceFloats(net, work.chunk) + work.chunk * values.d);
  const block = samplerBlock(core);
  writeBlock(core, SamplerConfig, block, values);
  core.exports.samplerSteps(block.ptr, net.dimsBuf.ptr, net.layers, net.act, params.ptr, x.ptr, rng.ptr, work.ws.ptr, work.score.ptr);
}

/** The SamplerConfig block of a {@link samplerSteps} call, checking every argument. */
export function samplerBlockValues(
  spec: ModelSpec,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  steps: number,
  rule: StepRule,
  work: LangevinWork,
  options: StepOptions = {},
): BlockValues<typeof SamplerConfig> {
  const k = 'samplerSteps';
  const d = modelDataDim(spec, net, k);
  if (x.length % d !== 0) throw new InputError(`${k}: x has ${x.length} floats, not a multiple of d = ${d}`);
  const n = x.length / d;
  const sigma = options.sigma ?? 1;
  expectInt(k, 'steps', steps, 0);
  expectFinite(k, 'sigma', sigma, true);
  expectInt(k, 'chunk', work.chunk);
  const [mode, a, b, c] =
    rule.mode === 'corrector'
      ? [StepMode.Corrector, rule.alpha, rule.snr, 0]
      : [rule.mode === 'lm' ? StepMode.Lm : StepMode.Affine, rule.a, rule.b, rule.c];
  expectFinite(k, 'a', a);
  expectFinite(k, 'b', b);
  expectFinite(k, 'c', c);
  if (rule.mode === 'corrector' && !(rule.alpha > 0 && rule.snr > 0)) throw new InputError(`${k}: corrector alpha and snr must be > 0`);
  const first = options.first ?? 0,
    total = options.total ?? n;
  expectInt(k, 'first', first, 0);
  if (first + n > total) throw new InputError(`${k}: particles ${first}..${first + n - 1} exceed total ${total}`);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'ws', work.ws, modelWorkspaceFloats(net, work.chunk), `modelWorkspaceFloats(${work.chunk})`, true);
  expectLength(k, 'score', work.score, work.chunk * d, `chunk*d ${work.chunk}*${d}`, true);
  if (options.hold) {
    expectLength(k, 'hold.mask', options.hold.mask, d, 'd');
    expectLength(k, 'hold.values', options.hold.values, n * d, `n*d ${n}*${d}`);
  }
  if (options.box) {
    expectLength(k, 'box.lower', options.box.lower, d, 'd');
    expectLength(k, 'box.upper', options.box.upper, d, 'd');
    const lo = options.box.lower.view,
      hi = options.box.upper.view;
    for (let j = 0; j < d; j++)
      if (!(Number.isFinite(lo[j]) && Number.isFinite(hi[j]) && lo[j] <= hi[j]))
        throw new InputError(`${k}: box coordinate ${j} (0-based) must be finite with lower <= upper, got [${lo[j]}, ${hi[j]}]`);
  }
  if (options.score) {
    expectLength(k, 'options.score', options.score, n * d, `n*d ${n}*${d}`);
    if (steps > 1) throw new InputError(`${k}: a given score is the score at x for one step, got ${steps} steps`);
  }
  return {
    kind: modelKinds[spec.kind],
    conditioning: conditionings[spec.conditioning],
    sigma,
    mode,
    a,
    b,
    c,
    n,
    d,
    first,
    total,
    steps,
    chunk: work.chunk,
    mask: options.hold?.mask.ptr ?? 0,
    held: options.hold?.values.ptr ?? 0,
    given: options.score?.ptr ?? 0,
    gaussian: conditioningPointer(spec),
    lower: options.box?.lower.ptr ?? 0,
    upper: options.box?.upper.ptr ?? 0,
  };
}

// One sampler block per core, allocated on first use and rewritten by every call (the kernel reads it into
// locals on entry), so a sampler loop allocates nothing: WASM memory never grows under a caller's views.
const samplerBlocks = new WeakMap<Core, F32Buffer>();

/** The core's sampler block: what the last {@link samplerSteps} call wrote (module-internal; the round-trip test reads it). */
export function samplerBlock(core: Core): F32Buffer {
  let block = samplerBlocks.get(core);
  if (!block) samplerBlocks.set(core, (block = core.f32(blockFloats(SamplerConfig))));
  return block;
}

/**
 * Unadjusted Langevin dynamics with a score or energy model at noise level sigma, in place on x[n, d]:
 * x <- x + (alpha/2) s(x; sigma) + sqrt(alpha) z, `steps` times (see {@link samplerSteps}).
 * see: Song & Ermon 2019, eq. (4).
 */
export function langevin(
  core: Core,
  spec: ModelSpec,
  net: MlpLayout,
  params: F32Buffer,
  x: F32Buffer,
  steps: number,
  alpha: number,
  rng: Rng,
  work: LangevinWork,
  options: StepOptions = {},
): void {
  expectFinite('langevin', 'alpha', alpha, true);
  samplerSteps(core, spec, net, params, x, steps, { mode: 'affine', a: 1, b: alpha / 2, c: Math.sqrt(alpha) }, rng, work, options);
}
