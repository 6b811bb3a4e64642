import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { registrySchema, type RegistryDb } from '@/db/registry';
import { errorKind, hasCause } from './errors';

/**
 * `timeoutMs`: REGISTRY_TIMEOUT_MS, carried with the connection so a call gives itself that deadline (withDeadline).
 */
export type Registry = { sql: postgres.Sql; db: RegistryDb; timeoutMs: number };

/** The registry connection: routing and identity lookups, the job queue's rows, provisioning progress. */
export function createRegistry(url: string, max: number, timeoutMs: number): Registry {
  const sql = postgres(url, {
    max,
    idle_timeout: 30,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    // A stalled registry must fail requests, not hold them: no statement may run longer than a few deadlines.
    connection: { statement_timeout: timeoutMs * 3 },
    backoff: reconnectBackoff,
    onnotice: () => {},
  });
  return { sql, db: drizzle(sql, { schema: registrySchema }), timeoutMs };
}

/**
 * Seconds before reconnecting after a failed connect: postgres.js's default grows to 20 s and is shared by the whole
 * pool, which keeps requests waiting long after a database is back. Capped at half a second instead.
 */
export const reconnectBackoff = (attempt: number) => Math.min(0.05 * 2 ** attempt, 0.5);

// 3D000: the database does not exist (dropped, or mid-swap); 55000: it does not accept connections right now;
// 40001/40P01: a serialization failure or deadlock, which the next try does not meet.
const outageCodes = new Set([
  '3D000',
  '55000',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '40001',
  '40P01',
]);

/**
 * True when an error means a database (the registry or a church's) is down or too slow, not a bad query: "try again".
 */
export const isDatabaseOutage = (err: unknown) =>
  hasCause(err, (e) => !!e.code && (outageCodes.has(e.code) || e.code.startsWith('08')));

/** The registry did not answer in time, or not at all: requests fail fast instead of hanging. */
export class RegistryUnavailableError extends errorKind('RegistryUnavailable') {
  constructor(cause?: unknown) {
    super('registry unavailable', { cause });
  }
}

/**
 * Reject after `ms`. No answer in time, or an outage (isDatabaseOutage), becomes RegistryUnavailableError ("busy, try
 * again"); any other error is the query's own (a unique violation, a bug) and is rethrown as it is.
 */
export async function withDeadline<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RegistryUnavailableError(new Error(`no answer in ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([Promise.resolve(work), deadline]);
  } catch (err) {
    throw isDatabaseOutage(err) && !RegistryUnavailableError.is(err) ? new RegistryUnavailableError(err) : err;
  } finally {
    clearTimeout(timer);
  }
}
