import type { Core } from './core.js';
import { mulAddCeiling } from './ceiling.js';
import { denseBackward, denseForward, denseScratchFloats } from './dense.js';
import { rngNormal } from './rng-draws.js';
import { MlpLayout } from './mlp.js';
import { Adam } from './adam.js';
import { gatherRandomRows } from './batch.js';
import { BoundObjective, type ObjectiveSpec } from './objectives.js';
import { modelDims, type Conditioning, type ModelKind } from './score-model.js';
import { sigmaSchedule } from './schedules.js';

/** Timing of a benchmark: best of `rounds` rounds of about `seconds` each, after a warm-up. */
export interface MeasureOptions {
  rounds?: number;
  seconds?: number;
  warmupSeconds?: number;
}

/**
 * Best throughput (units per second) of `fn` over timed rounds after a warm-up: the machine may be shared
 * and noisy, so the best round is the figure, and comparisons should run side by side.
 */
export function measureRate(fn: () => void, unitsPerCall: number, o: MeasureOptions = {}): number {
  const { rounds = 5, seconds = 0.4, warmupSeconds = 0.3 } = o;
  const warmUntil = performance.now() + 1000 * warmupSeconds;
  let calls = 0;
  while (performance.now() < warmUntil || calls === 0) {
    fn();
    calls++;
  }
  const perRound = Math.max(1, Math.round((calls / warmupSeconds) * seconds));
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    best = Math.max(best, (perRound * unitsPerCall) / ((performance.now() - t0) / 1000));
  }
  return best;
}

/** The machine's f32x4 mul+add ceiling, GFLOP/s. */
export function benchmarkCeiling(core: Core, o?: MeasureOptions): number {
  return measureRate(() => mulAddCeiling(core, 100_000), mulAddCeiling(core, 1).flops * 100_000, o) / 1e9;
}

/** Dense layer forward and backward GFLOP/s at batch B, inputs I, outputs O (backward = two products). */
export function benchmarkDense(core: Core, B: number, I: number, O: number, o?: MeasureOptions): { forward: number; backward: number } {
  const shape = { batch: B, inputs: I, outputs: O };
  return core.scope((s) => {
    const fill = (n: number, seed: number) => {
      const b = s.f32(n);
      rngNormal(core, s.rng(seed), b);
      return b;
    };
    const x = fill(B * I, 1),
      w = fill(I * O, 2),
      b = fill(O, 3),
      y = s.f32(B * O);
    const dx = s.f32(B * I),
      dw = s.f32(I * O),
      db = s.f32(O),
      scratch = s.f32(denseScratchFloats(shape));
    const flops = 2 * B * I * O;
    const forward = measureRate(() => denseForward(core, x, w, b, y, shape), flops, o) / 1e9;
    const backward = measureRate(() => denseBackward(core, x, w, y, { dx, dw, db }, scratch, shape), 2 * flops, o) / 1e9;
    return { forward, backward };
  });
}

/** The objectives the training benchmarks cover, with the conditioning each is trained with. */
export const benchmarkObjectives: { label: string; objective: ObjectiveSpec; conditioning: Conditioning }[] = [
  { label: 'esm', objective: { name: 'esm' }, conditioning: 'none' },
  { label: 'ssm', objective: { name: 'ssm', projection: 'gaussian', slices: 1 }, conditioning: 'none' },
  { label: 'ssm-vr', objective: { name: 'ssm-vr', projection: 'gaussian', slices: 1 }, conditioning: 'none' },
  { label: 'dsm', objective: { name: 'dsm', sigma: 0.1 }, conditioning: 'none' },
  { label: 'ncsn', objective: { name: 'ncsn', sigmas: sigmaSchedule('geometric', 1, 0.01, 10) }, conditioning: 'both' },
  { label: 'continuous-ve', objective: { name: 'continuous', sde: 've' }, conditioning: 'both' },
  { label: 'continuous-vp', objective: { name: 'continuous', sde: 'vp' }, conditioning: 'both' },
];

/** Training steps/s (gather + loss + parameter gradient + Adam) on 2-D data with an MLP 2-hidden...-out. */
export function benchmarkTraining(
  core: Core,
  objective: ObjectiveSpec,
  kind: ModelKind,
  conditioning: Conditioning,
  o: MeasureOptions & { hidden?: number[]; batch?: number; dim?: number } = {},
): number {
  const { hidden = [128, 128, 128], batch = 128, dim = 2 } = o;
  const spec = { kind, conditioning };
  return core.scope((s) => {
    const net = s.adopt(new MlpLayout(core, modelDims(spec, dim, hidden), 'silu'));
    const params = s.f32(net.paramCount),
      grads = s.f32(net.paramCount);
    net.initParams(s.rng(1), params);
    const data = s.f32(10_000 * dim),
      x = s.f32(batch * dim);
    rngNormal(core, s.rng(4), data);
    const bound = s.adopt(new BoundObjective(core, objective, spec, net));
    const ws = s.f32(bound.workspaceFloats(batch)),
      adam = s.adopt(new Adam(core, net.paramCount, { lr: 1e-4 })),
      rng = s.rng(2);
    return measureRate(
      () => {
        gatherRandomRows(core, rng, data, 10_000, dim, x);
        grads.view.fill(0);
        bound.lossGrad(params, x, batch, rng, grads, ws);
        adam.update(params, grads);
      },
      1,
      { rounds: 3, ...o },
    );
  });
}
