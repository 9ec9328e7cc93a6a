import { describe, expect, it } from 'vitest';
import { loadBoth, forEachBuild } from './testing/builds.js';
import { rngNormal, rngRademacher, rngUniform } from './rng-draws.js';
import { referenceBits, sameBits } from './testing/reference.js';
import { loadCore } from './core.js';

function moments(v: Float32Array): { mean: number; variance: number; skew: number; kurtosis: number } {
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  let m2 = 0,
    m3 = 0,
    m4 = 0;
  for (const x of v) {
    const d = x - mean;
    m2 += d * d;
    m3 += d ** 3;
    m4 += d ** 4;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skew: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

forEachBuild((core) => {
  const N = 200_000;
  it('uniform draws have the moments of U[lo, hi)', () => {
    const out = core().f32(N);
    rngUniform(core(), core().rng(1), out, -2, 4);
    const v = out.view;
    expect(Math.min(...v.subarray(0, 10000))).toBeGreaterThanOrEqual(-2);
    expect(v.every((x) => x >= -2 && x < 4)).toBe(true);
    const m = moments(v);
    expect(m.mean).toBeCloseTo(1, 1);
    expect(m.variance).toBeCloseTo(36 / 12, 1);
  });

  it('normal draws have the moments of N(mean, std^2)', () => {
    const out = core().f32(N);
    rngNormal(core(), core().rng(2), out, 3, 2);
    const m = moments(out.view);
    expect(Math.abs(m.mean - 3)).toBeLessThan(0.02);
    expect(Math.abs(m.variance - 4)).toBeLessThan(0.05);
    expect(Math.abs(m.skew)).toBeLessThan(0.03);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.05);
  });

  it('Rademacher draws are +-1 with equal frequency', () => {
    const out = core().f32(N);
    rngRademacher(core(), core().rng(3), out);
    expect(out.view.every((x) => x === 1 || x === -1)).toBe(true);
    expect(Math.abs(moments(out.view).mean)).toBeLessThan(0.01);
  });

  it('is a counter-based stream: one draw per element, replayable from any position', () => {
    const rng = core().rng(42);
    const a = core().f32(17),
      b = core().f32(17);
    rngNormal(core(), rng, a);
    expect(rng.counter).toBe(17n);
    rng.counter = 5n;
    rngNormal(core(), rng, b);
    expect(sameBits(a.view.subarray(5), b.view.subarray(0, 12))).toBe(true);
  });

  it('different seeds give different streams', () => {
    const a = core().f32(8),
      b = core().f32(8);
    rngUniform(core(), core().rng(7), a);
    rngUniform(core(), core().rng(8), b);
    expect(sameBits(a.view, b.view)).toBe(false);
  });

  it('rejects seeds that are not non-negative integers', () => {
    expect(() => core().rng(-1)).toThrow(/seed must be a non-negative integer/);
    expect(() => core().rng(1.5)).toThrow(/seed/);
  });
});

describe('rng across builds and platforms', () => {
  it('gives the same bits in the SIMD and scalar builds', async () => {
    const { simd, scalar } = await loadBoth();
    for (const draw of [rngUniform, rngNormal, rngRademacher]) {
      const a = simd.f32(1001),
        b = scalar.f32(1001);
      draw(simd, simd.rng(123456789), a);
      draw(scalar, scalar.rng(123456789), b);
      expect(sameBits(a.view, b.view)).toBe(true);
    }
  });

  it('matches golden values (same bits on every platform)', async () => {
    // Golden values recorded once from this implementation; any change to the stream breaks them on purpose.
    const core = await loadCore();
    const u = core.f32(4),
      z = core.f32(4);
    rngUniform(core, core.rng(2024), u);
    rngNormal(core, core.rng(2024), z);
    expect(Array.from(new Uint32Array(u.view.slice().buffer))).toEqual(GOLDEN_UNIFORM);
    expect(Array.from(new Uint32Array(z.view.slice().buffer))).toEqual(GOLDEN_NORMAL);
  });
});

const GOLDEN_UNIFORM = [1045108272, 1000280661, 1044983228, 1033045073];
const GOLDEN_NORMAL = [3219268319, 1074886309, 1068968707, 3216532184];

describe('rng against an independent SplitMix64', () => {
  it('uniform and normal draws equal the BigInt reference', async () => {
    const core = await loadCore();
    const n = 64;
    const u = core.f32(n),
      z = core.f32(n);
    rngUniform(core, core.rng(99), u);
    rngNormal(core, core.rng(99), z);
    for (let i = 0; i < n; i++) {
      const bits = referenceBits(99n, BigInt(i));
      expect(u.view[i]).toBe(Math.fround(Number(bits >> 11n) * 2 ** -53));
      const u1 = (Number(bits >> 32n) + 1) * 2 ** -32,
        u2 = Number(bits & 0xffffffffn) * 2 ** -32;
      expect(z.view[i]).toBeCloseTo(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2), 5);
    }
  });
});
