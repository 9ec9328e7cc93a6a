// Parity of the two SDE modules: the WASM marginal the objectives train with (assembly/sde.ts) against the
// TypeScript SDE the samplers use (src/sde.ts), at many t, both SDEs, both builds.
import { describe, expect, it } from 'vitest';
import { forEachBuild } from './testing/builds.js';
import { newBlock } from './config-block.js';
import { SdeConfig } from './generated/contract.js';
import { sdeBlockValues, sdeDefaults, sdeOf, type ContinuousSpec } from './sde.js';

const specs: ContinuousSpec[] = [
  { name: 'continuous', sde: 've' },
  { name: 'continuous', sde: 'vp' },
  { name: 'continuous', sde: 've', sigmaMin: 0.05, sigmaMax: 50, eps: 1e-3 },
  { name: 'continuous', sde: 'vp', betaMin: 0.5, betaMax: 7, eps: 0.02 },
];
// t from 0 to 1, denser near 0 where VP's sigma(t) ~ sqrt(beta_min t) changes fastest, plus eps and 1.
const times = [0, 1e-5, 1e-3, 0.02, ...Array.from({ length: 1001 }, (_, i) => (i / 1000) ** 2), 1];

/** Relative difference, in units of f64 rounding (2^-52). */
const ulps = (a: number, b: number) => Math.abs(a - b) / (Math.max(Math.abs(a), Math.abs(b)) * 2 ** -52 || 1);

forEachBuild((core) => {
  describe.each(specs.map((s) => [JSON.stringify(s), s] as const))('%s', (_label, spec) => {
    it('alpha(t) and sigma(t) agree between WASM and TypeScript to a few f64 ulps', () => {
      const c = core();
      const values = sdeBlockValues(spec);
      const block = newBlock(c, SdeConfig, values);
      const out = c.f32(4);
      // The block holds f32 parameters: the TS SDE at the same (rounded) parameters computes the same formulas.
      const rounded = {
        ...spec,
        ...Object.fromEntries(Object.keys(sdeDefaults).map((k) => [k, Math.fround(values[k as keyof typeof values])])),
      };
      const ts = sdeOf(rounded as ContinuousSpec);
      let worst = 0;
      for (const t of times) {
        c.exports.sdeMarginal(block.ptr, t, out.ptr);
        const [alpha, sigma] = new Float64Array(c.exports.memory.buffer, out.ptr, 2);
        worst = Math.max(worst, ulps(alpha, ts.alpha(t)), ulps(sigma, ts.sigma(t)));
      }
      expect(worst).toBeLessThanOrEqual(4);
      // And the samplers' SDE at the spec's own (f64) parameters is within f32 rounding of the trained one.
      const exact = sdeOf(spec);
      for (const t of times) {
        c.exports.sdeMarginal(block.ptr, t, out.ptr);
        const [alpha, sigma] = new Float64Array(c.exports.memory.buffer, out.ptr, 2);
        expect(Math.abs(alpha - exact.alpha(t))).toBeLessThanOrEqual(1e-6 * exact.alpha(t));
        expect(Math.abs(sigma - exact.sigma(t))).toBeLessThanOrEqual(1e-6 * exact.sigma(t));
      }
      block.free();
      out.free();
    });
  });
});
