import { GaussianConfig, MixtureConfig } from './contract';
import { restPrecision, wienerGain } from './model';
import { poolThreadId } from './pool';
import { dotDifference, scaleAdd, scaleAddTwice } from './vector';

// Bit Mixture (score models only; g a MixtureConfig: p = sum_k w_k N(mu_k, C_k), each C_k probabilistic PCA as in
// bit Gaussian) makes the skip term the exact score of that mixture blurred by sigma,
//   s_mix(x; sigma) = sum_k r_k(x) s_k(x),  s_k = -(C_k + sigma^2 I)^-1 (x - mu_k),
//   r_k = w_k N(x; mu_k, C_k + sigma^2 I) / sum_j w_j N(x; mu_j, C_j + sigma^2 I)   (the responsibilities),
// the closed form of a Gaussian mixture's score under Gaussian noise (e.g. Karras et al. 2022, section 2; Song &
// Ermon 2019's toy analysis). Using it as a model's skip term (the network learns what the mixture misses) is this
// project's choice. The input is (x - mu) / sqrt(v + sigma^2) with the mixture's mean mu and variance per coordinate v,
// and c_out^2 = sigma^2 sum_k w_k tr(C_k (C_k + sigma^2 I)^-1) / d: the mixture's denoising error per coordinate
// when every point's component is known (so F's target keeps about unit scale).
//
// The shared-basis form: every component's eigenvectors U_k = R_k B lie in the span of one basis B [q, d] (orthonormal
// rows; the fit's top-q eigenvectors of the data). With y = x - mean, z = B y, c_k = B (mu_k - mean) and
// p_k = (I - B^T B)(mu_k - mean), the residual e_k = x - mu_k splits into B^T (z - c_k) and the orthogonal
// (I - B^T B) y - p_k, so
//   t_k = U_k e_k = R_k (z - c_k),   |e_k|^2 = |z - c_k|^2 + |y|^2 - |z|^2 - 2 y.p_k + |p_k|^2   (B p_k = 0),
//   s_k = -rho_k e_k - U_k^T diag(a_k - rho_k) t_k   (a = 1 / (lambda + sigma^2), rho = 1 / (rest + sigma^2)),
//   s_mix = -(sum r_k rho_k) y + sum r_k rho_k p_k + B^T sum_k r_k (rho_k c_k - R_k^T diag(a_k - rho_k) t_k).
// Cost per row: 2 q d (z, then B^T once) + 2 sum_k k q + about 3 K d multiply-adds, against 4 K k d densely
// (q = 64, K = 10, k = 64, d = 784: about 0.18 M against 2.0 M). The scratch (z, g, the log-densities, |e_k|^2
// and t_k) is the thread's slot of MixtureConfig.scratch.

@inline function gaussianAt(g: usize, k: i32): GaussianConfig {
  return changetype<GaussianConfig>(load<u32>(g + (<usize>k << 2)));
}

