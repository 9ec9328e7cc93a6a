import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The tests run the sources: "#package-file" (package.json "imports": the built dist/ for users) is the Node reader in src.
    alias: { '#package-file': fileURLToPath(new URL('./src/files/read-file.ts', import.meta.url)) },
  },
  test: { name: 'datasets', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
