/**
 * The job worker: decodes the model file the training worker wrote (the bytes `scorefield sample` would
 * read) and samples it (sampling.ts), or computes its ODE density on the view's grid (density.ts), while
 * training goes on in the training worker. The page stops a job by terminating this worker. Image samples are
 * measured on the MNIST classifier and test split of @scorefield/datasets, fetched once (static files of the build),
 * and against the digits the run trained on.
 */
import classifierUrl from '@scorefield/datasets/assets/mnist-classifier.safetensors?url';
import testImagesUrl from '@scorefield/datasets/data/mnist-test-images.idx3-ubyte?url';
import testLabelsUrl from '@scorefield/datasets/data/mnist-test-labels.idx1-ubyte?url';
import { decodeModel } from '@scorefield/models';
import { gridDensity } from './density.js';
import { loadMnistRunData } from './image-data.js';
import type { ImageAssets } from './image-quality.js';
import type { FromJob, ToJob } from './protocol.js';
import { sampleForView, type ImageInputs } from './sampling.js';
import { loadWasmCore } from './wasm-core.js';

const scope = self as unknown as Worker;
const post = (msg: FromJob, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
const core = loadWasmCore();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching ${url} failed with HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

let assets: Promise<ImageAssets> | null = null;
/** The classifier and the test split (1.2 MB), fetched when image samples are first measured. */
function imageAssets(): Promise<ImageAssets> {
  assets ??= Promise.all([classifierUrl, testImagesUrl, testLabelsUrl].map(fetchBytes)).then(([classifier, testImages, testLabels]) => ({
    classifier,
    testImages,
    testLabels,
  }));
  return assets;
}

/** The image assets and the digits the run trained on (the page's files, as the training worker loads them). */
const imageInputs: ImageInputs = (digits) =>
  Promise.all([imageAssets(), loadMnistRunData(digits, null)]).then(([a, d]) => ({ assets: a, train: d.points.data as Float32Array }));

scope.onmessage = async (ev: MessageEvent<ToJob>) => {
  const m = ev.data;
  try {
    const c = await core;
    const model = decodeModel(c, m.bytes, 'the trained model');
    try {
      if (m.type === 'sample') {
        await sampleForView(c, model, m.request, m.reference, { run: m.run, step: m.step }, post, imageInputs);
      } else {
        const logp = gridDensity(model, m.range, m.grid);
        post({ type: 'density-done', run: m.run, step: m.step, range: m.range, grid: m.grid, logp }, [logp.buffer]);
      }
    } finally {
      model.free();
    }
  } catch (e) {
    post({ type: 'job-error', run: m.run, message: e instanceof Error ? e.message : String(e) });
  }
};
