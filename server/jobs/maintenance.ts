import { log } from '@/server/log';
import type { Services } from '@/server/services';
import { withDeadline } from '@/server/registry';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'config' | 'messaging' | 'registry'>;

/**
 * The worker's housekeeping, every half minute; every worker may run it, and each step is safe to run twice.
 *   - Inbound texts waiting longer than a drain should take get their church's drain job queued again (a job lost
 *     to a crash, or one never queued because the registry blinked after the text was kept).
 *   - Inbound events set aside as failed more than 30 days ago, and expired rate-limit counters, are deleted.
 */
const MAINTENANCE_EVERY_MS = 30_000;
const STALLED_AFTER_SECONDS = 30;

export async function maintain(services: Deps) {
  const { inbound } = services.messaging;
  for (const tenantId of await inbound.stalled(STALLED_AFTER_SECONDS))
    await inbound.scheduleDrain(tenantId, { mode: 'preserve_run_at' });
  await inbound.purgeSetAside();
  await expireRateLimits(services);
}

/** rate-limiter-flexible's PostgreSQL rows carry their expiry (ms since the epoch) but are never deleted by it. */
export async function expireRateLimits(services: Deps): Promise<number> {
  const rows = await withDeadline(
    services.registry
      .sql`delete from rate_limits where expire is not null and expire < (extract(epoch from now()) * 1000)::bigint`,
    services.config.REGISTRY_TIMEOUT_MS * 5,
  );
  return rows.count;
}

export function startMaintenance(services: Deps, everyMs = MAINTENANCE_EVERY_MS) {
  const timer = setInterval(
    () => void maintain(services).catch((err) => log.warn('maintenance pass failed', { err })),
    everyMs,
  );
  timer.unref();
  return () => clearInterval(timer);
}
