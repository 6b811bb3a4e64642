import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema';

export { schema as tenantSchema };
/** A Drizzle client bound to one church's database. */
export type TenantDb = PostgresJsDatabase<typeof schema>;
