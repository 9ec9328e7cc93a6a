// vitest setup: tfjs's test mode (no Node.js banner, per-kernel memory-leak checks) on the cpu backend.
import { tf, useBackend } from '../index.js';

tf.env().set('IS_TEST', true);
await useBackend('cpu');
