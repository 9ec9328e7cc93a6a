// The machine's f32x4 multiply+add ceiling: 8 independent chains acc = acc * m + c (no FMA in
// baseline WASM SIMD), enough to hide the add latency. FLOPs = iterations * 8 chains * 4 lanes * 2.
export function mulAddCeiling(iterations: i32, m: f32, c: f32): f32 {
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m), vc = f32x4.splat(c);
    let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
    let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
    for (let i = 0; i < iterations; i++) {
      a0 = f32x4.add(f32x4.mul(a0, vm), vc); a1 = f32x4.add(f32x4.mul(a1, vm), vc);
      a2 = f32x4.add(f32x4.mul(a2, vm), vc); a3 = f32x4.add(f32x4.mul(a3, vm), vc);
      a4 = f32x4.add(f32x4.mul(a4, vm), vc); a5 = f32x4.add(f32x4.mul(a5, vm), vc);
      a6 = f32x4.add(f32x4.mul(a6, vm), vc); a7 = f32x4.add(f32x4.mul(a7, vm), vc);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  }
  let a0: f32 = 0.1, a1: f32 = 0.2, a2: f32 = 0.3, a3: f32 = 0.4, a4: f32 = 0.5, a5: f32 = 0.6, a6: f32 = 0.7, a7: f32 = 0.8;
  for (let i = 0; i < iterations * 4; i++) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
