import { ConfigError, loadConfig } from '../server/config';
import { prepareDatabases } from '../server/tenancy/setup';

/** `npm run db:migrate`: registry, queue tables, template, and every existing church's database. */
try {
  const { DATABASE_URL } = loadConfig();
  await prepareDatabases(DATABASE_URL);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Migration failed: ${(err as Error).message}`);
  process.exit(1);
}
