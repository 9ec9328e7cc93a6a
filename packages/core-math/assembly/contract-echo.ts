import { FourierConfig, GaussianConfig, MixtureConfig, ObjectiveConfig, SamplerConfig, SdeConfig } from './contract';

// Readers of every config block, field by field through the class (so at the offsets the compiler laid
// out), into out as f64 in declaration order. The round-trip test writes blocks from TS and checks that
// each field comes back where TS put it; each reader returns how many fields it read.

@inline function put(out: usize, i: i32, v: f64): void {
  store<f64>(out + (<usize>i << 3), v);
}

export function echoSdeConfig(block: usize, out: usize): i32 {
  const c = changetype<SdeConfig>(block);
  put(out, 0, c.sde);
  put(out, 1, c.sigmaMin);
  put(out, 2, c.sigmaMax);
  put(out, 3, c.betaMin);
  put(out, 4, c.betaMax);
  put(out, 5, c.eps);
  return 6;
}

export function echoObjectiveConfig(block: usize, out: usize): i32 {
  const c = changetype<ObjectiveConfig>(block);
  put(out, 0, c.objective);
  put(out, 1, c.kind);
  put(out, 2, c.conditioning);
  put(out, 3, c.dim);
  put(out, 4, c.projection);
  put(out, 5, c.slices);
  put(out, 6, c.sigma);
  put(out, 7, c.levels);
  put(out, 8, <f64>c.sigmas);
  put(out, 9, <f64>changetype<usize>(c.sde));
  put(out, 10, <f64>c.gaussian);
  return 11;
}

export function echoSamplerConfig(block: usize, out: usize): i32 {
  const c = changetype<SamplerConfig>(block);
  put(out, 0, c.kind);
  put(out, 1, c.conditioning);
  put(out, 2, c.sigma);
  put(out, 3, c.mode);
  put(out, 4, c.a);
  put(out, 5, c.b);
  put(out, 6, c.c);
  put(out, 7, c.n);
  put(out, 8, c.d);
  put(out, 9, c.first);
  put(out, 10, c.total);
  put(out, 11, c.steps);
  put(out, 12, c.chunk);
  put(out, 13, <f64>c.mask);
  put(out, 14, <f64>c.held);
  put(out, 15, <f64>c.given);
  put(out, 16, <f64>c.gaussian);
  put(out, 17, <f64>c.lower);
  put(out, 18, <f64>c.upper);
  return 19;
}

export function echoGaussianConfig(block: usize, out: usize): i32 {
  const c = changetype<GaussianConfig>(block);
  put(out, 0, c.dim);
  put(out, 1, c.rank);
  put(out, 2, c.rest);
  put(out, 3, c.variance);
  put(out, 4, <f64>c.mean);
  put(out, 5, <f64>c.vectors);
  put(out, 6, <f64>c.variances);
  return 7;
}

export function echoFourierConfig(block: usize, out: usize): i32 {
  const c = changetype<FourierConfig>(block);
  put(out, 0, c.dim);
  put(out, 1, c.count);
  put(out, 2, <f64>c.frequencies);
  return 3;
}

export function echoMixtureConfig(block: usize, out: usize): i32 {
  const c = changetype<MixtureConfig>(block);
  put(out, 0, c.dim);
  put(out, 1, c.components);
  put(out, 2, c.variance);
  put(out, 3, <f64>c.mean);
  put(out, 4, <f64>c.logWeights);
  put(out, 5, <f64>c.gaussians);
  put(out, 6, c.basisRank);
  put(out, 7, <f64>c.basis);
  put(out, 8, <f64>c.rotations);
  put(out, 9, <f64>c.coordinates);
  put(out, 10, <f64>c.offsets);
  put(out, 11, <f64>c.offsetNorms);
  put(out, 12, c.slots);
  put(out, 13, <f64>c.scratch);
  return 14;
}
