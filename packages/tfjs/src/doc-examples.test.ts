import { fileURLToPath } from 'node:url';
import { testReadme } from '@scorefield/readme-examples';
import { afterEach, beforeAll } from 'vitest';
import { tf, useBackend } from './index.js';

// The examples run as a user's program would: without the test mode that src/testing/setup.ts turns on for the
// other tests (its per-kernel leak check misreads the inputs a custom gradient saves on the wasm backend), and
// each starting on the default cpu backend (the backend is global; an example may switch it).
beforeAll(() => {
  tf.env().set('IS_TEST', false);
});
afterEach(async () => {
  await useBackend('cpu');
});

testReadme(fileURLToPath(new URL('..', import.meta.url)));
