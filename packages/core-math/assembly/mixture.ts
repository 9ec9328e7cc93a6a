import { GaussianConfig, MixtureConfig } from './contract';
import { addGaussianSkip, restPrecision, wienerGain } from './model';
import { dotDifference } from './vector';

// Bit Mixture (score models only; g a MixtureConfig: p = sum_k w_k N(mu_k, C_k), each C_k probabilistic PCA as in
// bit Gaussian) makes the skip term the exact score of that mixture blurred by sigma,
//   s_mix(x; sigma) = sum_k r_k(x) s_k(x),  s_k = -(C_k + sigma^2 I)^-1 (x - mu_k),
//   r_k = w_k N(x; mu_k, C_k + sigma^2 I) / sum_j w_j N(x; mu_j, C_j + sigma^2 I)   (the responsibilities),
// the closed form of a Gaussian mixture's score under Gaussian noise (e.g. Karras et al. 2022, section 2; Song &
// Ermon 2019's toy analysis). Using it as a model's skip term (the network learns what the mixture misses) is this
// project's choice. The input is (x - mu) / sqrt(v + sigma^2) with the mixture's mean mu and variance per coordinate v,
// and c_out^2 = sigma^2 sum_k w_k tr(C_k (C_k + sigma^2 I)^-1) / d: the mixture's denoising error per coordinate
// when every point's component is known (so F's target keeps about unit scale).
// Cost per row: 4 K k d multiply-adds (the projections t_m = U_m (x - mu_k) are computed once for the normaliser,
// once for r_k and once with the update; the kernels have no scratch memory of their own).

@inline function gaussianAt(g: usize, k: i32): GaussianConfig {
  return changetype<GaussianConfig>(load<u32>(g + (<usize>k << 2)));
}

/** ln w_k + ln N(x; mu_k, C_k + sigma^2 I) + (d/2) ln 2 pi (the constant every component shares is left out). */
function componentLogDensity(c: GaussianConfig, logWeight: f64, s2: f64, x: usize): f64 {
  const d = c.dim, r = restPrecision(c, s2);
  let q: f64 = 0;
  if (r != 0) {
    let e2: f64 = 0;
    for (let j = 0; j < d; j++) {
      const e = <f64>load<f32>(x + (<usize>j << 2)) - <f64>load<f32>(c.mean + (<usize>j << 2));
      e2 += e * e;
    }
    q = r * e2;
  }
  let logDet: f64 = r != 0 ? <f64>(d - c.rank) * Math.log(<f64>c.rest + s2) : 0.0;
  for (let m = 0; m < c.rank; m++) {
    const t = <f64>dotDifference(c.vectors + (<usize>(m * d) << 2), x, c.mean, d);
    const l = <f64>load<f32>(c.variances + (<usize>m << 2));
    q += t * t * (1.0 / (l + s2) - r);
    logDet += Math.log(l + s2);
  }
  return logWeight - 0.5 * (q + logDet);
}

/** ln sum_k exp(componentLogDensity_k(x)), by the running-maximum recurrence (one pass, no scratch). */
function logNormaliser(m: MixtureConfig, s2: f64, x: usize): f64 {
  let top = -Infinity;
  let sum: f64 = 0;
  for (let k = 0; k < m.components; k++) {
    const lp = componentLogDensity(gaussianAt(m.gaussians, k), <f64>load<f32>(m.logWeights + (<usize>k << 2)), s2, x);
    if (lp > top) {
      sum = sum * Math.exp(top - lp) + 1.0;
      top = lp;
    } else sum += Math.exp(lp - top);
  }
  return top + Math.log(sum);
}

/** r_k(x), the responsibility of component k at x (lse: logNormaliser at x). */
@inline function responsibility(m: MixtureConfig, k: i32, s2: f64, x: usize, lse: f64): f64 {
  return Math.exp(componentLogDensity(gaussianAt(m.gaussians, k), <f64>load<f32>(m.logWeights + (<usize>k << 2)), s2, x) - lse);
}

/** Mean over d of sum_k w_k lambda / (lambda + sigma^2) over the components' spectra: c_out(sigma)^2 / sigma^2. */
export function mixtureGain(g: usize, s2: f64): f64 {
  const m = changetype<MixtureConfig>(g);
  let sum: f64 = 0;
  for (let k = 0; k < m.components; k++) {
    sum += Math.exp(<f64>load<f32>(m.logWeights + (<usize>k << 2))) * wienerGain(load<u32>(m.gaussians + (<usize>k << 2)), s2);
  }
  return sum;
}

