import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema';

export { schema as registrySchema };
export type RegistryDb = PostgresJsDatabase<typeof schema>;
