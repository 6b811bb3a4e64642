import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { dbServers, tenants, type DbServer, type Tenant } from '@/db/registry/schema';
import type { Services } from '@/server/services';
import { whileLocked } from './advisory-lock';
import { databaseExists, dropDatabase, type Sql } from '@/server/tenancy/cluster';
import { latestTenantVersion, migrateTenantDatabase } from '@/server/tenancy/migrator';
import { ident, type Naming } from '@/server/tenancy/naming';
import { withDatabase } from '@/server/tenancy/urls';
import { wakeInbound } from './lifecycle';
import { dumpToFile, FleetError, readArchive, restoreArchive, toolsFor } from './pg-tools';

/** The parts of Services this module uses. */
type Deps = Pick<
  Services,
  'billing' | 'cluster' | 'config' | 'connections' | 'messaging' | 'naming' | 'registry' | 'resolver'
>;

/**
 * A church's database as a file and back: `backupChurch` writes a pg_dump archive, `restoreChurch` restores one into
 * a spare database beside the live one and swaps it in. Also the pieces `move.ts` shares: the per-church lock, the
 * recovery marker, and how a restored database is brought up to date and opened to its church.
 */
export type Status = Tenant['status'];
export type RestoreFault = 'before:swap' | 'after:drop';

/** A restore or move keeps the status the church had; other statuses have no database worth copying. */
export const copyable: Status[] = ['active', 'suspended', 'closed'];

export async function loadChurch(services: Deps, tenantId: string) {
  const [row] = await services.registry.db
    .select({ tenant: tenants, server: dbServers })
    .from(tenants)
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .where(eq(tenants.id, tenantId));
  if (!row) throw new FleetError(`no church with id ${tenantId}`);
  return row;
}

/** One restore or move per church at a time, across processes: a session advisory lock on the registry. */
export async function withChurchLock<T>(services: Deps, tenantId: string, fn: () => Promise<T>): Promise<T> {
  const conn = await services.registry.sql.reserve();
  const busy = () => new FleetError(`another restore or move of church ${tenantId} is running`);
  try {
    return await whileLocked(conn, `${services.naming.prefix}:fleet:${tenantId}`, busy, fn);
  } finally {
    conn.release();
  }
}

/**
 * What an unfinished restore or move needs to resume, kept as the database's COMMENT on the database server itself:
 * it survives a crash and goes wherever the database goes (rename, drop), so the registry needs no extra column.
 * restore/move: on the live database, the status to return to. moved: on a move's copy, where the old one was.
 */
export type Marker =
  | { op: 'restore'; previous: Status; file: string }
  | { op: 'move'; previous: Status; to: number }
  | { op: 'moved'; from: number };
const MARK = 'steeple-fleet:';

export async function readMarker(sql: Sql, database: string): Promise<Marker | null> {
  const [row] = await sql<
    { c: string | null }[]
  >`select shobj_description(oid, 'pg_database') as c from pg_database where datname = ${database}`;
  return row?.c?.startsWith(MARK) ? (JSON.parse(row.c.slice(MARK.length)) as Marker) : null;
}

