import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, members, messages, quietHours } from '@/db/tenant/schema';
import type { Audience } from './audience';

/**
 * Quiet hours: when the church does not text people (21:00 to 08:00 by default), in each member's own timezone — their
 * branch's, or the church's. A broadcast reaching someone inside them is held for that person until they end
 * (broadcaster.ts); a person writing from the inbox is asked to confirm (the reply box). Automatic replies (keywords,
 * STOP/HELP, the connect card's welcome) answer someone who just wrote, so they are never held.
 */
export type QuietHours = typeof quietHours.$inferSelect;

export async function quietHoursOf(db: TenantDb): Promise<QuietHours> {
  const [row] = await db.select().from(quietHours).where(eq(quietHours.id, 1));
  return row!;
}

/**
 * SQL for when a text sent at `at` to someone in timezone `tz` may leave: null outside their quiet hours, otherwise
 * the moment those end, in their timezone (a window may wrap midnight: 21:00 to 08:00).
 */
export function quietUntil(q: Pick<QuietHours, 'enabled' | 'startMinute' | 'endMinute'>, tz: SQL, at: SQL): SQL {
  if (!q.enabled || q.startMinute === q.endMinute) return sql`null::timestamptz`;
  const local = sql`(${at} at time zone ${tz})`;
  const now = sql`(extract(hour from ${local}) * 60 + extract(minute from ${local}))::int`;
  const start = sql`${q.startMinute}::int`;
  const end = sql`${q.endMinute}::int`;
  const inside =
    q.startMinute > q.endMinute
      ? sql`(${now} >= ${start} or ${now} < ${end})`
      : sql`(${now} >= ${start} and ${now} < ${end})`;
  const endToday = sql`(date_trunc('day', ${local}) + make_interval(mins => ${end}))`;
  const ends = sql`(case when ${now} < ${end} then ${endToday} else ${endToday} + interval '1 day' end)`;
  return sql`(case when ${inside} then (${ends}) at time zone ${tz} end)`;
}

/**
 * How many of an audience's recipients a broadcast sent at `at` would find inside their quiet hours, and when the
 * first and last of them may get it: what the composer says before sending.
 */
export async function heldInAudience(db: TenantDb, a: Audience, quiet: QuietHours, timezone: string, at: Date | null) {
  // Counted per timezone first (a church has a handful), so the clock arithmetic runs once per zone, not per member.
  const zones = db
    .select({
      tz: sql<string>`coalesce(${branches.timezone}, ${timezone})`.as('tz'),
      n: sql<number>`count(*)::int`.as('n'),
    })
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .where(and(eq(members.subscription, 'subscribed'), a))
    .groupBy(sql`1`)
    .as('zones');
  const hold = quietUntil(quiet, sql`${zones.tz}`, at ? sql`${at.toISOString()}::timestamptz` : sql`now()`);
  const [row] = await db
    .select({
      count: sql<number>`coalesce(sum(${zones.n}) filter (where ${hold} is not null), 0)::int`,
      first: sql`min(${hold})`.mapWith(messages.notBefore),
      last: sql`max(${hold})`.mapWith(messages.notBefore),
    })
    .from(zones);
  return { ...row!, startMinute: quiet.startMinute, endMinute: quiet.endMinute };
}
