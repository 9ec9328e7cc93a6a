import { readFileSync } from 'node:fs';
import { encodeSafetensors } from '@scorefield/formats';
import { describe, expect, it } from 'vitest';
import { decodeMnistClassifier, loadMnistClassifier, MNIST_CLASSIFIER_FILE } from './classifier.js';
import { DatasetError } from './errors.js';
import { loadMnist } from './mnist.js';
import { readPackageFile } from '#package-file';

/** Written by scripts/train_classifier.py: PyTorch's float32 features and probabilities of a few test digits. */
interface Fixture {
  test_accuracy: number;
  test_accuracy_14: number;
  cases: { imageSize: 28 | 14; testIndex: number; label: number; features: number[]; probabilities: number[] }[];
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('../test/classifier-fixture.json', import.meta.url), 'utf8'));

function accuracy(probabilities: { data: Float64Array; rows: number; cols: number }, labels: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < probabilities.rows; i++) {
    const row = Array.from(probabilities.data.subarray(i * probabilities.cols, (i + 1) * probabilities.cols));
    if (row.indexOf(Math.max(...row)) === labels[i]) right++;
  }
  return right / probabilities.rows;
}

describe('MNIST classifier', async () => {
  const classifier = await loadMnistClassifier();

  it('reproduces the PyTorch forward pass (features and probabilities, 28x28 and 14x14 upsampled)', async () => {
    expect([classifier.featureDim, classifier.classes]).toEqual([128, 10]);
    expect(classifier.featureScale).toBeGreaterThan(0);
    expect(fixture.cases.filter((c) => c.imageSize === 14).length).toBeGreaterThan(0);
    for (const size of [28, 14] as const) {
      const test = await loadMnist({ split: 'test', imageSize: size });
      for (const c of fixture.cases.filter((k) => k.imageSize === size)) {
        expect(test.labels[c.testIndex]).toBe(c.label);
        const image = test.data.subarray(c.testIndex * test.cols, (c.testIndex + 1) * test.cols);
        const { features, probabilities } = classifier.run({ data: image, rows: 1, cols: test.cols });
        // float64 here, float32 in PyTorch: agreement to float32 rounding of sums of ~800 terms
        c.features.forEach((v, k) => expect(Math.abs(features.data[k] - v)).toBeLessThan(2e-5 * (1 + Math.abs(v))));
        c.probabilities.forEach((v, k) => expect(Math.abs(probabilities.data[k] - v)).toBeLessThan(2e-6));
      }
    }
  });

  it('has the recorded test accuracy on the held-out split (at least 97%), at 28x28 and at 14x14', async () => {
    for (const [size, recorded] of [
      [28, fixture.test_accuracy],
      [14, fixture.test_accuracy_14],
    ] as const) {
      const test = await loadMnist({ split: 'test', imageSize: size });
      const acc = accuracy(classifier.run(test).probabilities, test.labels);
      // the same digits right as in PyTorch, give or take a near-tie decided by float32 rounding there
      expect(Math.abs(acc - recorded)).toBeLessThanOrEqual(1 / test.rows + 1e-12);
      expect(acc).toBeGreaterThanOrEqual(0.97);
      expect(Number(classifier.metadata[size === 28 ? 'test_accuracy' : 'test_accuracy_14'])).toBeCloseTo(recorded, 6);
    }
  });

  it('gives the same bits for an image alone or in a batch; probabilities sum to 1', async () => {
    const test = await loadMnist({ split: 'test', limit: 12 });
    const batch = classifier.run(test);
    expect(batch.features).toMatchObject({ rows: 12, cols: 128 });
    expect(batch.probabilities).toMatchObject({ rows: 12, cols: 10 });
    for (let i = 0; i < 12; i++) {
      const one = classifier.run({ data: test.data.subarray(i * 784, (i + 1) * 784), rows: 1, cols: 784 });
      expect(Array.from(one.features.data)).toEqual(Array.from(batch.features.data.subarray(i * 128, (i + 1) * 128)));
      expect(Array.from(one.probabilities.data)).toEqual(Array.from(batch.probabilities.data.subarray(i * 10, (i + 1) * 10)));
      expect(one.probabilities.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    expect(classifier.run({ data: [], rows: 0, cols: 784 }).features.rows).toBe(0);
  });

  it('refuses images of another size, ragged data and non-finite pixels with one line', () => {
    const bad: [() => unknown, string][] = [
      [
        () => classifier.run({ data: new Float32Array(64), rows: 1, cols: 64 }),
        'mnistClassifier: images have 64 pixels, expected 784 (28x28) or 196 (14x14)',
      ],
      [
        () => classifier.run({ data: new Float32Array(780), rows: 1, cols: 784 }),
        'mnistClassifier: 780 pixel values do not make 1 images of 784',
      ],
      [
        () => classifier.run({ data: new Float32Array(196).fill(Number.NaN), rows: 1, cols: 196 }),
        'mnistClassifier: image 0 has a non-finite pixel NaN',
      ],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrow(DatasetError);
      expect(f).toThrow(message);
    }
  });

  it('refuses a weights file with a missing tensor or shapes that do not chain', async () => {
    const t = (shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const good = {
      'conv1.weight': t([8, 1, 3, 3]),
      'conv1.bias': t([8]),
      'conv2.weight': t([16, 8, 3, 3]),
      'conv2.bias': t([16]),
      'fc1.weight': t([128, 784]),
      'fc1.bias': t([128]),
      'fc2.weight': t([10, 128]),
      'fc2.bias': t([10]),
      feature_scale: { dtype: 'F32' as const, shape: [1], data: Float32Array.of(2) },
    };
    expect(decodeMnistClassifier(encodeSafetensors(good)).featureDim).toBe(128);
    const { 'fc2.bias': _, ...missing } = good;
    expect(() => decodeMnistClassifier(encodeSafetensors(missing))).toThrow('mnist-classifier.safetensors: missing tensor fc2.bias');
    expect(() => decodeMnistClassifier(encodeSafetensors({ ...good, 'fc1.weight': t([128, 700]) }))).toThrow(
      'mnist-classifier.safetensors: fc1 has weight [128, 700] and bias [128], expected [outputs, 784] and [outputs]',
    );
    expect(() => decodeMnistClassifier(encodeSafetensors({ ...good, 'conv2.weight': t([16, 4, 3, 3]) }))).toThrow(
      'mnist-classifier.safetensors: conv2 has weight [16, 4, 3, 3] and bias [16], expected [outputs, 8, 3, 3] and [outputs]',
    );
    const { feature_scale: __, ...unscaled } = good;
    expect(() => decodeMnistClassifier(encodeSafetensors(unscaled))).toThrow(
      'mnist-classifier.safetensors: missing tensor feature_scale (one positive number)',
    );
    expect((await readPackageFile(MNIST_CLASSIFIER_FILE)).length).toBeGreaterThan(400_000);
  });
});
