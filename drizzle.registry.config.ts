import { defineConfig } from 'drizzle-kit';

// The registry: routing and identity only. Its migrations table is its own (see db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/registry/schema.ts',
  out: './drizzle/registry',
});
