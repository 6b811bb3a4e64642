import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { dbServers, tenants, type DbServer, type Tenant } from '@/db/registry/schema';
import type { Services } from '@/server/services';
import { dropDatabase, dropRole, ensureLoginRole, ensureRole, roleExists, type Sql } from '@/server/tenancy/cluster';
import { ident } from '@/server/tenancy/naming';
import { decryptSecret } from '@/server/tenancy/secrets';
import { wakeInbound } from './lifecycle';
import {
  bringUpToDate,
  copyable,
  createEmptyDatabase,
  loadChurch,
  openToChurch,
  setStatus,
  withChurchLock,
  type Status,
} from './church-copy';
import { dumpToFile, FleetError, readArchive, restoreArchive, toolsFor } from './pg-tools';
import { readMarker, unfinishedMove, writeMarker } from './recovery-marker';

/** The parts of Services this module uses. */
type Deps = Pick<
  Services,
  'billing' | 'cluster' | 'config' | 'connections' | 'messaging' | 'naming' | 'registry' | 'resolver'
>;

/**
 * Move a church's database to another database server: freeze it ('moving', its role locked out), dump, restore on
 * the target, switch the registry row, then remove the old copy. Until the switch the source is untouched and a
 * failure puts everything back; a re-run after a crash at any point resumes from the marker (see backup.ts).
 */
export type MoveFault = 'after:freeze' | 'after:restore' | 'after:switch';
type Faults = (point: MoveFault) => void | Promise<void>;

