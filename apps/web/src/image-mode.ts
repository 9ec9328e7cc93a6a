/**
 * Image mode (data=mnist): where the page's digits come from, what image samples are measured against, and the
 * controls that are for 2-D data only (hidden or disabled, with the reason said beside them).
 */
import type { Elements } from './elements.js';
import { pageMnistFiles } from './mnist-subset.js';
import type { MnistSource } from './protocol.js';
import type { Reference } from './sample-quality.js';
import { imageMode, type AppState } from './state.js';

/** The page's MNIST digits for a state: its first `dataSize` digits at its image size (absolute URLs for the worker). */
export function mnistSource(s: AppState, base = document.baseURI): MnistSource {
  const url = (path: string) => new URL(path, base).href;
  return {
    kind: 'mnist',
    images: url(pageMnistFiles.images),
    labels: url(pageMnistFiles.labels),
    imageSize: s.imageSize,
    limit: s.dataSize,
  };
}

/**
 * What image samples are measured against: the test split at the state's size and the digits the run trains on
 * (the job worker loads both).
 */
export function imageReference(s: AppState): Reference {
  return { kind: 'mnist', digits: mnistSource(s) };
}

/** The label of the data in image mode: `mnist 14×14`. */
export function imageDataLabel(s: AppState): string {
  return `mnist ${s.imageSize}×${s.imageSize}`;
}

const PLANE_LABEL = 'The learned score field as arrows over a heat map, with the data points and sampled particles';
const GRID_LABEL = 'An 8 by 8 grid of images: the samples as they form, or the training digits';

/** Shows image mode's controls and hides or disables the 2-D ones (with why), as the state asks. */
export function syncImageControls(el: Elements, s: AppState): void {
  const images = imageMode(s);
  el.draw.hidden = images;
  el.clearDrawn.hidden = images;
  el.digitsToggle.hidden = !images;
  // The heat map, the arrows and the points are drawn on a plane: there is none in image mode.
  el.layers.disabled = images;
  el.layersNote.hidden = !images;
  el.view.setAttribute('aria-label', images ? GRID_LABEL : PLANE_LABEL);
  el.levelA.disabled = images;
  el.levelA.title = images ? 'image mode has no field to draw at a level: the slider follows the sampler as it anneals' : '';
}