/** out[b, :] += s_mix(x[b, :]; sigma) for B rows of d values. */
export function addMixtureSkip(g: usize, sigma: f32, x: usize, out: usize, B: i32, d: i32): void {
  const m = changetype<MixtureConfig>(g);
  const s2 = <f64>sigma * <f64>sigma;
  for (let b = 0; b < B; b++) {
    const xb = x + (<usize>(b * d) << 2), ob = out + (<usize>(b * d) << 2);
    const lse = logNormaliser(m, s2, xb);
    for (let k = 0; k < m.components; k++) addGaussianSkip(gaussianAt(m.gaussians, k), s2, xb, ob, responsibility(m, k, s2, xb, lse));
  }
}

/**
 * The divergence of s_mix at one row x (d values): grad s_mix = sum_k r_k J_k + sum_k r_k s_k s_k^T - s s^T
 * (grad r_k = r_k (s_k - s_mix), J_k = -(C_k + sigma^2 I)^-1), so its trace is sum_k r_k (tr J_k + |s_k|^2) - |s_mix|^2;
 * with probes v [M, d] (M > 0), Hutchinson's mean_m v_m^T (grad s_mix) v_m instead. `skip` is d floats of scratch: it
 * receives s_mix(x).
 */
export function mixtureSkipDivergence(g: usize, sigma: f32, x: usize, d: i32, probes: usize, M: i32, skip: usize): f64 {
  const m = changetype<MixtureConfig>(g);
  const s2 = <f64>sigma * <f64>sigma;
  memory.fill(skip, 0, <usize>d << 2);
  addMixtureSkip(g, sigma, x, skip, 1, d);
  const lse = logNormaliser(m, s2, x);
  const lanes = M == 0 ? 1 : M;
  let div: f64 = 0;
  for (let p = 0; p < lanes; p++) {
    const v = probes + (<usize>(p * d) << 2);
    // M = 0: tr J_k, |s_k|^2 and |s_mix|^2; M > 0: v^T J_k v, (v . s_k)^2 and (v . s_mix)^2.
    let vs: f64 = 0;
    let vv: f64 = 0;
    let ve: f64 = 0;
    for (let j = 0; j < d; j++) {
      const vj = M == 0 ? 0.0 : <f64>load<f32>(v + (<usize>j << 2));
      const sj = <f64>load<f32>(skip + (<usize>j << 2));
      vs += M == 0 ? sj * sj : vj * sj;
      vv += vj * vj;
    }
    let sum: f64 = M == 0 ? -vs : -vs * vs;
    for (let k = 0; k < m.components; k++) {
      const c = gaussianAt(m.gaussians, k), r = restPrecision(c, s2), w = responsibility(m, k, s2, x, lse);
      let e2: f64 = 0;
      ve = 0;
      for (let j = 0; j < d; j++) {
        const e = <f64>load<f32>(x + (<usize>j << 2)) - <f64>load<f32>(c.mean + (<usize>j << 2));
        e2 += e * e;
        if (M > 0) ve += e * <f64>load<f32>(v + (<usize>j << 2));
      }
      // s_k = -(r e + sum_m t_m (a_m - r) U_m), a_m = 1 / (lambda_m + sigma^2), t_m = U_m e.
      let jk: f64 = M == 0 ? -<f64>(d - c.rank) * r : -r * vv;
      let sk: f64 = M == 0 ? r * r * e2 : -r * ve;
      for (let q = 0; q < c.rank; q++) {
        const u = c.vectors + (<usize>(q * d) << 2);
        const t = <f64>dotDifference(u, x, c.mean, d);
        const a = 1.0 / (<f64>load<f32>(c.variances + (<usize>q << 2)) + s2);
        if (M == 0) {
          jk -= a;
          sk += t * t * (a * a - r * r);
        } else {
          let uv: f64 = 0;
          for (let j = 0; j < d; j++) uv += <f64>load<f32>(u + (<usize>j << 2)) * <f64>load<f32>(v + (<usize>j << 2));
          jk -= uv * uv * (a - r);
          sk -= t * (a - r) * uv;
        }
      }
      sum += w * (jk + (M == 0 ? sk : sk * sk));
    }
    div += sum / <f64>lanes;
  }
  return div;
}
