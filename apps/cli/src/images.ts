import { InputError } from '@scorefield/core-math';
import { loadMnistClassifier } from '@scorefield/datasets';
import type { ImageShape, ScoreModel } from '@scorefield/models';
import { imageGrid } from '@scorefield/plot';
import { MNIST, shapeText } from './data.js';

/** The image shape of a model, or one line saying that `what` needs one. */
export function imageShapeOf(model: ScoreModel, source: string, what: string): ImageShape {
  if (!model.image)
    throw new InputError(
      `${what} draws image models; ${source} has no image shape (train on --data mnist or an IDX file of images [n, height, width])`,
    );
  return model.image;
}

/** True when the fixed MNIST classifier can read this model's images: digits of MNIST at 28x28 or 14x14. */
export function readsAsMnist(model: ScoreModel): boolean {
  const s = model.image;
  return model.training?.data === MNIST && s !== undefined && s.width === s.height && (s.width === 28 || s.width === 14);
}

/**
 * The grey range of a set of images: from its 0.5th to its 99.5th percentile, widened to hold [0, 1] when the
 * images mostly lie there (MNIST pixels), so data and samples of such models share one scale.
 */
export function greyRange(images: ArrayLike<number>): [number, number] {
  const finite = Float64Array.from(images).filter(Number.isFinite).sort();
  if (finite.length === 0) return [0, 1];
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * finite.length))];
  let lo = at(0.005),
    hi = at(0.995);
  if (lo > -0.5 && hi < 1.5) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 1)];
  return hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
}

/** Captions from the MNIST classifier: the top class and its probability (`7 · 0.98`), for digit models. */
export async function digitCaptions(images: ArrayLike<number>, shape: ImageShape): Promise<string[]> {
  const cols = shape.width * shape.height;
  const rows = images.length / cols;
  const classifier = await loadMnistClassifier();
  const { probabilities } = classifier.run({ data: Float32Array.from(images, (v) => (Number.isFinite(v) ? v : 0)), rows, cols });
  return Array.from({ length: rows }, (_, i) => {
    const p = probabilities.data.subarray(i * 10, (i + 1) * 10);
    const top = p.indexOf(Math.max(...p));
    return `${top} · ${p[top].toFixed(2)}`;
  });
}

/** A grid of images of a model's shape: the title names what they are, the subtitle the shape and grey range. */
export function gridOf(
  images: ArrayLike<number>,
  shape: ImageShape,
  o: { title: string; subtitle: string; captions?: string[]; range?: [number, number]; note?: string },
): string {
  const range = o.range ?? greyRange(images);
  const fmt = (v: number) => Number(v.toPrecision(3));
  return imageGrid({
    title: o.title,
    subtitle: `${o.subtitle} · ${shapeText(shape)} · white ${fmt(range[0])}, black ${fmt(range[1])}`,
    images,
    imageWidth: shape.width,
    imageHeight: shape.height,
    range,
    ...(o.captions && { captions: o.captions }),
    ...(o.note && { note: o.note }),
  });
}

/** What `sample --mask` keeps: the coordinates of the top half of each image (rows 0 .. floor(height / 2) - 1). */
export const masks = { top: 'the top half of each image is given (held), the bottom half sampled' } satisfies Record<string, string>;

/** The held coordinates of a mask. */
export function maskCoords(_mask: keyof typeof masks, shape: ImageShape): number[] {
  const rows = Math.floor(shape.height / 2);
  return Array.from({ length: rows * shape.width }, (_, i) => i);
}
