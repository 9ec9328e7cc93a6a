import { datasetComponents, datasets, InputError } from '@scorefield/core-math';
import { logLikelihood, normalize, objectiveLabel, sdeOf, type ScoreModel } from '@scorefield/models';
import { perturbedMixture } from './mixture.js';
import { fieldPlot, gridPoints, linePlot, scatterPlot, type HeatLayer, type Range } from '@scorefield/plot';
import * as detMath from '@scorefield/core-math/det-math';

/** What `plot --kind` draws. */
export const plotKinds = {
  field: 'the score field as arrows over the data and the samples (energy models: over E(x))',
  energy: 'the energy E(x) as a heat map under the arrows (energy models)',
  density: 'the model density (exp(-E), or the ODE likelihood of a continuous model) as a heat map',
  samples: 'samples over the data, with marginal histograms',
  error: 'the error |s(x) - grad log p(x)| against the exact score (mixture datasets), on a log scale',
  loss: 'the training loss curve (from the model file)',
  grid: 'image models: a grid of samples (or of --data, or --samples) in the stored image shape',
} satisfies Record<string, string>;
export type PlotKind = keyof typeof plotKinds;

export interface FigureInput {
  model: ScoreModel;
  source: string;
  range: { x: Range; y: Range };
  data?: { values: Float64Array; name: string; builtin: boolean };
  samples?: Float64Array;
  samplesLabel: string;
  grid: number;
  /**
   * The noise level (standardised units) the picture reads a noise-conditional model at, and why that one;
   * undefined for models without noise conditioning.
   */
  level?: { sigma: number; why: string };
}

/** Title and subtitle naming the model's settings (and the noise level the picture reads it at). */
export function titles(model: ScoreModel, source: string, what: string, level?: FigureInput['level']): { title: string; subtitle: string } {
  const t = model.training;
  const at = level ? ` · read at σ = ${Number(level.sigma.toPrecision(3))} (${level.why})` : '';
  return {
    title: `${what} · ${t ? `${objectiveLabel(t.loss)} · ${t.steps} steps · seed ${t.seed}` : source}`,
    subtitle:
      `${model.spec.kind} model, ${model.config.activation} MLP ${model.layout.dims.join('-')}` +
      `${model.spec.conditioning !== 'none' ? `, conditioning ${model.spec.conditioning}` : ''}` +
      `${t?.data ? ` · data: ${t.data}` : ''}${at}`,
  };
}

const HEAT = 80;

/** The SVG of one figure kind. */
export function figure(kind: PlotKind, f: FigureInput): string {
  const { model } = f;
  const sigma = f.level?.sigma ?? model.defaultSigma;
  const labels = { data: f.data ? `data (${f.data.name})` : undefined, samples: f.samplesLabel, field: 'score s(x)' };
  const common = { xRange: f.range.x, yRange: f.range.y, data: f.data?.values, labels };
  const arrows = () => {
    const points = gridPoints(f.range.x, f.range.y, f.grid, f.grid);
    return { points, vectors: model.score({ data: points, rows: f.grid * f.grid, cols: 2 }, sigma) };
  };
  const heatGrid = () => ({ data: gridPoints(f.range.x, f.range.y, HEAT, HEAT), rows: HEAT * HEAT, cols: 2 });
  switch (kind) {
    case 'field':
    case 'energy': {
      if (kind === 'energy' && model.spec.kind !== 'energy')
        throw new InputError(
          `--kind energy: ${f.source} is a score model; only energy models have an energy (try --kind density or field)`,
        );
      const heat: HeatLayer | undefined =
        model.spec.kind === 'energy' ? { values: model.energy(heatGrid(), sigma), nx: HEAT, ny: HEAT, label: 'energy E(x)' } : undefined;
      return fieldPlot({
        ...titles(model, f.source, kind === 'energy' ? 'learned energy' : 'learned score field', f.level),
        ...common,
        heat,
        field: arrows(),
        samples: kind === 'field' ? f.samples : undefined,
      });
    }
    case 'density': {
      const logq = modelLogDensity(model, heatGrid(), f.source, sigma);
      const top = Math.max(...logq);
      return fieldPlot({
        ...titles(model, f.source, 'model density', f.level),
        ...common,
        heat: {
          values: logq.map((v) => detMath.exp(v - top)),
          nx: HEAT,
          ny: HEAT,
          label: `density (${model.training?.loss.name === 'continuous' ? 'ODE likelihood' : 'exp(-E)'}, max = 1)`,
          colormap: 'magma',
        },
      });
    }
    case 'samples':
      if (!f.samples) throw new InputError('--kind samples: no samples');
      return scatterPlot({
        ...titles(model, f.source, 'samples', f.level),
        xRange: f.range.x,
        yRange: f.range.y,
        data: f.data?.values,
        samples: f.samples,
        labels,
      });
    case 'error': {
      const name = f.data?.name;
      if (!f.data?.builtin || !name || !datasets[name as keyof typeof datasets].mixture) {
        throw new InputError(
          `--kind error needs a dataset with an exact score (${Object.entries(datasets)
            .filter(([, s]) => s.mixture)
            .map(([n]) => n)
            .join(', ')}); pass --data`,
        );
      }
      const g = heatGrid(),
        s = model.score(g, sigma);
      // The model at sigma describes the data blurred by N(0, sigma^2) (standardised units): compare with that.
      const noiseVar = f.level ? model.normalization.std.map((v) => (sigma * v) ** 2) : [];
      const truth = perturbedMixture(
        datasetComponents(model.core, name),
        { data: Float64Array.from(g.data), rows: g.rows, cols: 2 },
        noiseVar,
      ).score;
      const err = Float64Array.from({ length: g.rows }, (_, i) => detMath.hypot(s[2 * i] - truth[2 * i], s[2 * i + 1] - truth[2 * i + 1]));
      return fieldPlot({
        ...titles(model, f.source, `score error |s − ∇log p${f.level ? '_σ' : ''}|`, f.level),
        ...common,
        heat: { values: err, nx: HEAT, ny: HEAT, label: `|s(x) − ∇log p${f.level ? '_σ' : ''}(x)|`, logScale: true, colormap: 'magma' },
      });
    }
    default: {
      const curve = model.training?.curve;
      if (!curve || curve.values.length < 2)
        throw new InputError(`--kind loss: ${f.source} has no loss curve (models trained by this version record one)`);
      const xs = curve.values.map((_, i) => (i + 0.5) * curve.every);
      const positive = curve.values.every((v) => v > 0);
      return linePlot({
        ...titles(model, f.source, 'training loss'),
        series: [{ label: `loss (mean of ${curve.every} steps)`, x: xs, y: curve.values }],
        xLabel: 'step',
        yLabel: 'loss',
        logY: positive,
      });
    }
  }
}

/** log q(x) of the model (up to a constant) at points in data units. */
function modelLogDensity(
  model: ScoreModel,
  points: { data: ArrayLike<number>; rows: number; cols: number },
  source: string,
  sigma: number,
): Float64Array {
  if (model.training?.loss.name === 'continuous') {
    return logLikelihood(model, sdeOf(model.training.loss), normalize(model.normalization, points.data), {
      rtol: 1e-4,
      atol: 1e-4,
      maxSteps: 20_000,
      seed: 0,
    }).logp;
  }
  if (model.spec.kind === 'energy') return Float64Array.from(model.energy(points, sigma), (e) => -e);
  throw new InputError(`${source}: a score model has no density; train an energy model, or a continuous one for the ODE likelihood`);
}
