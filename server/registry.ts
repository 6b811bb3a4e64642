import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { registrySchema, type RegistryDb } from '@/db/registry';
import { hasCause } from './errors';

export type Registry = { sql: postgres.Sql; db: RegistryDb };

/** The registry connection: routing and identity lookups, the job queue's rows, provisioning progress. */
export function createRegistry(url: string, max: number, timeoutMs: number): Registry {
  const sql = postgres(url, {
    max,
    idle_timeout: 30,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    // A stalled registry must fail requests, not hold them: no statement may run longer than a few deadlines.
    connection: { statement_timeout: timeoutMs * 3 },
    onnotice: () => {},
  });
  return { sql, db: drizzle(sql, { schema: registrySchema }) };
}

const outageCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', '57014', '57P01', '57P02', '57P03', '53300']);

/** True when an error means the registry is down or too slow (not a bad query): callers answer "try again". */
export const isRegistryOutage = (err: unknown) => hasCause(err, (e) => !!e.code && (outageCodes.has(e.code) || e.code.startsWith('08')));
