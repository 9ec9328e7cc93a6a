// Activations phi and their first three derivatives (the Taylor-2 reverse pass needs phi''').
// Kinds: 0 silu, 1 softplus, 2 tanh, 3 elu (alpha = 1). Computed in f64 from the f32 input and
// rounded once, in the same scalar code in both builds (identical bits).

export const SILU = 0;
export const SOFTPLUS = 1;
export const TANH = 2;
export const ELU = 3;

@inline function sigmoid(a: f64): f64 {
  if (a >= 0) return 1.0 / (1.0 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1.0 + e);
}

/** phi(a). */
export function phi(kind: i32, a: f64): f64 {
  switch (kind) {
    case SILU: return a * sigmoid(a);
    case SOFTPLUS: return Math.max(a, 0.0) + Math.log1p(Math.exp(-Math.abs(a)));
    case TANH: return Math.tanh(a);
    default: return a > 0 ? a : Math.expm1(a);
  }
}

/** d^order phi / da^order at a, order 1..3. */
export function phiDerivative(kind: i32, a: f64, order: i32): f64 {
  switch (kind) {
    case SILU: {
      // h = a s, s = sigmoid: h^(n) = n s^(n-1) + a s^(n)
      const s = sigmoid(a);
      const s1 = s * (1.0 - s);
      const s2 = s1 * (1.0 - 2.0 * s);
      if (order == 1) return s + a * s1;
      if (order == 2) return 2.0 * s1 + a * s2;
      const s3 = s2 * (1.0 - 2.0 * s) - 2.0 * s1 * s1;
      return 3.0 * s2 + a * s3;
    }
    case SOFTPLUS: {
      const s = sigmoid(a);
      const s1 = s * (1.0 - s);
      if (order == 1) return s;
      if (order == 2) return s1;
      return s1 * (1.0 - 2.0 * s);
    }
    case TANH: {
      const t = Math.tanh(a);
      const u = 1.0 - t * t;
      if (order == 1) return u;
      if (order == 2) return -2.0 * t * u;
      return u * (6.0 * t * t - 2.0);
    }
    default: return a > 0 ? (order == 1 ? 1.0 : 0.0) : Math.exp(a);
  }
}

/** h[i] = phi(a[i]), i < n. */
export function activationForward(kind: i32, a: usize, h: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(h + p, <f32>phi(kind, <f64>load<f32>(a + p)));
  }
}

/** d_k[i] = phi^(k)(a[i]) for k = 1, 2, 3; a null pointer skips that order. */
export function activationDerivatives(kind: i32, a: usize, d1: usize, d2: usize, d3: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const x = <f64>load<f32>(a + p);
    if (d1 != 0) store<f32>(d1 + p, <f32>phiDerivative(kind, x, 1));
    if (d2 != 0) store<f32>(d2 + p, <f32>phiDerivative(kind, x, 2));
    if (d3 != 0) store<f32>(d3 + p, <f32>phiDerivative(kind, x, 3));
  }
}

/** g[i] *= phi'(a[i]): the reverse pass through the activation. */
export function activationBackward(kind: i32, a: usize, g: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(g + p, load<f32>(g + p) * <f32>phiDerivative(kind, <f64>load<f32>(a + p), 1));
  }
}
