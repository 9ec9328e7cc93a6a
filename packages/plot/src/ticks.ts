/**
 * Axis tick positions and labels: "nice" linear ticks (1, 2 or 5 × 10^k apart) and
 * decade ticks for log axes.
 */

// Thresholds between step multipliers are geometric means (√2, √10, √50), so the chosen
// step is the 1/2/5/10 multiple closest (in ratio) to span / count.
const E10 = Math.sqrt(50),
  E5 = Math.sqrt(10),
  E2 = Math.SQRT2;

/**
 * The step of {@link niceTicks}: `m × 10^k` with `m ∈ {1, 2, 5}`, returned as its parts so
 * tick values can be computed without accumulating floating-point error.
 * @param lo lower end
 * @param hi upper end (> lo)
 * @param count desired number of intervals (≥ 1)
 */
export function tickStep(lo: number, hi: number, count = 5): { m: number; k: number; step: number } {
  const raw = (hi - lo) / Math.max(1, count);
  let k = Math.floor(Math.log10(raw));
  const r = raw / 10 ** k;
  let m = r >= E10 ? 10 : r >= E5 ? 5 : r >= E2 ? 2 : 1;
  if (m === 10) {
    m = 1;
    k += 1;
  }
  return { m, k, step: m * 10 ** k };
}

/**
 * Round tick values: about `count` values `i × step` inside `[lo, hi]`, where the step is
 * 1, 2 or 5 × 10^k. Values are computed as integer multiples divided by a power of ten, so
 * `0.3` prints as `0.3`, not `0.30000000000000004`.
 * @param lo one end of the interval (the ends may be given in either order)
 * @param hi the other end
 * @param count desired number of intervals, default 5 (the result has about count ± 50 % + 1 ticks)
 * @returns ascending tick values in `[min(lo,hi), max(lo,hi)]`; `[lo]` when lo = hi, `[]` for non-finite input
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  const { m, k } = tickStep(lo, hi, count);
  // Work in integer units of m·10^k; a tiny slack keeps ends that are ticks up to rounding.
  const unit = m * 10 ** k;
  const slack = 1e-9;
  const i0 = Math.ceil(lo / unit - slack),
    i1 = Math.floor(hi / unit + slack);
  const out: number[] = [];
  for (let i = i0; i <= i1; i++) {
    const v = k >= 0 ? i * m * 10 ** k : (i * m) / 10 ** -k;
    out.push(v === 0 ? 0 : v); // no -0
  }
  return out;
}

/**
 * Label for a linear tick: as many decimals as the step needs (ticks 0.2 apart read `0.2`,
 * `0.4`; ticks 50 apart read `50`, `100`), exponent notation for very large or tiny
 * magnitudes, and a real minus sign (U+2212) for negative values.
 * @param value the tick value
 * @param step distance between ticks (> 0)
 */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const a = Math.abs(value);
  let s: string;
  if (a >= 1e6 || a < 1e-4 || step < 1e-5) {
    // Enough significant digits to tell neighbouring ticks apart.
    const digits = Math.min(15, Math.max(1, Math.floor(Math.log10(a)) - Math.floor(Math.log10(step)) + 1));
    s = value
      .toExponential(digits - 1)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  } else {
    const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
    s = value.toFixed(decimals);
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s.replace(/^-/, '−');
}

/**
 * Decade ticks for a log axis: the exponents `e` with `10^e` in `[lo, hi]` (both > 0),
 * every `stride`-th decade when there are more than `maxTicks` of them.
 * @param lo lower end, > 0
 * @param hi upper end, > lo
 * @param maxTicks most labels wanted, default 8
 * @returns integer exponents, ascending (so the ticks are `10 ** e`)
 */
export function logTickExponents(lo: number, hi: number, maxTicks = 8): number[] {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  const e0 = Math.ceil(Math.log10(lo) - 1e-9),
    e1 = Math.floor(Math.log10(hi) + 1e-9);
  const n = e1 - e0 + 1;
  const stride = Math.max(1, Math.ceil(n / Math.max(1, maxTicks)));
  const out: number[] = [];
  // Anchor the stride at multiples of it so 10^0 is kept when present.
  for (let e = Math.ceil(e0 / stride) * stride; e <= e1; e += stride) out.push(e);
  return out;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/**
 * Label for the decade tick `10^e`: plain decimals from 0.001 to 1000, otherwise `10` with a
 * superscript exponent (e.g. `10⁻⁵`), which reads well and needs no `<tspan>` tricks.
 * @param e integer exponent
 */
export function formatPow10(e: number): string {
  if (e >= -3 && e <= 3) return e >= 0 ? String(10 ** e) : (1 / 10 ** -e).toFixed(-e);
  return `10${String(e)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('')}`;
}
