import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';

/**
 * A Drizzle client bound to one church's database; `$client` is its postgres.js pool, for the few hot statements.
 * Built without the relational-query schema: nothing uses `db.query`, and building its config for every church's pool
 * cost 0.4 ms on the cold path (issue 17).
 */
export type TenantDb = PostgresJsDatabase & { $client: postgres.Sql };

/** The church a workflow acts for: its database and its id (for the registry, jobs and caches). */
export type ChurchScope = { db: TenantDb; tenantId: string };
