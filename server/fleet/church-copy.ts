import { and, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { dbServers, tenants, type Tenant } from '@/db/registry/schema';
import type { Services } from '@/server/services';
import type { Sql } from '@/server/tenancy/cluster';
import { latestTenantVersion, migrateTenantDatabase } from '@/server/tenancy/migrator';
import { ident } from '@/server/tenancy/naming';
import { withDatabase } from '@/server/tenancy/urls';
import { whileLocked } from './advisory-lock';
import { FleetError } from './pg-tools';

/**
 * The steps a restore (backup.ts) and a move (move.ts) share to put a copy of a church's database in place: the
 * church's registry row and its lock, its status, the empty database a dump is restored into, and how a restored
 * database is brought up to date and opened to its church.
 */
export type Status = Tenant['status'];

/** A restore or move keeps the status the church had; other statuses have no database worth copying. */
export const copyable: Status[] = ['active', 'suspended', 'closed'];

export async function loadChurch(services: Pick<Services, 'registry'>, tenantId: string) {
  const [row] = await services.registry.db
    .select({ tenant: tenants, server: dbServers })
    .from(tenants)
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .where(eq(tenants.id, tenantId));
  if (!row) throw new FleetError(`no church with id ${tenantId}`);
  return row;
}

/** One restore or move per church at a time, across processes: a session advisory lock on the registry. */
export async function withChurchLock<T>(
  services: Pick<Services, 'naming' | 'registry'>,
  tenantId: string,
  fn: () => Promise<T>,
): Promise<T> {
  const conn = await services.registry.sql.reserve();
  const busy = () => new FleetError(`another restore or move of church ${tenantId} is running`);
  try {
    return await whileLocked(conn, `${services.naming.prefix}:fleet:${tenantId}`, busy, fn);
  } finally {
    conn.release();
  }
}

/** Conditional status change: false when someone else changed it meanwhile. */
export async function setStatus(services: Pick<Services, 'registry'>, tenantId: string, from: Status, to: Status) {
  const rows = await services.registry.db
    .update(tenants)
    .set({ status: to, updatedAt: new Date() })
    .where(and(eq(tenants.id, tenantId), eq(tenants.status, from)))
    .returning({ id: tenants.id });
  return rows.length > 0;
}

/** An empty database for pg_restore, closed to everyone until its church is granted CONNECT. */
export async function createEmptyDatabase(sql: Sql, name: string) {
  await sql.unsafe(`create database ${ident(name)} template template0`);
  await sql.unsafe(`revoke all on database ${ident(name)} from public`);
}

/** The church's login role may enter its database, and nobody else may (as provisioning leaves it). */
export async function openToChurch(sql: Sql, database: string, role: string) {
  await sql.unsafe(`revoke all on database ${ident(database)} from public`);
  await sql.unsafe(`grant connect, temporary on database ${ident(database)} to ${ident(role)}`);
}

/** Tenant migrations recorded in a database: its schema version. */
export async function schemaVersionOf(adminUrl: string, database: string) {
  const sql = postgres(withDatabase(adminUrl, database), { max: 1, onnotice: () => {} });
  try {
    const [t] = await sql`select to_regclass('drizzle.__tenant_migrations') as t`;
    if (!t?.t) return 0;
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__tenant_migrations`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Migrate a restored database to the latest version; this also grants the tenant group its table rights again. */
export async function bringUpToDate(services: Pick<Services, 'naming'>, adminUrl: string, database: string) {
  const found = await schemaVersionOf(adminUrl, database);
  const latest = latestTenantVersion();
  if (found > latest)
    throw new FleetError(
      `the dump is at schema version ${found}, newer than this release's ${latest}: restore it with a newer release`,
    );
  return migrateTenantDatabase(adminUrl, database, services.naming.tenantGroup);
}
