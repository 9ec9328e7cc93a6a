import { FourierConfig, GaussianConfig, ObjectiveConfig, SamplerConfig, SdeConfig } from './contract';

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
  return 17;
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
