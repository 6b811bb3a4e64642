import { eq } from 'drizzle-orm';
import { adminEmailIndex, dbServers, phoneNumberIndex, tenants } from '@/db/registry/schema';
import type { Registry } from '@/server/registry';
import { dropDatabase, dropRole, type ClusterAdmin } from './cluster';
import type { ConnectionManager } from './connection-manager';

/** Remove everything a church's provisioning created: its pool, database, role and index entries. Idempotent. */
export async function teardownTenant(
  deps: { registry: Registry; cluster: ClusterAdmin; connections: ConnectionManager },
  tenantId: string,
  finalStatus: 'failed' | 'deleted' = 'failed',
) {
  const [row] = await deps.registry.db
    .select({ tenant: tenants, server: dbServers })
    .from(tenants)
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .where(eq(tenants.id, tenantId));
  if (!row) return;
  await deps.registry.db.update(tenants).set({ status: 'deleting', updatedAt: new Date() }).where(eq(tenants.id, tenantId));
  await deps.connections.forget(tenantId);
  const admin = deps.cluster.sql(row.server);
  await dropDatabase(admin, row.tenant.dbName); // before the role: the role cannot be dropped while it owns grants there
  await dropRole(admin, row.tenant.dbRole);
  await deps.registry.db.transaction(async (tx) => {
    await tx.delete(adminEmailIndex).where(eq(adminEmailIndex.tenantId, tenantId));
    await tx.delete(phoneNumberIndex).where(eq(phoneNumberIndex.tenantId, tenantId));
    await tx.update(tenants).set({ status: finalStatus, updatedAt: new Date() }).where(eq(tenants.id, tenantId));
  });
}
