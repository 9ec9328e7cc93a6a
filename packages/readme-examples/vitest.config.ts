import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'readme-examples', include: ['src/**/*.test.ts'] },
});
