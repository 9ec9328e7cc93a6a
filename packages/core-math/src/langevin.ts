import type { Core, Rng } from './core.js';
import type { F32Buffer } from './memory.js';
import type { MlpLayout } from './mlp.js';
import { InputError } from './errors.js';
import { expectFinite, expectInt, expectLength } from './validate.js';
import { conditionings, modelDataDim, modelKinds, modelWorkspaceFloats, type ModelSpec } from './score-model.js';

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

/**
 * Unadjusted Langevin dynamics with a score or energy model at noise level sigma, in place on x[n, d]:
 * x <- x + (alpha/2) s(x; sigma) + sqrt(alpha) z, `steps` times, in chunks of `chunk` particles.
 * The noise of (step, particle, coordinate) is fixed by the rng position, so results do not depend on
 * the chunk size or on how particles are split: the rng advances by steps * total * d.
 * see: Song & Ermon 2019, eq. (4).
 */
export function langevin(core: Core, spec: ModelSpec, net: MlpLayout, params: F32Buffer, x: F32Buffer, steps: number, alpha: number,
  rng: Rng, work: LangevinWork, options: ParticleBlock & { sigma?: number } = {}): void {
  const k = 'langevin';
  const d = modelDataDim(spec, net, k);
  if (x.length % d !== 0) throw new InputError(`${k}: x has ${x.length} floats, not a multiple of d = ${d}`);
  const n = x.length / d;
  const sigma = options.sigma ?? 1;
  expectInt(k, 'steps', steps, 0);
  expectFinite(k, 'alpha', alpha, true);
  expectFinite(k, 'sigma', sigma, true);
  expectInt(k, 'chunk', work.chunk);
  const first = options.first ?? 0, total = options.total ?? n;
  expectInt(k, 'first', first, 0);
  if (first + n > total) throw new InputError(`${k}: particles ${first}..${first + n - 1} exceed total ${total}`);
  expectLength(k, 'params', params, net.paramCount, 'paramCount');
  expectLength(k, 'ws', work.ws, modelWorkspaceFloats(net, work.chunk), `modelWorkspaceFloats(${work.chunk})`, true);
  expectLength(k, 'score', work.score, work.chunk * d, `chunk*d ${work.chunk}*${d}`, true);
  core.exports.langevinModel(modelKinds[spec.kind], conditionings[spec.conditioning], sigma, net.dimsBuf.ptr, net.layers, net.act,
    params.ptr, x.ptr, n, d, first, total, steps, alpha, rng.ptr, work.ws.ptr, work.score.ptr, work.chunk);
}
