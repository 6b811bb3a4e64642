import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { registrySchema, type RegistryDb } from '@/db/registry';

export type Registry = { sql: postgres.Sql; db: RegistryDb };

/** The registry connection: routing and identity lookups, the job queue's rows, provisioning progress. */
export function createRegistry(url: string, max: number): Registry {
  const sql = postgres(url, { max, idle_timeout: 30, connect_timeout: 5, onnotice: () => {} });
  return { sql, db: drizzle(sql, { schema: registrySchema }) };
}
