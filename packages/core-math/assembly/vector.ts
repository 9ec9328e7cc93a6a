// Elementwise vector operations. Lane-wise IEEE arithmetic in the same order in both builds: identical bits.

/** dst[i] = a dst[i] + b src[i], i < n (e.g. a weighted sum of data-parallel gradients). */
export function scaleAdd(dst: usize, a: f32, src: usize, b: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vb = f32x4.splat(b);
    for (; i + 4 <= n; i += 4) {
      const p = <usize>i << 2;
      v128.store(dst + p, f32x4.add(f32x4.mul(va, v128.load(dst + p)), f32x4.mul(vb, v128.load(src + p))));
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(dst + p, a * load<f32>(dst + p) + b * load<f32>(src + p));
  }
}

/**
 * dst[i] += b src[i] and copy[i] += b src[i], i < n: two {@link scaleAdd}s with a = 1 that read src once, each
 * destination with the bits scaleAdd gives it (the product b src[i] is the same value for both; 1 * v is v exactly).
 */
export function scaleAddTwice(dst: usize, copy: usize, src: usize, b: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(b);
    for (; i + 4 <= n; i += 4) {
      const p = <usize>i << 2;
      const bs = f32x4.mul(vb, v128.load(src + p));
      v128.store(dst + p, f32x4.add(v128.load(dst + p), bs));
      v128.store(copy + p, f32x4.add(v128.load(copy + p), bs));
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const bs = b * load<f32>(src + p);
    store<f32>(dst + p, load<f32>(dst + p) + bs);
    store<f32>(copy + p, load<f32>(copy + p) + bs);
  }
}

/**
 * dst[i] += parts[i], then += parts[stride + i], ... over `count` parts, for i in [i0, i1): partial sums added in a
 * fixed order (e.g. the groups of a parameter gradient, assembly/jet.ts).
 */
export function addPartsInOrder(dst: usize, parts: usize, stride: i32, count: i32, i0: i32, i1: i32): void {
  const step = <usize>stride << 2;
  let i = i0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= i1; i += 4) {
      const p = <usize>i << 2;
      let v = v128.load(dst + p);
      for (let g = 0; g < count; g++) v = f32x4.add(v, v128.load(parts + <usize>g * step + p));
      v128.store(dst + p, v);
    }
  }
  for (; i < i1; i++) {
    const p = <usize>i << 2;
    let v = load<f32>(dst + p);
    for (let g = 0; g < count; g++) v += load<f32>(parts + <usize>g * step + p);
    store<f32>(dst + p, v);
  }
}

/** x[i] *= y[i], i < n (e.g. a cotangent times a stored phi'). */
export function multiplyInPlace(x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const p = <usize>i << 2;
      v128.store(x + p, f32x4.mul(v128.load(x + p), v128.load(y + p)));
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(x + p, load<f32>(x + p) * load<f32>(y + p));
  }
}

/**
 * sum_i u[i] (x[i] - y[i]), i < n, in f32: four lanes summed pairwise at the end in the SIMD build, one running sum
 * in the scalar build (so the builds agree to rounding, not bit for bit; each build is deterministic).
 */
export function dotDifference(u: usize, x: usize, y: usize, n: i32): f32 {
  let i = 0;
  let sum: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p = <usize>i << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(u + p), f32x4.sub(v128.load(x + p), v128.load(y + p))));
    }
    sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    sum += load<f32>(u + p) * (load<f32>(x + p) - load<f32>(y + p));
  }
  return sum;
}
