import { sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import type { Wake } from './outbox';

/**
 * One church's notification housekeeping, from the worker's maintenance pass (server/jobs/maintenance.ts):
 *   - what someone wrote is not kept: rows sent a day ago go, and rows never sent in three days (their jobs died, or
 *     the person's browsers and email never took them) go too;
 *   - a wake lost to a crash or a registry blink is made good: anyone with rows owed for two minutes is woken again
 *     (the jobs take what is owed, so a wake too many sends nothing twice).
 */
export async function sweepOutbox(db: TenantDb): Promise<Wake[]> {
  await db.execute(sql`
    delete from notification_outbox
     where sent_at < now() - interval '1 day' or (sent_at is null and created_at < now() - interval '3 days')`);
  const owed = await db.execute<{ admin_id: string; channel: Wake['channel'] }>(sql`
    select distinct admin_id, channel from notification_outbox
     where sent_at is null and created_at < now() - interval '2 minutes'`);
  return owed.map((r) => ({ adminId: r.admin_id, channel: r.channel }));
}
