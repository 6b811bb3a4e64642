import { eq } from 'drizzle-orm';
import { adminEmailIndex, dbServers, phoneNumberIndex, tenants, type Tenant } from '@/db/registry/schema';
import { log } from '@/server/log';
import type { Registry } from '@/server/registry';
import { dropDatabase, dropRole, type ClusterAdmin } from './cluster';
import type { ConnectionManager } from './connection-manager';

type Deps = { registry: Registry; cluster: ClusterAdmin; connections: ConnectionManager };

/**
 * Remove everything a church's provisioning created: its pool, database, role and index entries. Idempotent.
 * Only from the statuses in `from`, checked and changed to `deleting` in one locked transaction: a late provisioning
 * retry can never drop the database of a church that became active meanwhile. Returns false when it refused.
 */
export async function teardownTenant(
  deps: Deps,
  tenantId: string,
  opts: { from: Tenant['status'][]; finalStatus: 'failed' | 'deleted' },
) {
  const row = await deps.registry.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ tenant: tenants, server: dbServers })
      .from(tenants)
      .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
      .where(eq(tenants.id, tenantId))
      .for('update', { of: tenants });
    if (!found || !opts.from.includes(found.tenant.status)) return found ? { refused: found.tenant.status } : null;
    await tx.update(tenants).set({ status: 'deleting', updatedAt: new Date() }).where(eq(tenants.id, tenantId));
    return found;
  });
  if (!row) return false;
  if ('refused' in row) {
    log.warn('teardown refused: the church is not in a state that may be torn down', { tenantId, status: row.refused });
    return false;
  }
  await deps.connections.forget(tenantId);
  const admin = deps.cluster.sql(row.server);
  // Before the role: the role cannot be dropped while it owns grants there.
  await dropDatabase(admin, row.tenant.dbName);
  await dropRole(admin, row.tenant.dbRole);
  await deps.registry.db.transaction(async (tx) => {
    await tx.delete(adminEmailIndex).where(eq(adminEmailIndex.tenantId, tenantId));
    await tx.delete(phoneNumberIndex).where(eq(phoneNumberIndex.tenantId, tenantId));
    await tx.update(tenants).set({ status: opts.finalStatus, updatedAt: new Date() }).where(eq(tenants.id, tenantId));
  });
  return true;
}