export async function moveChurch(
  services: Deps,
  tenantId: string,
  targetServerName: string,
  opts: { faults?: Faults } = {},
) {
  const started = Date.now();
  return withChurchLock(services, tenantId, async () => {
    const { tenant, server: source } = await loadChurch(services, tenantId);
    const target = await serverNamed(services, targetServerName);
    const src = services.cluster.sql(source);
    if (target.id === source.id) {
      // A move that crashed after its switch left the old copy behind; finishing it means removing that copy.
      const marker = await readMarker(src, tenant.dbName);
      if (marker?.op !== 'moved') throw new FleetError(`${tenant.slug} is already on ${target.name}`);
      const [old] = await services.registry.db.select().from(dbServers).where(eq(dbServers.id, marker.from));
      if (old) await removeOldCopy(services, old, tenant);
      await writeMarker(src, tenant.dbName, null);
      return { from: old?.name ?? `#${marker.from}`, to: target.name, ms: Date.now() - started, bytes: 0, tools: null };
    }
    const previous = await previousStatus(src, tenant, source, target);
    const dst = services.cluster.sql(target);
    await dst`select 1`.catch((err) => {
      throw new FleetError(`database server ${target.name} is not reachable: ${err.message}`, { cause: err });
    });
    const tools = await toolsFor(services, [source, target]);
    if (tenant.status !== 'moving') {
      // Durable before the status says 'moving'.
      await writeMarker(src, tenant.dbName, { op: 'move', previous, to: target.id });
      if (!(await setStatus(services, tenantId, previous, 'moving'))) {
        await writeMarker(src, tenant.dbName, null);
        throw new FleetError(`${tenant.slug} changed status meanwhile; nothing was changed, try again`);
      }
    }

    const dir = path.resolve(services.config.BACKUP_DIR);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(path.join(dir, '.move-'));
    let roleCreated = false;
    let bytes = 0;
    try {
      await freeze(services, src, tenant);
      await opts.faults?.('after:freeze');
      const file = path.join(work, `${tenant.slug}.dump`);
      bytes = await dumpToFile(tools, services.cluster.urlOf(source), tenant.dbName, file);
      const targetUrl = services.cluster.urlOf(target);
      await dropDatabase(dst, tenant.dbName); // a crashed attempt's copy: the church is not served from there
      await ensureRole(dst, services.naming.tenantGroup, 'nologin');
      await createEmptyDatabase(dst, tenant.dbName);
      await writeMarker(dst, tenant.dbName, { op: 'moved', from: source.id });
      const { toc } = await readArchive(tools, file);
      await restoreArchive(tools, targetUrl, tenant.dbName, file, toc);
      const schemaVersion = await bringUpToDate(services, targetUrl, tenant.dbName);
      roleCreated = !(await roleExists(dst, tenant.dbRole));
      await ensureLoginRole(
        dst,
        tenant.dbRole,
        decryptSecret(tenant.dbSecret, services.config.STEEPLE_SECRET_KEY),
        tenant.dbName,
        services.naming.tenantGroup,
      );
      await opts.faults?.('after:restore');
      const switched = await services.registry.db
        .update(tenants)
        .set({
          dbServerId: target.id,
          status: previous,
          schemaVersion,
          migratedAt: new Date(),
          migrationError: null,
          updatedAt: new Date(),
        })
        .where(and(eq(tenants.id, tenantId), eq(tenants.status, 'moving'), eq(tenants.dbServerId, source.id)))
        .returning({ id: tenants.id });
      if (!switched.length) throw new FleetError(`${tenant.slug}'s registry row changed during the move`);
    } catch (err) {
      await rollBack(services, { tenant, source, target, previous, roleCreated }).catch((e) => {
        throw new FleetError(
          `the move of ${tenant.slug} failed (${(err as Error).message}) ` +
            `and so did putting it back (${e.message}); run the move again`,
          { cause: err },
        );
      });
      throw err;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    services.resolver.invalidate(tenantId);
    await services.connections.forget(tenantId);
    await wakeInbound(services, tenantId); // texts that waited while it moved
    await opts.faults?.('after:switch');
    await removeOldCopy(services, source, tenant).catch((err) => {
      throw new FleetError(
        `${tenant.slug} now lives on ${target.name}, ` +
          `but removing its old copy on ${source.name} failed (${err.message}); run the move again to finish`,
        { cause: err },
      );
    });
    await writeMarker(dst, tenant.dbName, null);
    return { from: source.name, to: target.name, ms: Date.now() - started, bytes, tools };
  });
}

async function serverNamed(services: Deps, name: string) {
  const servers = await services.registry.db.select().from(dbServers);
  const server = servers.find((s) => s.name === name);
  if (!server)
    throw new FleetError(`unknown database server "${name}" (known: ${servers.map((s) => s.name).join(', ')})`);
  return server;
}

/** The status to return to: the current one, or for an interrupted move (status 'moving') the one it recorded. */
async function previousStatus(src: Sql, tenant: Tenant, source: DbServer, target: DbServer): Promise<Status> {
  const marker = await readMarker(src, tenant.dbName);
  if (tenant.status !== 'moving') {
    if (!copyable.includes(tenant.status))
      throw new FleetError(`cannot move ${tenant.slug} while it is ${tenant.status}`);
    if (marker?.op === 'moved') throw new FleetError(unfinishedMove(tenant.slug, source.name));
    return tenant.status;
  }
  if (marker?.op === 'restore') throw new FleetError(`${tenant.slug} has an unfinished restore: run it again first`);
  if (marker?.op !== 'move')
    throw new FleetError(
      `${tenant.slug} is marked moving, but no unfinished move of it was found; check it and set its status by hand`,
    );
  if (marker.to !== target.id)
    throw new FleetError(
      `${tenant.slug} has an unfinished move to database server #${marker.to}: run that move again first`,
    );
  return marker.previous;
}

/** No writes may land after the dump: close our pool, lock the church's role out and end its other sessions. */
async function freeze(services: Deps, src: Sql, tenant: Tenant) {
  await services.connections.forget(tenant.id);
  services.resolver.invalidate(tenant.id);
  await src.unsafe(`revoke connect, temporary on database ${ident(tenant.dbName)} from ${ident(tenant.dbRole)}`);
  await src`select pg_terminate_backend(pid) from pg_stat_activity
             where datname = ${tenant.dbName} and usename = ${tenant.dbRole}`;
}

/** Undo everything before the switch: the target's copy (and its role if we made it), the freeze, the status. */
async function rollBack(
  services: Deps,
  m: { tenant: Tenant; source: DbServer; target: DbServer; previous: Status; roleCreated: boolean },
) {
  const { tenant } = await loadChurch(services, m.tenant.id);
  if (tenant.dbServerId === m.target.id) return; // the switch did commit (its answer was lost): nothing to undo
  const dst = services.cluster.sql(m.target);
  await dropDatabase(dst, tenant.dbName);
  if (m.roleCreated) await dropRole(dst, tenant.dbRole);
  const src = services.cluster.sql(m.source);
  await openToChurch(src, tenant.dbName, tenant.dbRole);
  await setStatus(services, tenant.id, 'moving', m.previous);
  services.resolver.invalidate(tenant.id);
  await wakeInbound(services, tenant.id);
  await writeMarker(src, tenant.dbName, null);
}

/** After the switch: the old database and login role on the server the church left. */
async function removeOldCopy(services: Deps, server: DbServer, tenant: Tenant) {
  const sql = services.cluster.sql(server);
  await dropDatabase(sql, tenant.dbName);
  await dropRole(sql, tenant.dbRole);
}
