import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { activationBackward, activationDerivatives, activationForward, activations, type Activation } from './activation.js';
import { maxRelError, randomArray, refActivations, sameBits } from './testing/reference.js';

const NAMES = Object.keys(activations) as Activation[];
// Points away from 0 so ELU's kink is not straddled by finite differences; include large |a| for stability.
const POINTS = Float32Array.from([...randomArray(61, 11, -6, 6)].filter((a) => Math.abs(a) > 0.01).concat([-30, -12.5, 12.5, 30]));
// For the bitwise comparison of the builds: also zeros, tiny, saturating and past-the-clamp values (x <= -87
// in the exponential), in an odd count so the SIMD build's scalar remainder runs.
const BIT_POINTS = Float32Array.from([...POINTS, 0, -0, 1e-30, -1e-30, 43.4, -43.4, 87, -87, 100, -100, 1e30, -1e30, 3e38, -3e38]);

forEachBuild((core) => {
  describe.each(NAMES)('%s', (name) => {
    const ref = refActivations[name];

    it('phi and its first three derivatives match independent closed forms', () => {
      const c = core();
      const a = c.f32(POINTS.length, POINTS),
        h = c.f32(a.length);
      const d = [c.f32(a.length), c.f32(a.length), c.f32(a.length)];
      activationForward(c, name, a, h);
      activationDerivatives(c, name, a, { d1: d[0], d2: d[1], d3: d[2] });
      expect(maxRelError(h.view, Array.from(POINTS, ref.f))).toBeLessThan(1e-6);
      d.forEach((buf, k) => expect(maxRelError(buf.view, Array.from(POINTS, ref.d[k])), `order ${k + 1}`).toBeLessThan(1e-5));
    });

    it('each derivative is the finite difference of the one before (f64 reference through the kernel output)', () => {
      const c = core();
      const h = 1e-2;
      const at = (pts: number[]) => {
        const a = c.f32(pts.length, pts),
          out = [c.f32(pts.length), c.f32(pts.length), c.f32(pts.length), c.f32(pts.length)];
        activationForward(c, name, a, out[0]);
        activationDerivatives(c, name, a, { d1: out[1], d2: out[2], d3: out[3] });
        return out.map((b) => b.toArray());
      };
      const pts = Array.from(POINTS).filter((p) => Math.abs(p) > 0.1 && Math.abs(p) < 8);
      const [center, up, down] = [at(pts), at(pts.map((p) => p + h)), at(pts.map((p) => p - h))];
      for (let k = 1; k <= 3; k++) {
        const fd = pts.map((_, i) => (up[k - 1][i] - down[k - 1][i]) / (2 * h));
        expect(maxRelError(center[k], fd, 0.05), `order ${k}`).toBeLessThan(5e-3);
      }
    });

    it("activationBackward multiplies by phi'", () => {
      const c = core();
      const a = c.f32(POINTS.length, POINTS),
        g = c.f32(a.length, randomArray(a.length, 12));
      const expected = Array.from(g.view, (v, i) => v * ref.d[0](POINTS[i]));
      activationBackward(c, name, a, g);
      expect(maxRelError(g.view, expected)).toBeLessThan(1e-5);
    });
  });

  it('an unknown activation name lists the valid ones', () => {
    const c = core();
    expect(() => activationForward(c, 'relu' as Activation, c.f32(1), c.f32(1))).toThrow(
      "unknown activation 'relu'; valid: silu, softplus, tanh, elu",
    );
  });
});

describe('activations: SIMD and scalar builds', () => {
  it('agree bit for bit', async () => {
    const { simd, scalar } = await loadBoth();
    for (const name of NAMES) {
      const [x, y] = [simd, scalar].map((c) => {
        const a = c.f32(BIT_POINTS.length, BIT_POINTS),
          out = [c.f32(a.length), c.f32(a.length), c.f32(a.length), c.f32(a.length)];
        activationForward(c, name, a, out[0]);
        activationDerivatives(c, name, a, { d1: out[1], d2: out[2], d3: out[3] });
        return out.map((b) => b.toArray());
      });
      x.forEach((v, i) => expect(sameBits(v, y[i]), `${name} output ${i}`).toBe(true));
      // Saturation and signed zeros come out finite and exact where they should.
      expect(x.every((v) => v.every(Number.isFinite))).toBe(true);
    }
  });
});
