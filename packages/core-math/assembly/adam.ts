// Adam with bias correction; `t` is the 1-based step number.
// see: Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1.
// Lane-wise IEEE arithmetic, so both builds give identical bits.

import { poolPassDone, poolThreadsFor, runJob, setJobArg, shareStart } from './pool';
import { JOB_ADAM } from './jobs';

// The size of an Adam step in the unit of the pool's split threshold (src/threads.ts, SPLIT_MIN_WORK: the size from
// which a jet pass's split pays), per parameter. Not its arithmetic (one update costs about 10 multiply-adds of a
// forward pass): a split Adam posts one job and has no barrier, and reads each share where the split reverse pass
// left it (the same shares of the gradient), so it pays from a smaller size. Measured (SIMD build, 2 threads, the
// gradient written by the caller, 1,000 steps, median of 9 interleaved rounds): split against alone 4,096 parameters
// 4.2 vs 3.1 us, 8,192 6.2 vs 6.3, 16,384 9.4 vs 12.0, 33,152 16.6 vs 24.1: break-even near 8,192, where a jet pass
// breaks even near SPLIT_MIN_WORK = 1 million multiply-adds.
const ADAM_WORK_PER_PARAM: f64 = 120;

export function adamStep(params: usize, grads: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, t: i32): void {
  const work = <f64>n * ADAM_WORK_PER_PARAM, T = poolThreadsFor(work);
  if (T == 1) adamShare(params, grads, m, v, n, lr, beta1, beta2, eps, t, 0, 1);
  else {
    setJobArg(0, <i32>params); setJobArg(1, <i32>grads); setJobArg(2, <i32>m); setJobArg(3, <i32>v); setJobArg(4, n);
    setJobArg(5, reinterpret<i32>(lr)); setJobArg(6, reinterpret<i32>(beta1)); setJobArg(7, reinterpret<i32>(beta2));
    setJobArg(8, reinterpret<i32>(eps)); setJobArg(9, t);
    runJob(JOB_ADAM);
  }
  poolPassDone(work);
}

/** Thread id's share (of T) of {@link adamStep}: elements [i0, i1), whole groups of four (elementwise: same bits). */
export function adamShare(params: usize, grads: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, t: i32, id: i32, T: i32): void {
  const i0 = shareStart(n, id, T, 4), i1 = shareStart(n, id + 1, T, 4);
  const off = <usize>i0 << 2;
  adamRange(params + off, grads + off, m + off, v + off, i1 - i0, lr, beta1, beta2, eps, t);
}

function adamRange(params: usize, grads: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, t: i32): void {
  const c1 = <f32>(1.0 - Math.pow(<f64>beta1, <f64>t));
  const c2 = <f32>(1.0 - Math.pow(<f64>beta2, <f64>t));
  const step = lr / c1;
  const b1c: f32 = 1.0 - beta1;
  const b2c: f32 = 1.0 - beta2;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(beta1), vb1c = f32x4.splat(b1c);
    const vb2 = f32x4.splat(beta2), vb2c = f32x4.splat(b2c);
    const vc2 = f32x4.splat(c2), veps = f32x4.splat(eps), vstep = f32x4.splat(step);
    for (; i + 4 <= n; i += 4) {
      const p = <usize>i << 2;
      const g = v128.load(grads + p);
      const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + p)), f32x4.mul(vb1c, g));
      const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + p)), f32x4.mul(vb2c, f32x4.mul(g, g)));
      v128.store(m + p, mi);
      v128.store(v + p, vi);
      const denom = f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps);
      v128.store(params + p, f32x4.sub(v128.load(params + p), f32x4.div(f32x4.mul(vstep, mi), denom)));
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const g = load<f32>(grads + p);
    const mi = beta1 * load<f32>(m + p) + b1c * g;
    const vi = beta2 * load<f32>(v + p) + b2c * (g * g);
    store<f32>(m + p, mi);
    store<f32>(v + p, vi);
    const denom = Mathf.sqrt(vi / c2) + eps;
    store<f32>(params + p, load<f32>(params + p) - (step * mi) / denom);
  }
}

/** out[i] = 0, i < n. */
export function fillZero(out: usize, n: i32): void {
  memory.fill(out, 0, <usize>n << 2);
}
