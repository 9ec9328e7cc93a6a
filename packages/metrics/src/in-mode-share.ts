import { fail } from './errors.js';
import { checkPoints, show, type Points } from './points.js';

/** A mixture component: its centre and its (isotropic) standard deviation, in the samples' units. */
export interface ModeComponent {
  mean: ArrayLike<number>;
  std: number;
}

/** Options of {@link inModeShare}. */
export interface InModeShareOptions {
  /** A sample is in a mode when it lies within `radius` standard deviations of its centre (default 2). */
  radius?: number;
}

/**
 * The share of samples that lie within `radius` standard deviations of the centre of some component of
 * a Gaussian mixture (Euclidean distance, the component's own std). Samples smeared between the modes
 * (along a ring, into the gaps) fall outside every mode, so the share drops where MMD with a wide
 * bandwidth does not move; compare it with the same share of data drawn from the mixture (for a 2-D
 * component, 1 - exp(-radius^2 / 2) = 0.865 at radius 2). O(n K d) for n samples and K components.
 * see: Metz et al. 2017 (high-quality samples within a few standard deviations of a mode).
 */
export function inModeShare(samples: Points, components: readonly ModeComponent[], opts: InModeShareOptions = {}): number {
  const fn = 'inModeShare';
  const s = checkPoints(fn, 'samples', samples, 1);
  const d = s.cols;
  if (!Array.isArray(components) || components.length === 0) fail(fn, 'components must be a non-empty array of { mean, std }');
  components.forEach((c, k) => {
    if (!c || typeof c !== 'object' || !c.mean || c.mean.length !== d)
      fail(fn, `components[${k}].mean must have dimension ${d} (the samples')`);
    for (let j = 0; j < d; j++)
      if (typeof c.mean[j] !== 'number' || !Number.isFinite(c.mean[j]))
        fail(fn, `components[${k}].mean[${j}] is ${show(c.mean[j])}, expected a finite number`);
    if (typeof c.std !== 'number' || !(Number.isFinite(c.std) && c.std > 0))
      fail(fn, `components[${k}].std is ${show(c.std)}, expected a finite number > 0`);
  });
  const radius = opts.radius ?? 2;
  if (typeof radius !== 'number' || !(Number.isFinite(radius) && radius > 0))
    fail(fn, `radius must be a finite number > 0, got ${show(radius)}`);
  let inside = 0;
  for (let i = 0; i < s.rows; i++) {
    const hit = components.some((c) => {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += (s.data[i * d + j] - c.mean[j]) ** 2;
      return sq <= (radius * c.std) ** 2;
    });
    if (hit) inside++;
  }
  return inside / s.rows;
}
