// Toy 2-D datasets, sampled inside WASM from the seeded stream, and the exact log-density and score
// of the Gaussian-mixture ones. Generators follow the table in docs/design.md (FFJORD's toy_data.py and NCSN).
// see: Grathwohl et al. 2019 (FFJORD) toy_data.py; Song & Ermon 2019, section 3.2 (ncsn-mix).
import { nextNormal, nextUniform } from './rng';
import { DatasetId } from './contract';

const PI: f64 = Math.PI;
const TWO_PI: f64 = 2.0 * Math.PI;
const LOG_TWO_PI: f64 = 1.8378770664093453;

// Dataset ids: DatasetId (assembly/contract.ts), 0 to DATASET_COUNT - 1.
const DATASET_COUNT = DatasetId.NcsnMix + 1;

// Isotropic Gaussian mixtures, one table for sampling and for the density, so the two cannot disagree.
// Component record (f64 x 4): [weight, mean x, mean y, std], static data laid out by the compiler.
// 8gaussians: centres 4 * unit directions, std 0.5, all divided by 1.414.
const A8: f64 = 4.0 / 1.414;
const D8: f64 = A8 * 0.7071067811865476; // the diagonal centres' coordinates
const S8: f64 = 0.5 / 1.414;
// 25gaussians: grid {-2..2} * 2, std 0.05, all divided by 2.828.
const Gm2: f64 = 2.0 * -2.0 / 2.828;
const Gm1: f64 = 2.0 * -1.0 / 2.828;
const G0: f64 = 2.0 * 0.0 / 2.828;
const G1: f64 = 2.0 * 1.0 / 2.828;
const G2: f64 = 2.0 * 2.0 / 2.828;
const S25: f64 = 0.05 / 2.828;
const mixtureTable: usize = memory.data<f64>([
  0.125, A8, 0, S8, 0.125, -A8, 0, S8, 0.125, 0, A8, S8, 0.125, 0, -A8, S8,
  0.125, D8, D8, S8, 0.125, D8, -D8, S8, 0.125, -D8, D8, S8, 0.125, -D8, -D8, S8,
  0.04, Gm2, Gm2, S25, 0.04, Gm2, Gm1, S25, 0.04, Gm2, G0, S25, 0.04, Gm2, G1, S25, 0.04, Gm2, G2, S25,
  0.04, Gm1, Gm2, S25, 0.04, Gm1, Gm1, S25, 0.04, Gm1, G0, S25, 0.04, Gm1, G1, S25, 0.04, Gm1, G2, S25,
  0.04, G0, Gm2, S25, 0.04, G0, Gm1, S25, 0.04, G0, G0, S25, 0.04, G0, G1, S25, 0.04, G0, G2, S25,
  0.04, G1, Gm2, S25, 0.04, G1, Gm1, S25, 0.04, G1, G0, S25, 0.04, G1, G1, S25, 0.04, G1, G2, S25,
  0.04, G2, Gm2, S25, 0.04, G2, Gm1, S25, 0.04, G2, G0, S25, 0.04, G2, G1, S25, 0.04, G2, G2, S25,
  // gmm3: equal mixture at (-2,-2), (2,2), (-2,2), std 0.5.
  1.0 / 3.0, -2, -2, 0.5, 1.0 / 3.0, 2, 2, 0.5, 1.0 / 3.0, -2, 2, 0.5,
  // ncsn-mix: 0.2 N((-5,-5), I) + 0.8 N((5,5), I).
  0.2, -5, -5, 1, 0.8, 5, 5, 1,
], 16);

/** Index of the first component of a mixture dataset in the table. */
function mixtureStart(id: i32): i32 {
  if (id == DatasetId.Gaussians8) return 0;
  if (id == DatasetId.Gaussians25) return 8;
  if (id == DatasetId.Gmm3) return 33;
  return 36; // DatasetId.NcsnMix
}

/** Number of components, 0 for datasets that are not Gaussian mixtures. */
function mixtureSize(id: i32): i32 {
  if (id == DatasetId.Gaussians8) return 8;
  if (id == DatasetId.Gaussians25) return 25;
  if (id == DatasetId.Gmm3) return 3;
  if (id == DatasetId.NcsnMix) return 2;
  return 0;
}

