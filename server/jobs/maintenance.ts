import { and, asc, eq, gt } from 'drizzle-orm';
import { tenants } from '@/db/registry/schema';
import { expireActivity } from '@/server/activity/retention';
import { log } from '@/server/log';
import { sweepPictures } from '@/server/media/sweep';
import { sweepOutbox } from '@/server/notifications/sweep';
import { wakeNotifications } from '@/server/notifications/wake';
import type { Services } from '@/server/services';
import { withDeadline } from '@/server/registry';
import { unavailableReason } from '@/server/tenancy/availability';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'config' | 'media' | 'messaging' | 'registry' | 'connections'>;

/**
 * The worker's housekeeping, every half minute; every worker may run it, and each step is safe to run twice.
 *   - Inbound texts waiting longer than a drain should take get their church's drain job queued again (a job lost
 *     to a crash, or one never queued because the registry blinked after the text was kept).
 *   - Inbound events set aside as failed more than 30 days ago, and expired rate-limit counters, are deleted.
 *   - Every fourth pass (two minutes), the next SWEEP_CHURCHES active churches (by id, round the fleet in turn) have
 *     their staff notifications swept (notifications/sweep.ts: old rows deleted, lost wakes made good), their
 *     unused pictures removed (media/sweep.ts) and activity log rows past a year deleted (activity/retention.ts).
 *     It opens each one's database, hence a slice at a time: a fleet of 1,500 churches goes round in an hour.
 */
const MAINTENANCE_EVERY_MS = 30_000;
const STALLED_AFTER_SECONDS = 30;
const NOTIFICATIONS_EVERY_PASSES = 4;
const SWEEP_CHURCHES = 50;

/** `sweepFrom`: where the notification sweep goes on from (see sweepNotifications); undefined: no sweep this pass. */
export async function maintain(services: Deps, opts: { sweepFrom?: string | null } = { sweepFrom: null }) {
  const { inbound } = services.messaging;
  for (const tenantId of await inbound.stalled(STALLED_AFTER_SECONDS))
    await inbound.scheduleDrain(tenantId, { mode: 'preserve_run_at' });
  await inbound.purgeSetAside();
  await expireRateLimits(services);
  await expireAccountLinks(services);
  return opts.sweepFrom === undefined ? undefined : sweepNotifications(services, opts.sweepFrom);
}

/**
 * The next `limit` active churches after `from` (by id; null: from the start), each in turn; one that cannot be
 * reached now is skipped until the sweep comes round again. Returns where the next sweep goes on from (null: the
 * start again, once the fleet has been round).
 */
export async function sweepNotifications(services: Deps, from: string | null = null, limit = SWEEP_CHURCHES) {
  const churches = await withDeadline(
    services.registry.db
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(eq(tenants.status, 'active'), from ? gt(tenants.id, from) : undefined))
      .orderBy(asc(tenants.id))
      .limit(limit),
    services.config.REGISTRY_TIMEOUT_MS * 5,
  );
  for (const { id } of churches) {
    try {
      const wakes = await services.connections.withTenant(id, async (db) => {
        await sweepPictures(db, services.media);
        await expireActivity(db);
        return sweepOutbox(db);
      });
      await wakeNotifications(services.registry, id, wakes);
    } catch (err) {
      if (!unavailableReason(err)) log.warn('notification sweep failed for a church', { tenantId: id, err });
    }
  }
  return churches.length < limit ? null : churches.at(-1)!.id;
}

/** rate-limiter-flexible's PostgreSQL rows carry their expiry (ms since the epoch) but are never deleted by it. */
async function expireRateLimits(services: Deps) {
  await withDeadline(
    services.registry
      .sql`delete from rate_limits where expire is not null and expire < (extract(epoch from now()) * 1000)::bigint`,
    services.config.REGISTRY_TIMEOUT_MS * 5,
  );
}

/** Account links (password resets) a day past their hour: used or not, they can only ever say "expired". */
async function expireAccountLinks(services: Deps) {
  await withDeadline(
    services.registry.sql`delete from account_links where expires_at < now() - interval '1 day'`,
    services.config.REGISTRY_TIMEOUT_MS * 5,
  );
}

export function startMaintenance(services: Deps, everyMs = MAINTENANCE_EVERY_MS) {
  let pass = 0;
  let sweepFrom: string | null = null;
  const timer = setInterval(() => {
    const sweep = pass++ % NOTIFICATIONS_EVERY_PASSES === 0;
    void maintain(services, sweep ? { sweepFrom } : {})
      .then((next) => {
        if (sweep && next !== undefined) sweepFrom = next;
      })
      .catch((err) => log.warn('maintenance pass failed', { err }));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
