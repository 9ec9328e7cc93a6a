/** A WASM SIMD training step (gather + loss + parameter gradient + Adam), as core-math's own bench times it. */
import { Adam, BoundObjective, gatherRandomRows, MlpLayout, modelDims, type Core } from '@scorefield/core-math';
import { objectiveCase, toyData, type TrainConfig } from './cases.js';

export interface TrainStep {
  step(): number;
  free(): void;
}

export function wasmTrainStep(core: Core, c: TrainConfig): TrainStep {
  const o = objectiveCase(c.objective);
  const spec = { kind: c.kind, conditioning: o.conditioning };
  const net = new MlpLayout(core, modelDims(spec, c.d, [c.width, c.width, c.width]), 'silu');
  const params = core.f32(net.paramCount),
    grads = core.f32(net.paramCount);
  const init = core.rng(1);
  net.initParams(init, params);
  init.free();
  const bound = new BoundObjective(core, o.spec, spec, net);
  const data = core.f32(10000 * c.d, toyData(10000, c.d)),
    batch = core.f32(c.batch * c.d);
  const ws = core.f32(bound.workspaceFloats(c.batch)),
    adam = new Adam(core, net.paramCount, { lr: 1e-4 }),
    rng = core.rng(2);
  return {
    step() {
      gatherRandomRows(core, rng, data, 10000, c.d, batch);
      grads.view.fill(0);
      const loss = bound.lossGrad(params, batch, c.batch, rng, grads, ws);
      adam.update(params, grads);
      return loss;
    },
    free() {
      for (const b of [params, grads, ws, data, batch]) b.free();
      adam.free();
      bound.free();
      net.free();
      rng.free();
    },
  };
}
