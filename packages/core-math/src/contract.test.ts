// Round trip of every config block: written from TS by field name (src/config-block.ts, with the generated
// layouts), read back through WASM field by field (assembly/contract-echo.ts), on both builds.
import { describe, expect, it } from 'vitest';
import { forEachBuild } from './testing/builds.js';
import type { Core } from './core.js';
import { MlpLayout } from './mlp.js';
import { BoundObjective, objectives, projections, type ObjectiveSpec } from './objectives.js';
import { conditionings, modelDims, modelKinds, modelWorkspaceFloats, type ModelSpec } from './score-model.js';
import { samplerBlock, samplerSteps, type StepRule } from './langevin.js';
import { newBlock, type BlockLayout } from './config-block.js';
import { sdeDefaults } from './sde.js';
import { withConditioning } from './testing/reference.js';
import {
  ConditioningCode,
  EMBED_FEATURES,
  FourierConfig,
  GaussianConfig,
  MixtureConfig,
  ModelKindCode,
  ObjectiveCode,
  ObjectiveConfig,
  ProjectionCode,
  SamplerConfig,
  SdeCode,
  SdeConfig,
  StepMode,
} from './generated/contract.js';

type Echo =
  | 'echoSdeConfig'
  | 'echoObjectiveConfig'
  | 'echoSamplerConfig'
  | 'echoGaussianConfig'
  | 'echoFourierConfig'
  | 'echoMixtureConfig';
const layouts: [string, BlockLayout, Echo][] = [
  ['SdeConfig', SdeConfig, 'echoSdeConfig'],
  ['GaussianConfig', GaussianConfig, 'echoGaussianConfig'],
  ['FourierConfig', FourierConfig, 'echoFourierConfig'],
  ['MixtureConfig', MixtureConfig, 'echoMixtureConfig'],
  ['ObjectiveConfig', ObjectiveConfig, 'echoObjectiveConfig'],
  ['SamplerConfig', SamplerConfig, 'echoSamplerConfig'],
];

/** Every field of the block at `ptr` as WASM reads it, by name. */
function echo(core: Core, layout: BlockLayout, reader: Echo, ptr: number): Record<string, number> {
  const names = Object.keys(layout.fields);
  const out = core.f32(2 * names.length);
  const read = core.exports[reader](ptr, out.ptr);
  const values = new Float64Array(core.exports.memory.buffer, out.ptr, names.length).slice();
  out.free();
  expect(read).toBe(names.length); // the reader reads every field the layout has, and no other
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/** What a block holds after writing `values`: f32 fields rounded to f32. */
function stored(layout: BlockLayout, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(layout.fields).map(([n, f]) => [n, f.type === 'f32' ? Math.fround(values[n]) : values[n]]));
}

