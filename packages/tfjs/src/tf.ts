/**
 * The one place that loads TensorFlow.js: `@tensorflow/tfjs-core` and the cpu backend, both peer dependencies,
 * so the application's copy is the one used (one kernel registry, no "already registered" warnings).
 *
 * tfjs-core does not register its gradient functions by itself. They come from whatever sets tfjs up:
 * `@tensorflow/tfjs` or `@tensorflow/tfjs-node` register all of them; under a bundler (Vite, webpack, esbuild)
 * `import '@tensorflow/tfjs-core/dist/register_all_gradients'` does too. Plain Node cannot import that module
 * (extensionless ES imports in a package that is not `"type": "module"`), so this package does not import it:
 * forward passes need no gradients, and the functions that differentiate call {@link ensureGradients}, which
 * says what to import when they are missing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';

export { tf };

let checked = false;

/**
 * Makes sure a backend is selected: the first call selects the `cpu` backend unless a backend is already
 * active (chosen with {@link useBackend} or `tf.setBackend`). Every public function of this package calls it;
 * calling it yourself is harmless.
 */
export function ensureReady(): void {
  if (checked) return;
  if (!version_cpu) throw new Error('@scorefield/tfjs: @tensorflow/tfjs-backend-cpu did not load');
  if (tf.engine().backendName == null) {
    // Synchronous for the cpu backend: setBackend only awaits backends with an async initializer.
    void tf.setBackend('cpu');
    if (tf.engine().backendName !== 'cpu') throw new Error('@scorefield/tfjs: could not select the tfjs cpu backend');
  }
  checked = true;
}

/** Throws a one-line error naming what to import when tfjs's gradient functions are not registered. */
export function ensureGradients(): void {
  if (tf.getGradient('BatchMatMul') !== undefined && tf.getGradient('Sum') !== undefined) return;
  throw new Error(
    "@scorefield/tfjs: tfjs gradient functions are not registered; import '@tensorflow/tfjs' (or '@tensorflow/tfjs-node') " +
      "once before differentiating, or under a bundler '@tensorflow/tfjs-core/dist/register_all_gradients'",
  );
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
