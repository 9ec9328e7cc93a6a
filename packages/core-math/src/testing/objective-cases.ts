// The objective x parametrization x conditioning cases the objective tests and the tfjs oracle share.
import type { Activation } from '../activation.js';
import type { ObjectiveSpec } from '../objectives.js';
import type { ModelSpec } from '../score-model.js';

export interface Case {
  obj: ObjectiveSpec;
  /** Conditionings 'gaussian' and 'fourier' take their block per core: testing/reference.ts withConditioning. */
  spec: ModelSpec;
  act: Activation;
  batch: number;
  d: number;
}

const exact: ObjectiveSpec[] = [
  { name: 'esm' },
  { name: 'ssm', projection: 'gaussian', slices: 2 },
  { name: 'ssm', projection: 'rademacher', slices: 3 },
  { name: 'ssm', projection: 'sphere', slices: 1 },
  { name: 'ssm-vr', projection: 'gaussian', slices: 2 },
  { name: 'ssm-vr', projection: 'rademacher', slices: 1 },
];
const noisy: [ObjectiveSpec, ModelSpec['conditioning'][]][] = [
  [{ name: 'dsm', sigma: 0.3 }, ['none', 'embed', 'scale', 'both']],
  [{ name: 'ncsn', sigmas: [1, 0.5, 0.2] }, ['embed', 'both', 'precond', 'gaussian', 'fourier']],
  [{ name: 'continuous', sde: 've', sigmaMin: 0.05, sigmaMax: 2 }, ['both', 'embed', 'gaussian', 'fourier']],
  [{ name: 'continuous', sde: 'vp', eps: 0.05 }, ['both', 'scale']],
];
const batches = [1, 3, 5, 17];
export const cases: Case[] = [];
for (const kind of ['score', 'energy'] as const) {
  exact.forEach((obj, i) =>
    cases.push({
      obj,
      spec: { kind, conditioning: 'none' },
      act: (['silu', 'tanh', 'softplus'] as const)[i % 3],
      batch: batches[i % 4],
      d: i === 1 ? 3 : 2,
    }),
  );
  noisy.forEach(([obj, conds], i) =>
    conds.forEach((conditioning, j) => {
      // preconditioning, the Gaussian skip and the Fourier features are for score models (refused for energy)
      if (kind === 'energy' && (conditioning === 'precond' || conditioning === 'gaussian' || conditioning === 'fourier')) return;
      cases.push({
        obj,
        spec: { kind, conditioning },
        act: (['silu', 'softplus', 'tanh'] as const)[(i + j) % 3],
        batch: batches[(i + j) % 4],
        d: 2,
      });
    }),
  );
}
export const label = (c: Case) =>
  `${c.obj.name}${'projection' in c.obj ? `/${c.obj.projection}` : ''}${'sde' in c.obj ? `/${c.obj.sde}` : ''} ${c.spec.kind} ` +
  `(${c.spec.conditioning}, ${c.act}, batch ${c.batch}, d ${c.d})`;
