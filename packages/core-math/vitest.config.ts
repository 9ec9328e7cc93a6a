import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      // The tests run the sources: "#wasm" (package.json "imports": the built dist/ for users) is the Node reader in src.
      '#wasm': here('./src/wasm/read-file.ts'),
      '#spawn': here('./src/threads/spawn-node.ts'),
      // The oracle tests check the WASM core against @scorefield/tfjs, which depends on this package (one ModelSpec):
      // they load its sources directly, as a package dependency back would be a cycle.
      '@scorefield/tfjs': here('../tfjs/src/index.ts'),
    },
  },
  test: { name: 'core-math', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
