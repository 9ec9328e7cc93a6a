// vitest setup: every tfjs gradient registered (the union package, a devDependency: plain Node cannot import
// tfjs-core's register_all_gradients), tfjs's test mode (no Node.js banner, per-kernel memory-leak checks), cpu backend.
import '@tensorflow/tfjs';
import { tf, useBackend } from '../index.js';

tf.env().set('IS_TEST', true);
await useBackend('cpu');
