import { defineConfig } from 'vitest/config';

/** `pnpm --filter @scorefield/web targets`: the measurement of the page's defaults (targets/), not part of `npm test`. */
export default defineConfig({
  test: { name: 'web-targets', include: ['targets/**/*.targets.ts'] },
});
