import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'core-math', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
