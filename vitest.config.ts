import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit` (`npm run test:unit`): pure logic, no database, no env, parallel, seconds. `integration`
 * (`vitest run --project integration`): everything else under tests/, against the PostgreSQL in TEST_DATABASE_URL.
 * Failure tests have their own config (vitest.chaos.config.ts).
 */
export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 5_000, // a pure test that takes longer is stuck, not slow
          // Files share a thread and its module cache: half the CPU time. Safe while these tests mock no modules
          // (a test that does must undo it, as vi.stubEnv / vi.restoreAllMocks in afterEach do).
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          // INTEGRATION_EXCLUDE: files a run leaves out (scripts/test.ts's second-server pass), comma-separated.
          exclude: [
            'tests/chaos/**',
            'tests/unit/**',
            '**/node_modules/**',
            ...(process.env.INTEGRATION_EXCLUDE?.split(',').filter(Boolean) ?? []),
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false, // suites share one PostgreSQL server; each still uses its own registry
          pool: 'forks',
        },
      },
    ],
  },
});
