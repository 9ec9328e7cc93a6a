import { describe, expect, it } from 'vitest';
import { loadCore } from '@scorefield/core-math';
import { decodeModel, defaultConditioning, encodeModel, fitGlobalNormalization, noiseLadder, SIGMA_MIN_FACTOR, Trainer } from './index.js';
import { encodeSafetensors, decodeSafetensors } from '@scorefield/formats';

const core = await loadCore();
const images = (rows: number, d: number) => ({
  data: Float64Array.from({ length: rows * d }, (_, i) => (i % d < 3 ? 0 : Math.abs(Math.sin(i * 0.37)))),
  rows,
  cols: d,
});

describe('image data', () => {
  it('stores the image shape in the model file and reads it back; older files have none', () => {
    const t = new Trainer(core, images(40, 12), {
      loss: { name: 'dsm', sigma: 0.1 },
      hidden: [8],
      steps: 2,
      image: { width: 4, height: 3 },
    });
    t.run(2);
    const bytes = encodeModel(t.model);
    expect(decodeModel(core, bytes).image).toEqual({ width: 4, height: 3 });
    t.model.image = undefined;
    expect(decodeModel(core, encodeModel(t.model)).image).toBeUndefined();
    t.free();
  });

  it('refuses a stored shape that does not fit the dimension, with one line naming the field', () => {
    const t = new Trainer(core, images(40, 12), { loss: { name: 'dsm', sigma: 0.1 }, hidden: [8], steps: 1 });
    const { tensors, metadata } = decodeSafetensors(encodeModel(t.model));
    for (const [image, why] of [
      ['{"width":4,"height":4}', /metadata 'image': expected width x height = 12/],
      ['{"width":0,"height":12}', /metadata 'image'.width: expected an integer between 1 and 12/],
      ['[4,3]', /metadata 'image': expected a JSON object/],
    ] as const) {
      const bad = encodeSafetensors(tensors as never, { ...metadata, image });
      expect(() => decodeModel(core, bad, 'm.safetensors')).toThrow(why);
    }
    expect(() => new Trainer(core, images(40, 12), { image: { width: 5, height: 3 } })).toThrow(
      /5 x 3 = 15 pixels, but the points have dimension 12/,
    );
    t.free();
  });

  it('standardises images by one mean and std over every pixel (the default for images)', () => {
    const p = images(30, 12);
    const n = fitGlobalNormalization(p);
    const mean = p.data.reduce((s, v) => s + v, 0) / p.data.length;
    const std = Math.sqrt(p.data.reduce((s, v) => s + (v - mean) ** 2, 0) / p.data.length);
    expect(n.mean.every((m) => Math.abs(m - mean) < 1e-12)).toBe(true);
    expect(n.std.every((s) => Math.abs(s - std) < 1e-12)).toBe(true);
    expect(fitGlobalNormalization({ data: new Float64Array(24).fill(3), rows: 2, cols: 12 }).std[0]).toBe(1);
    const t = new Trainer(core, p, { loss: { name: 'dsm', sigma: 0.1 }, steps: 1, image: { width: 4, height: 3 } });
    expect(t.model.normalization.std).toEqual(n.std);
    expect(t.options.hidden).toEqual([128, 128, 128]);
    t.free();
    const wide = new Trainer(core, images(10, 100), { loss: { name: 'dsm', sigma: 0.1 }, steps: 1 });
    expect(wide.options.hidden).toEqual([256, 256, 256]);
    wide.free();
  });

  it('sigma_L: 4 x the nearest-neighbour distance up to 4 dimensions, 0.1 x NN / sqrt(d) above', () => {
    const scales = { maxDistance: 40, nearestNeighbour: 10, subsample: 1000 };
    expect(noiseLadder(scales, 2).sigmaMin).toBeCloseTo(Math.min(SIGMA_MIN_FACTOR * 10, 40 / 1.5), 10);
    expect(noiseLadder(scales, 784).sigmaMin).toBeCloseTo((0.1 * 10) / 28, 10);
  });
});

describe('noise conditioning by dimension', () => {
  it('score models up to 4 dimensions take Fourier features, ncsn ones above the Gaussian skip; energy models keep both', () => {
    expect(defaultConditioning('ncsn', 2)).toBe('fourier');
    expect(defaultConditioning('ncsn', 4)).toBe('fourier');
    expect(defaultConditioning('ncsn', 5)).toBe('gaussian');
    expect(defaultConditioning('ncsn', 196)).toBe('gaussian');
    expect(defaultConditioning('ncsn', 196, 'energy')).toBe('both');
    expect(defaultConditioning('continuous', 2)).toBe('fourier');
    expect(defaultConditioning('continuous', 2, 'energy')).toBe('both');
    expect(defaultConditioning('continuous', 196)).toBe('both');
    expect(defaultConditioning('dsm', 196)).toBe('none');
    expect(defaultConditioning('dsm', 2)).toBe('none');
  });

  it('a preconditioned model trains, denoises at sigma_1 like the skip term, and survives its file', () => {
    const t = new Trainer(core, images(64, 16), { loss: { name: 'ncsn' }, conditioning: 'precond', hidden: [16], steps: 50, seed: 3 });
    expect(t.model.spec.conditioning).toBe('precond');
    t.run(50);
    const back = decodeModel(core, encodeModel(t.model));
    expect(back.spec.conditioning).toBe('precond');
    // At sigma_1 the score is close to the skip term -x / (1 + sigma^2): the network's part is scaled by 1 / (sigma sqrt(1 + sigma^2)).
    const s1 = t.ladder!.sigmaMax,
      x = core.f32(
        16,
        Array.from({ length: 16 }, (_, i) => i / 4 - 2),
      ),
      out = core.f32(16);
    back.stepper(1).score(x, 1, s1, out);
    const skip = Array.from(x.view, (v) => -v / (1 + s1 * s1));
    const err = Math.hypot(...out.view.map((v, i) => v - skip[i])) / Math.hypot(...skip);
    expect(err).toBeLessThan(0.5);
    expect(Array.from(out.view).every(Number.isFinite)).toBe(true);
  });
});
