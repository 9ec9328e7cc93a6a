import { InputError, type F32Buffer, type Rng, type StepRule } from '@scorefield/core-math';
import type { ScoreSource, Stepper } from '../score-source.js';
import { STEIN_CHUNK, steinChunk, type SteinChunk, type SteinSums } from './stationarity.js';

/** Progress of a sampler: steps done of the total, and the noise level it is at. */
export interface SampleProgress {
  step: number;
  steps: number;
  sigma?: number;
  /** The particles now, in data units (a copy; costs a copy of n * d floats, call only when needed). */
  particles: () => Float32Array;
}

/** What every sampler works with: the model, the particles in standardised units, the stream. */
export class SamplerContext {
  readonly stepper: Stepper;
  readonly trajectory: Float32Array[] = [];
  evaluations = 0;
  private done = 0;
  /**
   * The score of the particles as they are now at noise level `sigma`, when a solver or the Stein check has computed
   * it: the Stein check and a step at a level the stepper reads alike (the final denoising step after the check) read
   * it instead of running the network again. Whatever moves the particles drops it.
   */
  private known: { sigma: number; score: F32Buffer } | undefined;

  constructor(
    readonly model: ScoreSource,
    readonly x: F32Buffer,
    readonly rng: Rng,
    readonly total: number,
    readonly first: number,
    readonly steps: number,
    readonly hold: { mask: F32Buffer; values: F32Buffer } | undefined,
    readonly recordEvery: number,
    readonly onProgress: ((p: SampleProgress) => void) | undefined,
    readonly progressEvery: number,
  ) {
    this.stepper = model.stepper(Math.max(1, Math.min(this.n, 256)));
    if (recordEvery > 0) this.trajectory.push(this.particles()); // frame 0: where the chains start
  }

  get n(): number {
    return this.x.length / this.model.dim;
  }

  /** Particles in data units (a copy). */
  particles(): Float32Array {
    const out = this.x.toArray();
    const { mean, std } = this.model.normalization,
      d = this.model.dim;
    for (let i = 0; i < out.length; i++) out[i] = mean[i % d] + std[i % d] * out[i];
    // Finite in standardised units can still overflow float32 once scaled back (a huge stored std).
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new Error(
        `sampling diverged at step ${this.done}: particle ${Math.floor(bad / d)} (0-based) is ${out[bad]} in data units (beyond float32)`,
      );
    return out;
  }

  /**
   * `count` steps of one rule at noise sigma, in blocks so progress is reported and the trajectory recorded
   * every `recordEvery` steps; the noise stream makes the blocks identical to one call.
   */
  run(count: number, rule: StepRule, sigma: number): void {
    const every = this.recordEvery > 0 ? this.recordEvery : Math.max(1, this.progressEvery);
    let left = count;
    const score = this.knownScore(sigma);
    if (left > 0 && score) {
      // The first step reads the score the particles already have (the kernel's step from a given score).
      this.stepper.steps(this.x, 1, rule, sigma, this.rng, this.first, this.total, this.hold, score);
      this.evaluations++;
      this.advance(1, sigma);
      left--;
    }
    this.forget();
    while (left > 0) {
      const next = this.recordEvery > 0 ? this.recordEvery - (this.done % this.recordEvery) : Math.min(left, every);
      const k = Math.min(left, next);
      this.stepper.steps(this.x, k, rule, sigma, this.rng, this.first, this.total, this.hold);
      this.evaluations += k;
      this.advance(k, sigma);
      left -= k;
    }
  }

  /**
   * Runs a solver that works on a copy of the particles (the ODE and adaptive SDE solvers) and counts its score
   * evaluations; its progress (a fraction of the run and the time t) is reported in `units` steps, the particles
   * written back at each, so that recorded frames and progress see them. `sigmaAt` names the level at time t.
   */
  solve(
    units: number,
    sigmaAt: (t: number) => number,
    solver: (y: Float32Array, held: boolean[] | undefined, onProgress: (fraction: number, t: number) => void) => number,
  ): void {
    this.forget();
    const y = this.x.toArray();
    const held = this.hold ? Array.from(this.hold.mask.view, (v) => v !== 0) : undefined;
    let last = 0;
    this.evaluations += solver(y, held, (fraction, t) => {
      const progress = Math.round(units * fraction);
      if (progress > last) {
        this.x.set(y);
        this.advance(progress - last, sigmaAt(t));
        last = progress;
      }
    });
    this.x.set(y);
  }