forEachBuild((core) => {
  describe('config blocks', () => {
    it.each(layouts)('%s: every field comes back where TS wrote it', (_name, layout, reader) => {
      const c = core();
      // Distinct values per field, so a field read at another's offset shows: integers, or fractions for f32.
      const values = Object.fromEntries(
        Object.entries(layout.fields).map(([n, f], i) => [n, f.type === 'f32' || f.type === 'f64' ? 0.1 + i : 1000 + 16 * i]),
      );
      const block = newBlock(c, layout, values as never);
      expect(echo(c, layout, reader, block.ptr)).toEqual(stored(layout, values));
      block.free();
    });
  });

  describe('every objective config', () => {
    const specs: ObjectiveSpec[] = [
      { name: 'esm' },
      ...(['ssm', 'ssm-vr'] as const).flatMap((name) =>
        (Object.keys(projections) as (keyof typeof projections)[]).map((projection, i) => ({ name, projection, slices: i + 1 })),
      ),
      { name: 'ssm' },
      { name: 'dsm', sigma: 0.3 },
      { name: 'ncsn', sigmas: [1, 0.5, 0.25, 0.125] },
      { name: 'continuous', sde: 've' },
      { name: 'continuous', sde: 'vp' },
      { name: 'continuous', sde: 've', sigmaMin: 0.05, sigmaMax: 2, eps: 0.01 },
      { name: 'continuous', sde: 'vp', betaMin: 0.2, betaMax: 10, eps: 0.05 },
    ];
    const models: ModelSpec[] = (['score', 'energy'] as const).flatMap((kind) =>
      (Object.keys(conditionings) as ModelSpec['conditioning'][])
        // score models only (refused for energy)
        .filter((c) => kind === 'score' || !['precond', 'gaussian', 'fourier', 'mixture'].includes(c))
        .map((conditioning) => ({ kind, conditioning })),
    );
    const runs = specs.flatMap((spec) =>
      models.filter((m) => objectives[spec.name].noisy || m.conditioning === 'none').map((model) => [spec, model] as const),
    );

    it.each(runs.map(([spec, model]) => [`${JSON.stringify(spec)} ${model.kind}/${model.conditioning}`, spec, model] as const))(
      '%s',
      (_label, spec, model) => {
        const c = core();
        const d = 3;
        const withBlock = withConditioning(c, model, d);
        const net = new MlpLayout(c, modelDims(withBlock, d, [5]), 'silu');
        const bound = new BoundObjective(c, spec, withBlock, net);
        const got = echo(c, ObjectiveConfig, 'echoObjectiveConfig', bound.config.ptr);
        const code = {
          esm: ObjectiveCode.Esm,
          ssm: ObjectiveCode.Ssm,
          'ssm-vr': ObjectiveCode.SsmVr,
          dsm: ObjectiveCode.Dsm,
          ncsn: ObjectiveCode.Ncsn,
          continuous: ObjectiveCode.Continuous,
        }[spec.name];
        const sliced = spec.name === 'ssm' || spec.name === 'ssm-vr';
        expect(got).toMatchObject({
          objective: code,
          kind: model.kind === 'score' ? ModelKindCode.Score : ModelKindCode.Energy,
          conditioning: conditionings[model.conditioning],
          dim: d,
          projection: sliced
            ? [ProjectionCode.Gaussian, ProjectionCode.Rademacher, ProjectionCode.Sphere][
                Object.keys(projections).indexOf(spec.projection ?? 'gaussian')
              ]
            : 0,
          slices: sliced ? (spec.slices ?? 1) : 0,
          sigma: spec.name === 'dsm' ? Math.fround(spec.sigma) : 0,
          levels: spec.name === 'ncsn' ? spec.sigmas.length : 0,
        });
        if (model.conditioning === 'gaussian') {
          expect(echo(c, GaussianConfig, 'echoGaussianConfig', got.gaussian)).toMatchObject({ dim: d, rank: 2, rest: Math.fround(0.4) });
        } else if (model.conditioning === 'fourier') {
          expect(echo(c, FourierConfig, 'echoFourierConfig', got.gaussian)).toMatchObject({ dim: d, count: 3 });
        } else if (model.conditioning === 'mixture') {
          expect(echo(c, MixtureConfig, 'echoMixtureConfig', got.gaussian)).toMatchObject({ dim: d, components: 3 });
        } else expect(got.gaussian).toBe(0);
        if (spec.name === 'ncsn') {
          expect(Array.from(new Float32Array(c.exports.memory.buffer, got.sigmas, spec.sigmas.length))).toEqual(spec.sigmas);
        } else expect(got.sigmas).toBe(0);
        if (spec.name === 'continuous') {
          const o = { ...sdeDefaults, ...spec };
          expect(echo(c, SdeConfig, 'echoSdeConfig', got.sde)).toEqual({
            sde: spec.sde === 've' ? SdeCode.Ve : SdeCode.Vp,
            sigmaMin: Math.fround(o.sigmaMin),
            sigmaMax: Math.fround(o.sigmaMax),
            betaMin: Math.fround(o.betaMin),
            betaMax: Math.fround(o.betaMax),
            eps: Math.fround(o.eps),
          });
        } else expect(got.sde).toBe(0);
        bound.free();
        net.free();
      },
    );
  });

  describe('every sampler config', () => {
    const rules: StepRule[] = [
      { mode: 'affine', a: 1, b: 0.05, c: Math.sqrt(0.1) },
      { mode: 'affine', a: 0.9, b: 0.3, c: 0 },
      { mode: 'lm', a: 1, b: 0.05, c: Math.sqrt(0.1) },
      { mode: 'corrector', alpha: 0.8, snr: 0.16 },
    ];
    const runs = (['score', 'energy'] as const).flatMap((kind) =>
      (Object.keys(conditionings) as ModelSpec['conditioning'][])
        .filter((c) => kind === 'score' || !['precond', 'gaussian', 'fourier', 'mixture'].includes(c))
        .flatMap((conditioning) => rules.flatMap((rule) => [false, true].map((hold) => [{ kind, conditioning }, rule, hold] as const))),
    );
    it.each(runs.map((r) => [`${r[0].kind}/${r[0].conditioning} ${JSON.stringify(r[1])} hold and given score ${r[2]}`, ...r] as const))(
      '%s',
      (_label, model, rule, hold) => {
        const c = core();
        const d = 2,
          n = 9,
          chunk = 4;
        const bound = withConditioning(c, model, d);
        const net = new MlpLayout(c, modelDims(bound, d, [5]), 'tanh');
        const params = c.f32(net.paramCount);
        const x = c.f32(n * d);
        const work = { ws: c.f32(modelWorkspaceFloats(net, chunk)), score: c.f32(chunk * d), chunk };
        const holdBufs = hold ? { mask: c.f32(d, [0, 1]), values: c.f32(n * d) } : undefined;
        const given = hold ? c.f32(n * d) : undefined;
        const box = hold ? { lower: c.f32(d, [-1, -2]), upper: c.f32(d, [1, 2]) } : undefined;
        // No steps: the kernel reads the block and moves nothing (nor the rng).
        samplerSteps(c, bound, net, params, x, 0, rule, c.rng(1), work, {
          sigma: 0.37,
          first: 5,
          total: 30,
          hold: holdBufs,
          score: given,
          box,
        });
        const [mode, a, b, cc] =
          rule.mode === 'corrector'
            ? [StepMode.Corrector, rule.alpha, rule.snr, 0]
            : [rule.mode === 'lm' ? StepMode.Lm : StepMode.Affine, rule.a, rule.b, rule.c];
        expect(echo(c, SamplerConfig, 'echoSamplerConfig', samplerBlock(c).ptr)).toEqual({
          kind: modelKinds[model.kind],
          conditioning: conditionings[model.conditioning],
          sigma: Math.fround(0.37),
          mode,
          a: Math.fround(a),
          b: Math.fround(b),
          c: Math.fround(cc),
          n,
          d,
          first: 5,
          total: 30,
          steps: 0,
          chunk,
          mask: holdBufs?.mask.ptr ?? 0,
          held: holdBufs?.values.ptr ?? 0,
          given: given?.ptr ?? 0,
          gaussian: bound.gaussian?.ptr ?? bound.fourier?.ptr ?? bound.mixture?.ptr ?? 0,
          lower: box?.lower.ptr ?? 0,
          upper: box?.upper.ptr ?? 0,
        });
      },
    );
  });
});

describe('generated codes', () => {
  it('conditioning bits compose and the embedding width is the one modelDims uses', () => {
    expect(ConditioningCode.Both).toBe(ConditioningCode.Embed | ConditioningCode.Scale);
    expect(modelDims({ kind: 'score', conditioning: 'embed' }, 2, [4])[0]).toBe(2 + EMBED_FEATURES);
  });
});
