import net from 'node:net';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { TenantDb } from '@/db/tenant';
import { reconnectBackoff } from '@/server/registry';
import type { TenantRoute } from './resolver';

/** One church's postgres.js pool as the connection manager keeps it. */
export type Pool = {
  tenantId: string;
  sql: postgres.Sql;
  db: TenantDb;
  leases: number;
  lastUsed: number;
  target: string;
  retired?: boolean;
  fresh?: boolean;
};

export type PoolSettings = { poolSize: number; idleSeconds: number; statementTimeoutMs?: number };

/** Server connections open now, and the most ever open at once: counted by the sockets themselves. */
export type SocketCounts = { openConnections: number; peakConnections: number };

/** A pool for the church at `route`; it connects lazily, on its first query. */
export function openPool(tenantId: string, route: TenantRoute, settings: PoolSettings, counts: SocketCounts): Pool {
  const sql = postgres({
    host: route.host,
    port: route.port,
    database: route.database,
    username: route.user,
    password: route.password,
    max: settings.poolSize,
    idle_timeout: settings.idleSeconds,
    connect_timeout: 5,
    backoff: reconnectBackoff,
    onnotice: () => {},
    ...(settings.statementTimeoutMs ? { connection: { statement_timeout: settings.statementTimeoutMs } } : {}),
    // Supported by postgres.js but missing from its types: our factory counts every server connection.
    ...({ socket: () => connectCounted(route.host, route.port, counts) } as object),
  });
  return {
    tenantId,
    sql,
    db: drizzle(sql),
    leases: 0,
    lastUsed: Date.now(),
    target: targetOf(route),
    fresh: true,
  };
}

/** Where a pool's connections go; a different target for the same church means it was moved or restored. */
export const targetOf = (r: TenantRoute) => `${r.host}:${r.port}/${r.database}`;

/**
 * Open the TCP socket ourselves so every server connection is counted, open and closed. The socket is handed over
 * at once, not as a promise: postgres.js (3.4) never frees a connection slot whose socket promise rejected, so a
 * church whose database refused a few connects would hang for good.
 */
function connectCounted(host: string, port: number, counts: SocketCounts): net.Socket {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  socket.once('connect', () => {
    counts.openConnections++;
    counts.peakConnections = Math.max(counts.peakConnections, counts.openConnections);
    socket.once('close', () => counts.openConnections--);
  });
  return socket;
}
