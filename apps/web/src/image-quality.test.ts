import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadMnist, loadMnistClassifier, MNIST_CLASSIFIER_FILE, MNIST_FILES } from '@scorefield/datasets';
import { classCoverage, createRng } from '@scorefield/metrics';
import { describe, expect, it } from 'vitest';
import { imageQuality, type ImageAssets, type ImageQuality } from './image-quality.js';

const require = createRequire(import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(require.resolve(`@scorefield/datasets/${path}`)));
const assets: ImageAssets = {
  classifier: read(MNIST_CLASSIFIER_FILE),
  testImages: read(MNIST_FILES.test.images),
  testLabels: read(MNIST_FILES.test.labels),
};

describe('image metrics of the page (as scorefield eval --samples)', async () => {
  // The run's digits: the first 500 train digits (the first 64 are KID's floor, all of them memorisation's reference).
  const train = (await loadMnist({ imageSize: 14, limit: 500 })).data;
  const real = await loadMnist({ split: 'train', imageSize: 14, limit: 564 });
  const ref = { kind: 'mnist' as const, imageSize: 14 as const, train };
  // 64 real digits the metrics have not seen (train digits 500-563), and the same with N(0, 0.3^2) noise on every pixel.
  const digits = real.data.slice(500 * 196);
  const rng = createRng(3);
  const noisy = digits.map((v) => v + 0.3 * rng.normal());

  it('real digits: KID at its floor, the classes of their labels, the top-class probability of the test digits', async () => {
    const q = imageQuality(digits, ref, assets) as ImageQuality;
    expect(typeof q).toBe('object');
    console.log(`real: KID ${q.kid.toFixed(4)} ± ${q.kidError.toFixed(4)} (floor ${q.floor.toFixed(4)} ± ${q.floorError.toFixed(4)})`);
    expect(Math.abs(q.kid)).toBeLessThan(3 * q.kidError + 0.02);
    expect(Math.abs(q.floor)).toBeLessThan(3 * q.floorError + 0.02);
    // The classes are interleaved: train digits 500-563 hold 7 of classes 0-3 and 6 of the others.
    const labels = real.labels.subarray(500);
    const labelShares = Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length / 64);
    expect(q.shares.map((v, c) => Math.abs(v - labelShares[c])).reduce((a, b) => a + b)).toBeLessThanOrEqual(4 / 64);
    expect(q.minShare).toBe(Math.min(...q.shares));
    // Each sample's top class (the grid's captions): the shares and the mean top-class probability are theirs.
    expect(q.top).toHaveLength(64);
    for (let c = 0; c < 10; c++) expect(q.top.filter((t) => t === c).length / 64).toBe(q.shares[c]);
    expect(q.topProbability.reduce((a, b) => a + b) / 64).toBeCloseTo(q.meanTop, 12);
    expect(q.top.filter((t, i) => t === labels[i]).length).toBeGreaterThanOrEqual(62);
    expect(q.meanTop).toBeGreaterThan(0.95 * q.heldOutMeanTop);
    // The test split's own, by the package's loaders (not the page's bytes).
    const test = (await loadMnistClassifier()).run(await loadMnist({ split: 'test', imageSize: 14 }));
    expect(q.heldOutMeanTop).toBe(classCoverage(test.probabilities).meanTopProbability);
    // Unseen digits are as far from the training digits as the test digits are.
    console.log(`real: memorisation ratio ${q.memorisation.ratio.toFixed(3)}, closer share ${q.memorisation.closerShare.toFixed(3)}`);
    expect(q.memorisation.ratio).toBeGreaterThan(0.85);
    expect(q.memorisation.ratio).toBeLessThan(1.15);
    expect(q.memorisation.closerShare).toBeLessThan(0.2);
  });

  it('copies of training digits: memorisation ratio 0, every sample closer than the test digits', () => {
    const copies = train.slice(100 * 196, 164 * 196);
    const q = imageQuality(copies, ref, assets) as ImageQuality;
    expect(q.memorisation).toEqual({ ratio: 0, closerShare: 1 });
    // Half copies, half unseen digits: the median hides them, the closer share does not.
    const half = Float32Array.from([...train.slice(0, 32 * 196), ...digits.slice(0, 32 * 196)]);
    const h = imageQuality(half, ref, assets) as ImageQuality;
    expect(h.memorisation.closerShare).toBeGreaterThanOrEqual(0.5);
  });

  it('noised digits: KID far above its floor', () => {
    const q = imageQuality(noisy, ref, assets) as ImageQuality;
    const r = imageQuality(digits, ref, assets) as ImageQuality;
    console.log(`noisy: KID ${q.kid.toFixed(4)} ± ${q.kidError.toFixed(4)}`);
    expect(q.kid).toBeGreaterThan(r.kid + 3 * q.kidError);
    // Noisy digits lie off the data, farther from every training digit than unseen digits are.
    console.log(`noisy: memorisation ratio ${q.memorisation.ratio.toFixed(3)}, closer share ${q.memorisation.closerShare}`);
    expect(q.memorisation.ratio).toBeGreaterThan(1.2 * r.memorisation.ratio);
    expect(q.memorisation.closerShare).toBe(0);
    expect(q.floor).toBe(r.floor); // the same train digits, the same seed
  });

  it('says why when the samples cannot be measured', () => {
    const bad = digits.slice();
    bad[5] = Number.NaN;
    expect(imageQuality(bad, ref, assets)).toBe('the samples are not all finite numbers');
    expect(imageQuality(digits.slice(0, 19 * 196), ref, assets)).toBe('KID needs at least 20 samples, got 19');
    expect(imageQuality(digits, { ...ref, train: train.slice(0, 63 * 196) }, assets)).toBe(
      'the KID floor needs 64 train digits of 196 pixels',
    );
  });
});
