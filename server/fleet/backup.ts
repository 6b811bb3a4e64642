import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { tenants, type DbServer, type Tenant } from '@/db/registry/schema';
import type { Services } from '@/server/services';
import { databaseExists, dropDatabase } from '@/server/tenancy/cluster';
import { ident, type Naming } from '@/server/tenancy/naming';
import {
  bringUpToDate,
  copyable,
  createEmptyDatabase,
  loadChurch,
  openToChurch,
  schemaVersionOf,
  setStatus,
  withChurchLock,
  type Status,
} from './church-copy';
import { wakeInbound } from './lifecycle';
import { dumpToFile, FleetError, readArchive, restoreArchive, toolsFor } from './pg-tools';
import { readMarker, unfinishedMove, writeMarker, type Marker } from './recovery-marker';

/**
 * A church's database as a file and back: `backupChurch` writes a pg_dump archive, `restoreChurch` restores one into
 * a spare database beside the live one and swaps it in (the steps it shares with move.ts are in church-copy.ts).
 */
export type RestoreFault = 'before:swap' | 'after:drop';

const spareDatabase = (naming: Naming, tenantId: string) => `${naming.prefix}_x_${tenantId.replace(/-/g, '')}`;
const stamp = () => new Date().toISOString().replace(/[-:]/g, ''); // 20261123T192850.123Z: sorts, and is unique enough

/** The parts of Services this module uses. */
type Deps = Pick<
  Services,
  'billing' | 'cluster' | 'config' | 'connections' | 'messaging' | 'naming' | 'registry' | 'resolver'
>;

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