@inline function component(c: i32): usize {
  return mixtureTable + (<usize>c << 5);
}

@inline function storePoint(out: usize, i: i32, x: f64, y: f64): void {
  const p = out + (<usize>i << 3);
  store<f32>(p, <f32>x);
  store<f32>(p, <f32>y, 4);
}

// One mixture point: a uniform picks the component by cumulative weight, then two normals.
function sampleMixture(id: i32, rng: usize, out: usize, i: i32): void {
  const first = mixtureStart(id);
  const last = first + mixtureSize(id) - 1;
  const u = nextUniform(rng);
  let c = first;
  let acc = load<f64>(component(c));
  while (c < last && u >= acc) acc += load<f64>(component(++c));
  const p = component(c);
  const s = load<f64>(p, 24);
  const x = load<f64>(p, 8) + s * nextNormal(rng);
  const y = load<f64>(p, 16) + s * nextNormal(rng);
  storePoint(out, i, x, y);
}

// Points on evenly spaced angles of `count` circles: point i is on circle i % count, at angle index
// i / count of the ceil/floor share of that circle (sklearn make_circles / FFJORD rings layout).
@inline function evenAngle(i: i32, n: i32, count: i32): f64 {
  const circle = i % count;
  const share = n / count + (circle < n % count ? 1 : 0);
  return TWO_PI * <f64>(i / count) / <f64>share;
}

/** Writes n points [n, 2] (f32) of dataset `id` to out; returns 0, or -1 for an unknown id. */
export function datasetSample(id: i32, rng: usize, out: usize, n: i32): i32 {
  if (id < 0 || id >= DATASET_COUNT) return -1;
  for (let i = 0; i < n; i++) {
    if (mixtureSize(id) > 0) {
      sampleMixture(id, rng, out, i);
    } else if (id == DatasetId.Spirals2) {
      const t = Math.sqrt(nextUniform(rng)) * 540.0 * TWO_PI / 360.0;
      let x = -Math.cos(t) * t + nextUniform(rng) * 0.5;
      let y = Math.sin(t) * t + nextUniform(rng) * 0.5;
      if (i & 1) { x = -x; y = -y; }
      storePoint(out, i, x / 3.0 + 0.1 * nextNormal(rng), y / 3.0 + 0.1 * nextNormal(rng));
    } else if (id == DatasetId.Checkerboard) {
      const x1 = nextUniform(rng) * 4.0 - 2.0;
      const x2 = nextUniform(rng) - 2.0 * <f64>(nextUniform(rng) < 0.5 ? 1 : 0) + (Math.floor(x1) % 2.0 + 2.0) % 2.0;
      storePoint(out, i, 2.0 * x1, 2.0 * x2);
    } else if (id == DatasetId.Moons) {
      const t = PI * nextUniform(rng);
      let x = Math.cos(t), y = Math.sin(t);
      if (i & 1) { x = 1.0 - x; y = 0.5 - y; }
      storePoint(out, i, 2.0 * (x + 0.1 * nextNormal(rng)) - 1.0, 2.0 * (y + 0.1 * nextNormal(rng)) - 0.2);
    } else if (id == DatasetId.Circles) {
      const a = evenAngle(i, n, 2);
      const radius = i % 2 == 0 ? 1.0 : 0.5;
      storePoint(out, i, 3.0 * (radius * Math.cos(a) + 0.08 * nextNormal(rng)), 3.0 * (radius * Math.sin(a) + 0.08 * nextNormal(rng)));
    } else if (id == DatasetId.Rings) {
      const a = evenAngle(i, n, 4);
      const radius = 3.0 * (1.0 - 0.25 * <f64>(i % 4));
      storePoint(out, i, radius * Math.cos(a) + 0.08 * nextNormal(rng), radius * Math.sin(a) + 0.08 * nextNormal(rng));
    } else if (id == DatasetId.Swissroll) {
      const t = 1.5 * PI * (1.0 + 2.0 * nextUniform(rng));
      storePoint(out, i, (t * Math.cos(t) + nextNormal(rng)) / 5.0, (t * Math.sin(t) + nextNormal(rng)) / 5.0);
    } else if (id == DatasetId.Pinwheel) {
      // Radial N(1, 0.3^2), tangential N(0, 0.1^2); arm angle 2 pi k / 5 + 0.25 exp(f0);
      // FFJORD's einsum('ti,tij->tj', f, [[c, -s], [s, c]]) gives (f0 c + f1 s, -f0 s + f1 c).
      const f0 = 1.0 + 0.3 * nextNormal(rng);
      const f1 = 0.1 * nextNormal(rng);
      const angle = TWO_PI * <f64>(i % 5) / 5.0 + 0.25 * Math.exp(f0);
      const c = Math.cos(angle), s = Math.sin(angle);
      storePoint(out, i, 2.0 * (f0 * c + f1 * s), 2.0 * (-f0 * s + f1 * c));
    }
  }
  return 0;
}

