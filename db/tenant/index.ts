import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import * as schema from './schema';

export { schema as tenantSchema };
/** A Drizzle client bound to one church's database; `$client` is its postgres.js pool, for the few hot statements. */
export type TenantDb = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** The church a workflow acts for: its database and its id (for the registry, jobs and caches). */
export type ChurchScope = { db: TenantDb; tenantId: string };
