import { defineConfig } from 'drizzle-kit';

// One church's database. Applied to the template database, then to every existing tenant.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/tenant/schema.ts',
  out: './drizzle/tenant',
});