/**
 * Exact log p(x) and score grad log p(x) of a mixture dataset at x[n, 2] (f32), computed in f64 with a
 * stable log-sum-exp; either output pointer may be 0. With noise > 0 it is the density of the data plus
 * N(0, noise^2 I) noise (each component's variance grows by noise^2): the target of a noise-conditional
 * model at that level. Returns 0, or -1 if `id` has no closed form.
 * see: log p = logsumexp_k(log w_k + log N(x; mu_k, s_k^2 I)), grad log p = sum_k r_k (mu_k - x) / s_k^2.
 */
export function datasetLogDensityScore(id: i32, x: usize, n: i32, logp: usize, score: usize, noise: f64): i32 {
  if (id < 0 || id >= DATASET_COUNT) return -1;
  const k = mixtureSize(id);
  if (k == 0) return -1;
  const first = mixtureStart(id);
  for (let i = 0; i < n; i++) {
    const px = <f64>load<f32>(x + (<usize>i << 3));
    const py = <f64>load<f32>(x + (<usize>i << 3), 4);
    // Pass 1: the largest component log-term, for a stable log-sum-exp.
    let top = -Infinity;
    for (let c = first; c < first + k; c++) top = Math.max(top, componentLog(c, px, py, noise));
    let total = 0.0, gx = 0.0, gy = 0.0;
    for (let c = first; c < first + k; c++) {
      const p = component(c);
      const r = Math.exp(componentLog(c, px, py, noise) - top);
      const inv = 1.0 / (load<f64>(p, 24) * load<f64>(p, 24) + noise * noise);
      total += r;
      gx += r * (load<f64>(p, 8) - px) * inv;
      gy += r * (load<f64>(p, 16) - py) * inv;
    }
    if (logp != 0) store<f32>(logp + (<usize>i << 2), <f32>(top + Math.log(total)));
    if (score != 0) {
      store<f32>(score + (<usize>i << 3), <f32>(gx / total));
      store<f32>(score + (<usize>i << 3), <f32>(gy / total), 4);
    }
  }
  return 0;
}

// log w_c + log N(x; mu_c, (s_c^2 + noise^2) I) in 2-D.
@inline function componentLog(c: i32, px: f64, py: f64, noise: f64): f64 {
  const p = component(c);
  const s = Math.sqrt(load<f64>(p, 24) * load<f64>(p, 24) + noise * noise);
  const ex = px - load<f64>(p, 8), ey = py - load<f64>(p, 16);
  return Math.log(load<f64>(p)) - LOG_TWO_PI - 2.0 * Math.log(s) - 0.5 * (ex * ex + ey * ey) / (s * s);
}

/**
 * Copies the components of a mixture dataset to out as [weight, mean x, mean y, std] per component
 * (at most `capacity` components); returns their number, 0 for datasets that are not mixtures.
 */
export function datasetComponents(id: i32, out: usize, capacity: i32): i32 {
  if (id < 0 || id >= DATASET_COUNT) return -1;
  const k = mixtureSize(id);
  const first = mixtureStart(id);
  for (let c = 0; c < min(k, capacity); c++) {
    for (let f = 0; f < 4; f++) store<f32>(out + (<usize>(c * 4 + f) << 2), <f32>load<f64>(component(first + c) + (<usize>f << 3)));
  }
  return k;
}
