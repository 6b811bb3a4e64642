import path from 'node:path';
import { defineConfig } from 'vitest/config';

/** `npm run test:chaos`: failure tests. Each brings up its own PostgreSQL, Redis and processes, and breaks them. */
export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['tests/chaos/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
