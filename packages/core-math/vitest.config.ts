import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The tests run the sources: "#wasm" (package.json "imports", the built dist/ for users) is the Node reader in src.
  resolve: { alias: { '#wasm': fileURLToPath(new URL('./src/wasm/read-file.ts', import.meta.url)) } },
  test: { name: 'core-math', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
