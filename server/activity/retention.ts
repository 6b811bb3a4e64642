import { sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { activityLog } from '@/db/tenant/schema';

/** How long the activity log keeps a row: a year, as the issue asks of it. */
const ACTIVITY_RETENTION_DAYS = 365;

/** Rows older than the retention go (the worker's church sweep, server/jobs/maintenance.ts); how many did. */
export async function expireActivity(db: TenantDb, days = ACTIVITY_RETENTION_DAYS): Promise<number> {
  const gone = await db.delete(activityLog).where(sql`${activityLog.at} < now() - make_interval(days => ${days})`);
  return gone.count;
}
