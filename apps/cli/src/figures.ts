import { datasetLogDensityScore, datasets, InputError } from '@scorefield/core-math';
import { logLikelihood, normalize, objectiveLabel, sdeOf, type ScoreModel } from '@scorefield/models';
import { fieldPlot, gridPoints, linePlot, scatterPlot, type HeatLayer, type Range } from '@scorefield/plot';

/** What `plot --kind` draws. */
export const plotKinds = {
  field: 'the score field as arrows over the data and the samples (energy models: over E(x))',
  energy: 'the energy E(x) as a heat map under the arrows (energy models)',
  density: 'the model density (exp(-E), or the ODE likelihood of a continuous model) as a heat map',
  samples: 'samples over the data, with marginal histograms',
  error: 'the error |s(x) - grad log p(x)| against the exact score (mixture datasets), on a log scale',
  loss: 'the training loss curve (from the model file)',
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
}

/** Title and subtitle naming the model's settings. */
export function titles(model: ScoreModel, source: string, what: string): { title: string; subtitle: string } {
  const t = model.training;
  return {
    title: `${what} · ${t ? `${objectiveLabel(t.loss)} · ${t.steps} steps · seed ${t.seed}` : source}`,
    subtitle: `${model.spec.kind} model, ${model.config.activation} MLP ${model.layout.dims.join('-')}${model.spec.conditioning !== 'none' ? `, conditioning ${model.spec.conditioning}` : ''}${t?.data ? ` · data: ${t.data}` : ''}`,
  };
}

const HEAT = 80;

/** The SVG of one figure kind. */
export function figure(kind: PlotKind, f: FigureInput): string {
  const { model } = f;
  const labels = { data: f.data ? `data (${f.data.name})` : undefined, samples: f.samplesLabel, field: 'score s(x)' };
  const common = { xRange: f.range.x, yRange: f.range.y, data: f.data?.values, labels };
  const arrows = () => {
    const points = gridPoints(f.range.x, f.range.y, f.grid, f.grid);
    return { points, vectors: model.score({ data: points, rows: f.grid * f.grid, cols: 2 }) };
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
        model.spec.kind === 'energy' ? { values: model.energy(heatGrid()), nx: HEAT, ny: HEAT, label: 'energy E(x)' } : undefined;
      return fieldPlot({
        ...titles(model, f.source, kind === 'energy' ? 'learned energy' : 'learned score field'),
        ...common,
        heat,
        field: arrows(),
        samples: kind === 'field' ? f.samples : undefined,
      });
    }
    case 'density': {
      const logq = modelLogDensity(model, heatGrid(), f.source);
      const top = Math.max(...logq);
      return fieldPlot({
        ...titles(model, f.source, 'model density'),
        ...common,
        heat: {
          values: logq.map((v) => Math.exp(v - top)),
          nx: HEAT,
          ny: HEAT,
          label: `density (${model.spec.kind === 'energy' ? 'exp(-E)' : 'ODE likelihood'}, max = 1)`,
          colormap: 'magma',
        },
      });
    }
    case 'samples':
      if (!f.samples) throw new InputError('--kind samples: no samples');
      return scatterPlot({
        ...titles(model, f.source, 'samples'),
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
        s = model.score(g);
      const x = model.core.f32(2 * g.rows, g.data),
        truth = model.core.f32(2 * g.rows);
      try {
        datasetLogDensityScore(model.core, name, x, { score: truth });
        const err = Float64Array.from({ length: g.rows }, (_, i) =>
          Math.hypot(s[2 * i] - truth.view[2 * i], s[2 * i + 1] - truth.view[2 * i + 1]),
        );
        return fieldPlot({
          ...titles(model, f.source, 'score error |s − ∇log p|'),
          ...common,
          heat: { values: err, nx: HEAT, ny: HEAT, label: '|s(x) − ∇log p(x)|', logScale: true, colormap: 'magma' },
        });
      } finally {
        x.free();
        truth.free();
      }
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
function modelLogDensity(model: ScoreModel, points: { data: ArrayLike<number>; rows: number; cols: number }, source: string): Float64Array {
  if (model.spec.kind === 'energy') return Float64Array.from(model.energy(points), (e) => -e);
  if (model.training?.loss.name === 'continuous') {
    return logLikelihood(model, sdeOf(model.training.loss), normalize(model.normalization, points.data), {
      rtol: 1e-4,
      atol: 1e-4,
      maxSteps: 20_000,
      seed: 0,
    }).logp;
  }
  throw new InputError(`${source}: a score model has no density; train an energy model, or a continuous one for the ODE likelihood`);
}
