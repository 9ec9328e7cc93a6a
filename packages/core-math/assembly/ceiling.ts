// The machine's f32x4 multiply+add ceiling: the instruction mix of a register-tiled GEMM with its
// operands in L1 (per iteration: 2 vector loads, 4 broadcasts, 8 independent acc += x * b), so
// only the mul and add ports limit it (no FMA in baseline WASM SIMD).
// FLOPs = iterations * 8 accumulators * 4 lanes * 2. The scalar build runs the same count in scalar f32.
const panel: usize = memory.data(1024, 16);

export function mulAddCeiling(iterations: i32, m: f32, c: f32): f32 {
  for (let i = 0; i < 256; i++) store<f32>(panel + (<usize>i << 2), c + m * <f32>i * 1e-3);
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (let i = 0; i < iterations; i++) {
      const q = panel + ((<usize>i & 31) << 5);
      const b0 = v128.load(q), b1 = v128.load(q, 16);
      const x0 = v128.load32_splat(q, 4), x1 = v128.load32_splat(q, 8), x2 = v128.load32_splat(q, 12), x3 = v128.load32_splat(q, 20);
      a0 = f32x4.add(a0, f32x4.mul(x0, b0)); a1 = f32x4.add(a1, f32x4.mul(x0, b1));
      a2 = f32x4.add(a2, f32x4.mul(x1, b0)); a3 = f32x4.add(a3, f32x4.mul(x1, b1));
      a4 = f32x4.add(a4, f32x4.mul(x2, b0)); a5 = f32x4.add(a5, f32x4.mul(x2, b1));
      a6 = f32x4.add(a6, f32x4.mul(x3, b0)); a7 = f32x4.add(a7, f32x4.mul(x3, b1));
    }
    const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  }
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
  for (let i = 0; i < iterations * 4; i++) {
    const q = panel + ((<usize>i & 31) << 5);
    const b0 = load<f32>(q), b1 = load<f32>(q, 16);
    const x0 = load<f32>(q, 4), x1 = load<f32>(q, 8), x2 = load<f32>(q, 12), x3 = load<f32>(q, 20);
    a0 += x0 * b0; a1 += x0 * b1; a2 += x1 * b0; a3 += x1 * b1;
    a4 += x2 * b0; a5 += x2 * b1; a6 += x3 * b0; a7 += x3 * b1;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
