import { describe, expect, it } from 'vitest';
import { forEachBuild, loadBoth } from './testing/builds.js';
import { denseBackward, denseForward, denseScratchFloats } from './dense.js';
import { finiteDifference, normRelError, randomArray, refGemm, sameBits } from './testing/reference.js';

const SIZES = [1, 3, 5, 17, 128];
// (batch, inputs, outputs): every size on every axis, without the full 125-case cube
const SHAPES = SIZES.flatMap((B) => SIZES.map((I, j) => [B, I, SIZES[(j + SIZES.indexOf(B)) % SIZES.length]] as const))
  // Batches past the backward pass's 128-row blocks, with a partial last block.
  .concat([
    [300, 17, 5],
    [257, 5, 3],
  ] as const);

forEachBuild((core) => {
  describe('denseForward', () => {
    it.each(SHAPES)('matches the f64 reference at B=%i I=%i O=%i', (B, I, O) => {
      const c = core();
      const x = c.f32(B * I, randomArray(B * I, 1)),
        w = c.f32(I * O, randomArray(I * O, 2)),
        b = c.f32(O, randomArray(O, 3));
      const y = c.f32(B * O);
      denseForward(c, x, w, b, y, { batch: B, inputs: I, outputs: O });
      expect(normRelError(y.view, refGemm(x.view, w.view, b.view, B, I, O))).toBeLessThan(1e-5);
      for (const buf of [x, w, b, y]) buf.free();
    });

    it('names the kernel and the shapes on a size mismatch', () => {
      const c = core();
      expect(() => denseForward(c, c.f32(5), c.f32(6), c.f32(3), c.f32(6), { batch: 2, inputs: 2, outputs: 3 })).toThrow(
        'denseForward: x has 5 floats, expected batch*inputs 2*2 = 4',
      );
      expect(() => denseForward(c, c.f32(4), c.f32(6), c.f32(3), c.f32(6), { batch: 0, inputs: 2, outputs: 3 })).toThrow(
        /denseForward: batch must be an integer >= 1, got 0/,
      );
    });
  });

  describe('denseBackward', () => {
    it.each(SHAPES)('matches the reference and finite differences at B=%i I=%i O=%i', (B, I, O) => {
      const c = core();
      const xs = randomArray(B * I, 4),
        ws = randomArray(I * O, 5),
        dys = randomArray(B * O, 6);
      const x = c.f32(B * I, xs),
        w = c.f32(I * O, ws),
        dy = c.f32(B * O, dys);
      const dx = c.f32(B * I),
        dw = c.f32(I * O, new Float32Array(I * O).fill(0.5)),
        db = c.f32(O, new Float32Array(O).fill(-0.25));
      const scratch = c.f32(denseScratchFloats({ batch: B, inputs: I, outputs: O }));
      denseBackward(c, x, w, dy, { dx, dw, db }, scratch, { batch: B, inputs: I, outputs: O });
      // reference: dx = dy W^T, dw = 0.5 + x^T dy, db = -0.25 + colsum(dy)
      const wT = new Float64Array(O * I),
        xT = new Float64Array(I * B);
      for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) wT[o * I + i] = ws[i * O + o];
      for (let r = 0; r < B; r++) for (let i = 0; i < I; i++) xT[i * B + r] = xs[r * I + i];
      expect(normRelError(dx.view, refGemm(dys, wT, null, B, O, I))).toBeLessThan(1e-5);
      expect(normRelError(dw.view, refGemm(xT, dys, new Float64Array(O).fill(0.5), I, B, O))).toBeLessThan(1e-5);
      const colsum = Array.from(
        { length: O },
        (_, o) => -0.25 + Array.from({ length: B }, (_, r) => dys[r * O + o]).reduce((s, v) => s + v, 0),
      );
      expect(normRelError(db.view, colsum)).toBeLessThan(1e-5);
      // finite differences of L = <dy, x W + b> on a few coordinates of x and W (f64 reference forward)
      const L = (xv: ArrayLike<number>, wv: ArrayLike<number>) => refGemm(xv, wv, null, B, I, O).reduce((s, v, k) => s + v * dys[k], 0);
      for (const k of [0, B * I - 1, (B * I) >> 1]) {
        expect(dx.view[k]).toBeCloseTo(
          finiteDifference((p) => L(p, ws), Float64Array.from(xs), k),
          3,
        );
      }
      for (const k of [0, I * O - 1]) {
        expect(dw.view[k] - 0.5).toBeCloseTo(
          finiteDifference((p) => L(xs, p), Float64Array.from(ws), k),
          3,
        );
      }
      for (const buf of [x, w, dy, dx, dw, db, scratch]) buf.free();
    });

    it('skips gradients passed as null and checks the scratch size', () => {
      const c = core();
      const s = { batch: 3, inputs: 5, outputs: 17 };
      const dw = c.f32(85);
      denseBackward(c, c.f32(15, randomArray(15, 1)), c.f32(85), c.f32(51, randomArray(51, 2)), { dx: null, dw, db: null }, c.f32(85), s);
      expect(dw.view.some((v) => v !== 0)).toBe(true);
      expect(() => denseBackward(c, c.f32(15), c.f32(85), c.f32(51), { dx: null, dw, db: null }, c.f32(10), s)).toThrow(
        'denseBackward: scratch has 10 floats, expected at least max(batch*inputs, inputs*outputs) = 85',
      );
    });
  });
});

describe('dense: SIMD and scalar builds', () => {
  it('agree bit for bit (same accumulation order) on every shape', async () => {
    const { simd, scalar } = await loadBoth();
    for (const [B, I, O] of SHAPES) {
      const outs = [simd, scalar].map((c) => {
        const y = c.f32(B * O),
          dx = c.f32(B * I),
          dw = c.f32(I * O),
          db = c.f32(O);
        const x = c.f32(B * I, randomArray(B * I, 7)),
          w = c.f32(I * O, randomArray(I * O, 8));
        const s = { batch: B, inputs: I, outputs: O };
        denseForward(c, x, w, c.f32(O, randomArray(O, 9)), y, s);
        denseBackward(c, x, w, y, { dx, dw, db }, c.f32(denseScratchFloats(s)), s);
        return [y, dx, dw, db].map((b) => b.toArray());
      });
      outs[0].forEach((a, i) => expect(sameBits(a, outs[1][i]), `B=${B} I=${I} O=${O} output ${i}`).toBe(true));
    }
  });
});
