import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'consumers',
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