@inline function f32At(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

@inline function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * This thread's scratch slot of m: f32 z [q], f32 g [q], then f64 log-densities [K], |e_k|^2 [K], t_k [T = sum_k k],
 * and the level's constants: ln det(C_k + sigma^2 I) [K], a_kj - rho_k [T].
 */
function slotOf(m: MixtureConfig): usize {
  const id = poolThreadId();
  if (id >= m.slots) unreachable(); // MixtureBlock gives every thread of its core a slot
  let size = m.basisRank + 3 * m.components; // in 8-byte cells
  for (let k = 0; k < m.components; k++) size += 2 * gaussianAt(m.gaussians, k).rank;
  return m.scratch + (<usize>id * <usize>size << 3);
}

/** Sum of the components' ranks, T. */
function totalRank(m: MixtureConfig): i32 {
  let T = 0;
  for (let k = 0; k < m.components; k++) T += gaussianAt(m.gaussians, k).rank;
  return T;
}

/**
 * Fills the slot S's constants of level sigma (once per call, not per row: Langevin's rows share it): each
 * component's ln det(C_k + sigma^2 I) and a_kj - rho_k, a = 1 / (lambda + sigma^2), rho = 1 / (rest + sigma^2).
 */
function levelConstants(m: MixtureConfig, s2: f64, S: usize): void {
  const d = m.dim, K = m.components, T = totalRank(m);
  const L = S + (<usize>(m.basisRank + 2 * K + T) << 3);
  let A = L + (<usize>K << 3);
  for (let k = 0; k < K; k++) {
    const c = gaussianAt(m.gaussians, k), r = restPrecision(c, s2);
    let logDet: f64 = r != 0 ? <f64>(d - c.rank) * Math.log(<f64>c.rest + s2) : 0.0;
    for (let j = 0; j < c.rank; j++) {
      const l = f32At(c.variances, j);
      store<f64>(A + (<usize>j << 3), 1.0 / (l + s2) - r);
      logDet += Math.log(l + s2);
    }
    store<f64>(L + (<usize>k << 3), logDet);
    A += <usize>c.rank << 3;
  }
}

/**
 * Fills the slot S for row x (z, then per component its log-density ln w_k + ln N(x; mu_k, C_k + sigma^2 I) +
 * (d/2) ln 2 pi, |e_k|^2 and t_k) and returns ln sum_k of the densities (by the running-maximum recurrence). The
 * level's constants must be in S ({@link levelConstants}).
 */
function logDensities(m: MixtureConfig, s2: f64, x: usize, S: usize): f64 {
  const d = m.dim, q = m.basisRank, K = m.components, F = S + (<usize>q << 3);
  let yy: f64 = 0;
  for (let j = 0; j < d; j++) {
    const y = f32At(x, j) - f32At(m.mean, j);
    yy += y * y;
  }
  let zz: f64 = 0;
  for (let i = 0; i < q; i++) {
    const z = dotDifference(m.basis + (<usize>(i * d) << 2), x, m.mean, d);
    store<f32>(S + (<usize>i << 2), z);
    zz += <f64>z * <f64>z;
  }
  let top = -Infinity;
  let sum: f64 = 0;
  const T = totalRank(m), L = F + (<usize>(2 * K + T) << 3);
  let t = F + (<usize>(2 * K) << 3), A = L + (<usize>K << 3);
  for (let k = 0; k < K; k++) {
    const c = gaussianAt(m.gaussians, k), r = restPrecision(c, s2);
    const R = <usize>load<u32>(m.rotations + (<usize>k << 2)), ck = m.coordinates + (<usize>(k * q) << 2);
    const p = m.offsets + (<usize>(k * d) << 2);
    let e2: f64 = 0;
    for (let i = 0; i < q; i++) {
      const u = f32At(S, i) - f32At(ck, i);
      e2 += u * u;
    }
    let yp: f64 = 0;
    for (let j = 0; j < d; j++) yp += (f32At(x, j) - f32At(m.mean, j)) * f32At(p, j);
    e2 += yy - zz - 2.0 * yp + f32At(m.offsetNorms, k);
    store<f64>(F + (<usize>(K + k) << 3), e2);
    let quad: f64 = r * e2;
    for (let j = 0; j < c.rank; j++) {
      const tj = <f64>dotDifference(R + (<usize>(j * q) << 2), S, ck, q);
      store<f64>(t + (<usize>j << 3), tj);
      quad += tj * tj * f64At(A, j);
    }
    t += <usize>c.rank << 3;
    A += <usize>c.rank << 3;
    const lp = f32At(m.logWeights, k) - 0.5 * (quad + f64At(L, k));
    store<f64>(F + (<usize>k << 3), lp);
    if (lp > top) {
      sum = sum * Math.exp(top - lp) + 1.0;
      top = lp;
    } else sum += Math.exp(lp - top);
  }
  return top + Math.log(sum);
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

/**
 * The guard of a 'mixture' model's score in the Langevin-type steps (assembly/langevin.ts), at B rows s [B, d] of
 * particles x [B, d]: s += max(0, |k|^2 - s.k) / |k|^2 k per row, k the mixture's skip at the row (written to
 * scratch [B, d]). The network may add to the mixture's pull along k but never weaken it: s.k >= |k|^2 afterwards, so
 * to first order in the step the mixture's -log p_sigma falls along the drift at least as fast as with the skip alone
 * (a Lyapunov drift condition: e.g. Meyn & Tweedie 1993), and the skip alone keeps annealed chains on MNIST within
 * 2.1 pixel units. Unguarded, the network's correction, trained only near the digits, turned against the skip at the
 * last levels for a few chains and sent them past 10 pixel units (apps/cli README, "Images"). On noisy held-out
 * digits s.k / |k|^2 is about 1 in the median at every level, so where the guard acts it moves s by little. This
 * project's choice; the model's score (modelScore, the divergence, training) is not guarded. With computed, scratch
 * already holds the skip at x and sigma (modelScoreWithSkip leaves it there, the bits of addMixtureSkip into zeros):
 * the guard then costs only the two dot products and the update, not a second evaluation of the skip.
 */
export function guardMixtureScores(g: usize, sigma: f32, x: usize, s: usize, B: i32, d: i32, scratch: usize,
  computed: bool = false): void {
  if (!computed) {
    memory.fill(scratch, 0, <usize>(B * d) << 2);
    addMixtureSkip(g, sigma, x, scratch, B, d);
  }
  for (let b = 0; b < B; b++) {
    const sb = s + (<usize>(b * d) << 2), kb = scratch + (<usize>(b * d) << 2);
    let sk: f64 = 0,
      kk: f64 = 0;
    for (let j = 0; j < d; j++) {
      const kj = f32At(kb, j);
      sk += f32At(sb, j) * kj;
      kk += kj * kj;
    }
    if (kk > 0 && sk < kk) scaleAdd(sb, 1, kb, <f32>((kk - sk) / kk), d);
  }
}

/**
 * out[b, :] += s_mix(x[b, :]; sigma) for B rows of d values; with copy != 0, copy[b, :] += the same terms in the same
 * order (from zeros: s_mix alone, with the bits of a second call into zeros, at the cost of the d-wide sums only).
 */
export function addMixtureSkip(g: usize, sigma: f32, x: usize, out: usize, B: i32, d: i32, copy: usize = 0): void {
  const m = changetype<MixtureConfig>(g);
  const s2 = <f64>sigma * <f64>sigma, q = m.basisRank, K = m.components;
  const S = slotOf(m), G = S + (<usize>q << 2), F = S + (<usize>q << 3), T = totalRank(m);
  levelConstants(m, s2, S);
  for (let b = 0; b < B; b++) {
    const xb = x + (<usize>(b * d) << 2), ob = out + (<usize>(b * d) << 2), cb = copy + (<usize>(b * d) << 2);
    const lse = logDensities(m, s2, xb, S);
    memory.fill(G, 0, <usize>q << 2);
    let rest: f64 = 0; // sum_k r_k rho_k
    let t = F + (<usize>(2 * K) << 3), A = F + (<usize>(3 * K + T) << 3);
    for (let k = 0; k < K; k++) {
      const c = gaussianAt(m.gaussians, k), r = restPrecision(c, s2);
      const R = <usize>load<u32>(m.rotations + (<usize>k << 2)), ck = m.coordinates + (<usize>(k * q) << 2);
      const w = Math.exp(f64At(F, k) - lse);
      if (w * r != 0) {
        rest += w * r;
        addTo(ob, cb, copy, m.offsets + (<usize>(k * d) << 2), <f32>(w * r), d);
        scaleAdd(G, 1, ck, <f32>(w * r), q);
      }
      for (let j = 0; j < c.rank; j++) {
        const coef = w * f64At(A, j) * f64At(t, j);
        if (coef != 0) scaleAdd(G, 1, R + (<usize>(j * q) << 2), <f32>-coef, q);
      }
      t += <usize>c.rank << 3;
      A += <usize>c.rank << 3;
    }
    addTo(ob, cb, copy, xb, <f32>-rest, d);
    addTo(ob, cb, copy, m.mean, <f32>rest, d);
    for (let i = 0; i < q; i++) addTo(ob, cb, copy, m.basis + (<usize>(i * d) << 2), load<f32>(G + (<usize>i << 2)), d);
  }
}

/** o += b v, and c += b v too when copy != 0 (addMixtureSkip's d-wide terms). */
@inline function addTo(o: usize, c: usize, copy: usize, v: usize, b: f32, d: i32): void {
  if (copy != 0) scaleAddTwice(o, c, v, b, d);
  else scaleAdd(o, 1, v, b, d);
}

/**
 * The divergence of s_mix at one row x (d values): grad s_mix = sum_k r_k J_k + sum_k r_k s_k s_k^T - s s^T
 * (grad r_k = r_k (s_k - s_mix), J_k = -(C_k + sigma^2 I)^-1), so its trace is sum_k r_k (tr J_k + |s_k|^2) - |s_mix|^2;
 * with probes v [M, d] (M > 0), Hutchinson's mean_m v_m^T (grad s_mix) v_m instead. In the shared basis,
 * U_k v = R_k (B v) and v.e_k = v.y - (B v).c_k - v.p_k. `skip` is d floats of scratch: it receives s_mix(x).
 */
export function mixtureSkipDivergence(g: usize, sigma: f32, x: usize, d: i32, probes: usize, M: i32, skip: usize): f64 {
  const m = changetype<MixtureConfig>(g);
  const s2 = <f64>sigma * <f64>sigma, q = m.basisRank, K = m.components;
  memory.fill(skip, 0, <usize>d << 2);
  addMixtureSkip(g, sigma, x, skip, 1, d); // leaves x's z, log-densities, |e_k|^2 and t_k in the slot
  const S = slotOf(m), V = S + (<usize>q << 2), F = S + (<usize>q << 3); // V: B v, in g's place
  let top = -Infinity;
  for (let k = 0; k < K; k++) top = Math.max(top, f64At(F, k));
  let sum: f64 = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(f64At(F, k) - top);
  const lse = top + Math.log(sum);
  const lanes = M == 0 ? 1 : M;
  let div: f64 = 0;
  for (let p = 0; p < lanes; p++) {
    const v = probes + (<usize>(p * d) << 2);
    // M = 0: tr J_k, |s_k|^2 and |s_mix|^2; M > 0: v^T J_k v, (v . s_k)^2 and (v . s_mix)^2.
    let vs: f64 = 0;
    let vv: f64 = 0;
    let vy: f64 = 0;
    for (let j = 0; j < d; j++) {
      const vj = M == 0 ? 0.0 : f32At(v, j);
      const sj = f32At(skip, j);
      vs += M == 0 ? sj * sj : vj * sj;
      vv += vj * vj;
      vy += vj * (f32At(x, j) - f32At(m.mean, j));
    }
    if (M > 0) {
      for (let i = 0; i < q; i++) {
        const b = m.basis + (<usize>(i * d) << 2);
        let bv: f64 = 0;
        for (let j = 0; j < d; j++) bv += f32At(b, j) * f32At(v, j);
        store<f32>(V + (<usize>i << 2), <f32>bv);
      }
    }
    let total: f64 = M == 0 ? -vs : -vs * vs;
    let t = F + (<usize>(2 * K) << 3);
    for (let k = 0; k < K; k++) {
      const c = gaussianAt(m.gaussians, k), r = restPrecision(c, s2), w = Math.exp(f64At(F, k) - lse);
      const R = <usize>load<u32>(m.rotations + (<usize>k << 2)), ck = m.coordinates + (<usize>(k * q) << 2);
      let ve: f64 = 0;
      if (M > 0) {
        const pk = m.offsets + (<usize>(k * d) << 2);
        ve = vy;
        for (let i = 0; i < q; i++) ve -= f32At(V, i) * f32At(ck, i);
        for (let j = 0; j < d; j++) ve -= f32At(v, j) * f32At(pk, j);
      }
      // s_k = -(rho e + sum_j t_j (a_j - rho) U_kj), a_j = 1 / (lambda_j + sigma^2).
      let jk: f64 = M == 0 ? -<f64>(d - c.rank) * r : -r * vv;
      let sk: f64 = M == 0 ? r * r * f64At(F, K + k) : -r * ve;
      for (let j = 0; j < c.rank; j++) {
        const tj = f64At(t, j), a = 1.0 / (f32At(c.variances, j) + s2);
        if (M == 0) {
          jk -= a;
          sk += tj * tj * (a * a - r * r);
        } else {
          const row = R + (<usize>(j * q) << 2);
          let uv: f64 = 0;
          for (let i = 0; i < q; i++) uv += f32At(row, i) * f32At(V, i);
          jk -= uv * uv * (a - r);
          sk -= tj * (a - r) * uv;
        }
      }
      t += <usize>c.rank << 3;
      total += w * (jk + (M == 0 ? sk : sk * sk));
    }
    div += total / <f64>lanes;
  }
  return div;
}
