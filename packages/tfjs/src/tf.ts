/**
 * The one place that loads TensorFlow.js.
 *
 * tfjs-core does not register its gradient functions by itself: they live in
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, an ES module with extensionless relative imports
 * inside a package without `"type": "module"`, so plain Node cannot import it (and tfjs-core ships no
 * CommonJS build of it; its CommonJS bundle `tf-core.node.js` has no gradient configs at all).
 * The `@tensorflow/tfjs` union package does register every gradient, from its CommonJS bundle in Node
 * and from its ES build under bundlers (Vite, vitest, webpack), and all copies of tfjs-core share one
 * global gradient and kernel registry. So we import it; {@link ensureReady} also references it, so a
 * bundler cannot tree-shake the import away (this package is `sideEffects: false`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version as unionVersion } from '@tensorflow/tfjs';

export { tf };

let checked = false;

/**
 * Makes sure gradients are registered and a backend is selected: the first call selects the `cpu`
 * backend unless a backend is already active (chosen with {@link useBackend} or `tf.setBackend`).
 * Every public function of this package calls it; calling it yourself is harmless.
 */
export function ensureReady(): void {
  if (checked) return;
  if (!unionVersion || !version_cpu || tf.getGradient('Sum') === undefined || tf.getGradient('BatchMatMul') === undefined) {
    throw new Error('@scorefield/tfjs: tfjs gradient functions are not registered (expected @tensorflow/tfjs to register them)');
  }
  if (tf.engine().backendName == null) {
    // Synchronous for the cpu backend: setBackend only awaits backends with an async initializer.
    void tf.setBackend('cpu');
    if (tf.engine().backendName !== 'cpu') throw new Error('@scorefield/tfjs: could not select the tfjs cpu backend');
  }
  checked = true;
}

/**
 * Selects the tfjs backend used by this package (and by tfjs as a whole: the backend is global), e.g.
 * `'cpu'` (the default) or `'wasm'` after importing `@tensorflow/tfjs-backend-wasm`. Resolves once the
 * backend is initialized; rejects if it is not registered or fails to initialize.
 * The oracle tests use `'cpu'`: it computes in float32 storage with float64 element math.
 */
export async function useBackend(name: string): Promise<void> {
  ensureReady();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`@scorefield/tfjs: tfjs backend '${name}' failed to initialize`);
  await tf.ready();
}