  /** Bookkeeping after `k` steps done outside {@link run} (the ODE solver). */
  advance(k: number, sigma?: number): void {
    const before = this.done;
    this.done += k;
    this.checkFinite(`at step ${this.done} of ${this.steps}`);
    if (this.recordEvery > 0 && Math.floor(this.done / this.recordEvery) > Math.floor(before / this.recordEvery))
      this.trajectory.push(this.particles());
    if (
      this.onProgress &&
      (Math.floor(this.done / this.progressEvery) > Math.floor(before / this.progressEvery) || this.done >= this.steps)
    ) {
      this.onProgress({ step: Math.min(this.done, this.steps), steps: this.steps, sigma, particles: () => this.particles() });
    }
  }

  /**
   * Stein sums of the particles now with the score at `sigma` (see stationarity.ts), in chunks aligned to
   * multiples of {@link STEIN_CHUNK} of the whole run. Held (inpainted) coordinates are left out.
   */
  steinSums(sigma: number): SteinSums {
    const d = this.model.dim,
      n = this.n;
    const sv = this.scoreNow(sigma),
      y = this.x.view;
    const chunks: SteinChunk[] = [];
    // The first chunk ends at the next multiple of STEIN_CHUNK of the whole run.
    for (let c0 = 0; c0 < n; ) {
      const c1 = Math.min(n, c0 + STEIN_CHUNK - ((this.first + c0) % STEIN_CHUNK));
      chunks.push(steinChunk(y.subarray(c0 * d, c1 * d), sv.subarray(c0 * d, c1 * d), c1 - c0, d));
      c0 = c1;
    }
    const held = this.hold ? Array.from(this.hold.mask.view.keys()).filter((j) => this.hold!.mask.view[j]) : [];
    return { sigma, chunks, ...(held.length ? { held } : {}) };
  }

  /**
   * Records that `score` [n, d] is the score of the particles as they are now, read block by block at `levels` (see
   * {@link known}); nothing is known unless the stepper reads every level alike.
   */
  remember(score: ArrayLike<number>, levels: readonly number[]): void {
    this.forget();
    if (levels.length && levels.every((l) => this.level(l) === this.level(levels[0])))
      this.known = { sigma: levels[0], score: this.model.core.f32(score.length, score) };
  }

  /** The noise level as the stepper reads it (see {@link Stepper.level}). */
  private level(sigma: number): number {
    return this.stepper.level?.(sigma) ?? sigma;
  }

  private forget(): void {
    this.known?.score.free();
    this.known = undefined;
  }

  /** The known score at `sigma`, if any ({@link known}). */
  private knownScore(sigma: number): F32Buffer | undefined {
    return this.known && this.level(this.known.sigma) === this.level(sigma) ? this.known.score : undefined;
  }

  /** The score of the particles now at `sigma` (a view, valid until the next allocation): the known one, or the network's. */
  private scoreNow(sigma: number): Float32Array {
    let known = this.knownScore(sigma);
    if (!known) {
      this.forget();
      known = this.model.core.f32(this.x.length);
      this.stepper.score(this.x, this.n, sigma, known);
      this.known = { sigma, score: known };
    }
    return known.view;
  }

  /** Throws when a particle left the finite numbers. */
  checkFinite(what: string): void {
    const x = this.x.view;
    for (let i = 0; i < x.length; i++)
      if (!Number.isFinite(x[i])) throw new Error(`sampling diverged (non-finite particles) ${what}; try a smaller step size`);
  }

  free(): void {
    this.forget();
    this.stepper.free();
  }
}

/** Throws an input error unless v is an integer in [min, max]. */
export function checkInt(what: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new InputError(`sample: ${what} must be an integer between ${min} and ${max}, got ${v}`);
}

/** Throws an input error unless v is a finite number > 0. */
export function checkPositive(what: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new InputError(`sample: ${what} must be a finite number > 0, got ${v}`);
}