export async function writeMarker(sql: Sql, database: string, marker: Marker | null) {
  const text = marker ? `'${(MARK + JSON.stringify(marker)).replace(/'/g, "''")}'` : 'null';
  await sql.unsafe(`comment on database ${ident(database)} is ${text}`);
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
async function schemaVersionOf(adminUrl: string, database: string) {
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
export async function bringUpToDate(services: Deps, adminUrl: string, database: string) {
  const found = await schemaVersionOf(adminUrl, database);
  const latest = latestTenantVersion();
  if (found > latest)
    throw new FleetError(
      `the dump is at schema version ${found}, newer than this release's ${latest}: restore it with a newer release`,
    );
  return migrateTenantDatabase(adminUrl, database, services.naming.tenantGroup);
}

/**
 * A move switched over but has not removed the old copy yet: its marker must not be lost to a restore or another move.
 */
export const unfinishedMove = (slug: string, serverName: string) =>
  `${slug}'s last move has not removed its old copy yet: run \`move ${slug} ${serverName}\` again first`;

const spareDatabase = (naming: Naming, tenantId: string) => `${naming.prefix}_x_${tenantId.replace(/-/g, '')}`;
const stamp = () => new Date().toISOString().replace(/[-:]/g, ''); // 20261123T192850.123Z: sorts, and is unique enough

/** pg_dump -Fc of the church's database into `dir` (BACKUP_DIR by default) as `<slug>-<UTC time>-v<version>.dump`. */
export async function backupChurch(services: Deps, tenantId: string, opts: { dir?: string } = {}) {
  const started = Date.now();
  const { tenant, server } = await loadChurch(services, tenantId);
  if (!(await databaseExists(services.cluster.sql(server), tenant.dbName)))
    throw new FleetError(`${tenant.slug} has no database to back up (status ${tenant.status})`);
  const tools = await toolsFor(services, [server]);
  const dir = path.resolve(opts.dir ?? services.config.BACKUP_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${tenant.slug.replace(/[^a-z0-9-]/gi, '_')}-${stamp()}-v${tenant.schemaVersion}.dump`);
  const bytes = await dumpToFile(tools, services.cluster.urlOf(server), tenant.dbName, file);
  return { file, bytes, ms: Date.now() - started, tool: tools.pgDump };
}

/**
 * Replace the church's database with the archive's contents. The archive is restored and migrated into a spare
 * database while the church keeps being served; only the swap (drop, rename, grant) happens with the status
 * 'moving'. Re-running after a crash finishes an interrupted swap.
 */
export async function restoreChurch(
  services: Deps,
  tenantId: string,
  file: string,
  opts: { faults?: (point: RestoreFault) => void | Promise<void> } = {},
) {
  const started = Date.now();
  return withChurchLock(services, tenantId, async () => {
    const { server, ...found } = await loadChurch(services, tenantId);
    let tenant = found.tenant;
    const sql = services.cluster.sql(server);
    const spare = spareDatabase(services.naming, tenantId);
    if (tenant.status === 'moving') {
      const marker = (await readMarker(sql, tenant.dbName)) ?? (await readMarker(sql, spare));
      if (marker?.op !== 'restore')
        throw new FleetError(`${tenant.slug} is being moved, not restored: re-run the move to finish it`);
      const schemaVersion = await swapIn(services, tenant, server, marker.previous, opts.faults);
      if (marker.file === path.basename(file)) return { ms: Date.now() - started, schemaVersion, tool: null };
      tenant = (await loadChurch(services, tenantId)).tenant; // that was another file's restore: now do this one
    }
    if (!copyable.includes(tenant.status))
      throw new FleetError(`cannot restore ${tenant.slug} while it is ${tenant.status}`);
    if ((await readMarker(sql, tenant.dbName))?.op === 'moved')
      throw new FleetError(unfinishedMove(tenant.slug, server.name));
    const previous = tenant.status;
    const tools = await toolsFor(services, [server]);
    const { toc, dbname } = await readArchive(tools, file);
    // Database names end in the church's id: another church's dump here would hand its data to the wrong people.
    const own = services.naming.database(tenantId).slice(services.naming.prefix.length);
    if (!dbname.endsWith(own))
      throw new FleetError(
        `${file} is a dump of database ${dbname || '(unknown)'}, not of ${tenant.slug}: ` +
          "refusing to restore another church's data",
      );

    const url = services.cluster.urlOf(server);
    const marker: Marker = { op: 'restore', previous, file: path.basename(file) };
    await dropDatabase(sql, spare); // left by an attempt that failed before its swap
    try {
      await createEmptyDatabase(sql, spare);
      await restoreArchive(tools, url, spare, file, toc);
      await bringUpToDate(services, url, spare);
      await writeMarker(sql, spare, marker); // marks the spare complete: a resumed swap may use it
      await opts.faults?.('before:swap');
    } catch (err) {
      await dropDatabase(sql, spare).catch(() => {});
      throw err;
    }
    await writeMarker(sql, tenant.dbName, marker);
    const moving = await setStatus(services, tenantId, previous, 'moving');
    if (!moving) {
      await dropDatabase(sql, spare);
      await writeMarker(sql, tenant.dbName, null);
      throw new FleetError(`${tenant.slug} changed status during the restore; nothing was changed, try again`);
    }
    try {
      const schemaVersion = await swapIn(services, tenant, server, previous, opts.faults);
      return { ms: Date.now() - started, schemaVersion, tool: tools.pgRestore };
    } catch (err) {
      // Before the old database is dropped we can still back out; after, only going forward (a re-run) helps.
      if (!((await databaseExists(sql, tenant.dbName)) && (await databaseExists(sql, spare)))) {
        throw new FleetError(
          `the restore of ${tenant.slug} stopped mid-swap (${(err as Error).message}); run it again to finish`,
          { cause: err },
        );
      }
      await setStatus(services, tenantId, 'moving', previous);
      await dropDatabase(sql, spare);
      await writeMarker(sql, tenant.dbName, null);
      throw err;
    }
  });
}

/** Conditional status change: false when someone else changed it meanwhile. */
export async function setStatus(services: Deps, tenantId: string, from: Status, to: Status) {
  const rows = await services.registry.db
    .update(tenants)
    .set({ status: to, updatedAt: new Date() })
    .where(and(eq(tenants.id, tenantId), eq(tenants.status, from)))
    .returning({ id: tenants.id });
  return rows.length > 0;
}

/** Drop the live database, rename the spare into its place, open it to the church, put the status back. Re-runnable. */
async function swapIn(
  services: Deps,
  tenant: Tenant,
  server: DbServer,
  previous: Status,
  faults?: (point: RestoreFault) => void | Promise<void>,
) {
  const sql = services.cluster.sql(server);
  const spare = spareDatabase(services.naming, tenant.id);
  await services.connections.forget(tenant.id);
  services.resolver.invalidate(tenant.id);
  if (await databaseExists(sql, spare)) {
    await dropDatabase(sql, tenant.dbName); // `with (force)`: other processes' pools are cut off too
    await faults?.('after:drop');
    await sql.unsafe(`alter database ${ident(spare)} rename to ${ident(tenant.dbName)}`);
  }
  await openToChurch(sql, tenant.dbName, tenant.dbRole);
  const schemaVersion = await schemaVersionOf(services.cluster.urlOf(server), tenant.dbName);
  await services.registry.db
    .update(tenants)
    .set({ status: previous, schemaVersion, migratedAt: new Date(), migrationError: null, updatedAt: new Date() })
    .where(and(eq(tenants.id, tenant.id), eq(tenants.status, 'moving')));
  services.resolver.invalidate(tenant.id);
  await services.connections.forget(tenant.id);
  await wakeInbound(services, tenant.id); // texts that waited while it was swapped
  await writeMarker(sql, tenant.dbName, null);
  return schemaVersion;
}
