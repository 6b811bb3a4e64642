import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/chaos/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false, // suites share one PostgreSQL server; each still uses its own registry
    pool: 'forks',
  },
});
