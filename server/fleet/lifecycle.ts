import { and, eq, inArray, lt, or, sql as dsql } from 'drizzle-orm';
import {
  authSessions,
  billingAccounts,
  churches,
  dbServers,
  inviteIndex,
  tenants,
  type Tenant,
} from '@/db/registry/schema';
import { log } from '@/server/log';
import type { Registry } from '@/server/registry';
import type { Services } from '@/server/services';
import { teardownTenant } from '@/server/tenancy/teardown';
import { releaseAllNumbers } from '@/server/numbers/ownership';
import { retireRegistrations } from '@/server/registration/refs';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'billing' | 'cluster' | 'config' | 'connections' | 'messaging' | 'registry' | 'resolver'>;
/** Purging also gives the church's numbers back, and ends its campaigns. */
type PurgeDeps = Deps & Pick<Services, 'inventory' | 'registrar' | 'media'>;

/**
 * A church's life after signup, as an operator changes it: suspend (maintenance page, texts still stored), resume,
 * close (a soft delete: suspended for a grace period, restorable with resume), and purge (database, role and index
 * rows gone for good). Every change is a conditional update, so a repeated or concurrent command is harmless.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A church by its slug or id, with its name and server, for the CLI. */
export async function findChurch(registry: Registry, ref: string) {
  const [row] = await registry.db
    .select({ tenant: tenants, name: churches.name, server: dbServers.name })
    .from(tenants)
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .leftJoin(churches, eq(churches.tenantId, tenants.id))
    .where(UUID.test(ref) ? eq(tenants.id, ref) : eq(tenants.slug, ref));
  if (!row) throw new Error(`no church with slug or id ${JSON.stringify(ref)}`);
  return row;
}

type Change = { tenantId: string; from: Tenant['status'][]; set: Partial<typeof tenants.$inferInsert> };

/** Apply a status change if the church is in one of `from`; either way, say where it ended up. */
async function change(services: Deps, { tenantId, from, set }: Change) {
  const [updated] = await services.registry.db
    .update(tenants)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(tenants.id, tenantId), inArray(tenants.status, from)))
    .returning({ status: tenants.status });
  services.resolver.invalidate(tenantId); // this process sees it at once; other instances within the resolver's TTL
  if (updated?.status === 'active') await wakeInbound(services, tenantId);
  if (updated) return { changed: true, status: updated.status };
  const [now] = await services.registry.db
    .select({ status: tenants.status })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  return { changed: false, status: now?.status };
}

export const suspendChurch = (services: Deps, tenantId: string, reason?: string) =>
  change(services, { tenantId, from: ['active'], set: { status: 'suspended', statusReason: reason ?? null } });

/** Back in service, from a suspension or from a closure still in its grace period. */
export const resumeChurch = (services: Deps, tenantId: string) =>
  change(services, {
    tenantId,
    from: ['suspended', 'closed'],
    set: { status: 'active', statusReason: null, purgeAfter: null },
  });

/** Soft delete: its users see that it is closed, texts are still stored, and `resume` undoes it until `purgeAfter`. */
export async function closeChurch(
  services: Deps,
  tenantId: string,
  opts: { graceDays?: number; reason?: string } = {},
) {
  const days = opts.graceDays ?? services.config.DELETE_GRACE_DAYS;
  const result = await change(services, {
    tenantId,
    from: ['active', 'suspended'],
    set: { status: 'closed', statusReason: opts.reason ?? null, purgeAfter: new Date(Date.now() + days * 86_400_000) },
  });
  await revokeSessions(services.registry, tenantId);
  return result;
}

/**
 * Delete for good: cancel its subscription, drop its database (WITH FORCE, so open sessions cannot block it) and
 * role, and remove its index rows. The tenant row stays, marked deleted, as the record that it existed.
 */
export async function purgeChurch(services: PurgeDeps, tenantId: string) {
  const [claimed] = await services.registry.db
    .update(tenants)
    .set({ status: 'deleting', updatedAt: new Date() })
    .where(
      and(eq(tenants.id, tenantId), inArray(tenants.status, ['active', 'suspended', 'closed', 'failed', 'deleting'])),
    )
    .returning({ id: tenants.id });
  if (!claimed) return { purged: false };
  await cancelSubscription(services, tenantId);
  await releaseAllNumbers(services, tenantId); // nor pay for its numbers: a failure here retries the purge later
  await retireRegistrations(services, tenantId); // nor for its 10DLC campaigns
  await revokeSessions(services.registry, tenantId);
  await services.registry.db.delete(inviteIndex).where(eq(inviteIndex.tenantId, tenantId));
  await services.media.deletePrefix(tenantId); // its pictures, sent and received
  await teardownTenant(services, tenantId, { from: ['deleting'], finalStatus: 'deleted' });
  services.resolver.invalidate(tenantId);
  log.info('church purged', { tenantId });
  return { purged: true };
}

/** Purge closed churches whose grace period is over (run by the worker every few minutes). */
export async function purgeDue(services: PurgeDeps) {
  const due = await services.registry.db
    .select({ id: tenants.id })
    .from(tenants)
    // A purge that died halfway (status left at deleting) is finished too, once it has clearly stopped.
    .where(
      or(
        and(eq(tenants.status, 'closed'), lt(tenants.purgeAfter, new Date())),
        and(eq(tenants.status, 'deleting'), lt(tenants.updatedAt, new Date(Date.now() - 600_000))),
      ),
    );
  for (const { id } of due) {
    await purgeChurch(services, id).catch((err) =>
      log.error('purge failed; retried on the next pass', { tenantId: id, err }),
    );
  }
  return due.length;
}

async function revokeSessions(registry: Registry, tenantId: string) {
  await registry.db
    .update(authSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(authSessions.tenantId, tenantId), dsql`${authSessions.revokedAt} is null`));
}

/** A deleted church must not keep paying: its subscription is cancelled at once (when billing is on). */
async function cancelSubscription(services: Deps, tenantId: string) {
  const [account] = await services.registry.db
    .select()
    .from(billingAccounts)
    .where(eq(billingAccounts.tenantId, tenantId));
  if (!services.billing || !account?.subscriptionId || ['canceled', 'incomplete_expired'].includes(account.status))
    return;
  await services.billing.stripe.subscriptions.cancel(
    account.subscriptionId,
    {},
    { idempotencyKey: `steeple-purge-${tenantId}` },
  );
}

/**
 * Texts that waited for a church while it was away are delivered as soon as it is back (a failure only delays them).
 */
export async function wakeInbound(services: Deps, tenantId: string) {
  await services.messaging.inbound
    .wake(tenantId)
    .catch((err) => log.warn('inbound drain not woken; it retries on its own', { tenantId, err }));
}
