/**
 * The density a model has, for the heat map: exp(-E) of an energy model (read at the level the field is
 * drawn at), and for a continuous-time score model the probability-flow ODE likelihood (Song et al. 2021,
 * "Score-Based Generative Modeling through SDEs", eq. 39), as `scorefield plot --kind density` computes it.
 * A score model trained at one noise level has no density: the heat map then shows |s|.
 */
import { logLikelihood, normalize, sdeOf, type ScoreModel } from '@scorefield/models';
import { gridPoints } from './field.js';
import type { Range } from './protocol.js';
import * as detMath from '@scorefield/core-math/det-math';

/** Cells per side of the ODE density grid: ~30 ODE solves per cell row make it a few seconds of work. */
export const DENSITY_GRID = 32;

/** log p(x) (nats, data units) on the `g` x `g` grid of `range` by the probability-flow ODE. */
export function gridDensity(model: ScoreModel, range: Range, g: number): Float32Array {
  const loss = model.training?.loss;
  if (loss?.name !== 'continuous') throw new Error('the ODE density needs a model trained with continuous (VE/VP)');
  const pts = gridPoints(range, g);
  const { logp } = logLikelihood(model, sdeOf(loss), normalize(model.normalization, pts.data), {
    rtol: 1e-4,
    atol: 1e-4,
    maxSteps: 20_000,
    seed: 0,
  });
  // Data units: y = (x - mean) / std has log-Jacobian -sum log std.
  const logStd = model.normalization.std.reduce((a, s) => a + detMath.log(s), 0);
  return Float32Array.from(logp, (v) => v - logStd);
}
