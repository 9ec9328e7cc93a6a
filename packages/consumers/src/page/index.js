// The page's entry: runs run.js and leaves the result (or the error) on window for the test.
import { run } from './run.js';

run().then(
  (result) => {
    window.result = result;
  },
  (e) => {
    window.result = { error: String(e?.stack ?? e) };
  },
);
