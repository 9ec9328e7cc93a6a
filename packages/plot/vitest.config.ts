import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'plot', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
