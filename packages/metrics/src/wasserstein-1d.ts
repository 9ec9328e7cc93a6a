/**
 * The p-th power of the 1-D Wasserstein-p distance between two empirical distributions with
 * uniform weights, given as SORTED ascending arrays `a` (m values) and `b` (n values):
 *
 *   W_p^p = integral_0^1 |F_a^{-1}(t) - F_b^{-1}(t)|^p dt
 *
 * The empirical quantile functions are step functions with breaks at i/m and j/n; the integral
 * is summed exactly over the union of those levels (two-pointer merge, O(m + n)). For m = n it
 * is the mean of |a_i - b_i|^p. Breaks are compared in integers ((i+1) n vs (j+1) m) so equal
 * levels merge exactly.
 * see: Peyre & Cuturi (2019), "Computational Optimal Transport", Remark 2.30.
 */
export function wassersteinPowerSorted(a: ArrayLike<number>, b: ArrayLike<number>, p: 1 | 2): number {
  const m = a.length;
  const n = b.length;
  if (m === n) {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const t = Math.abs(a[i] - b[i]);
      s += p === 1 ? t : t * t;
    }
    return s / m;
  }
  let i = 0;
  let j = 0;
  let level = 0;
  let s = 0;
  while (i < m && j < n) {
    const c = (i + 1) * n - (j + 1) * m; // sign of (i+1)/m - (j+1)/n
    const next = c <= 0 ? (i + 1) / m : (j + 1) / n;
    const t = Math.abs(a[i] - b[j]);
    s += (next - level) * (p === 1 ? t : t * t);
    level = next;
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
  return s;
}
