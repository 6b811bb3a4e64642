import { eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { broadcasts, conversations, members, messages } from '@/db/tenant/schema';
import type { Services } from '@/server/services';
import { dayWindow, lastDays } from './days';

const DAYS = 30;

/** Counts for the dashboard's cards, and messages per day for the last 30 days in the church's own timezone. */
export async function dashboardSummary({ profiles }: Pick<Services, 'profiles'>, db: TenantDb, tenantId: string) {
  const { timezone } = await profiles.get(tenantId);
  const { day, inWindow } = dayWindow(messages.createdAt, timezone, DAYS);
  const [people, inbox, scheduled, perDay] = await Promise.all([
    db
      .select({
        members: sql<number>`count(*)::int`,
        subscribed: sql<number>`count(*) filter (where ${members.subscription} = 'subscribed')::int`,
        newThisMonth: sql<number>`count(*) filter (where ${members.createdAt} > now() - interval '30 days')::int`,
      })
      .from(members),
    db
      .select({ unreadThreads: sql<number>`count(*) filter (where ${conversations.unreadCount} > 0)::int` })
      .from(conversations),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(broadcasts)
      .where(eq(broadcasts.state, 'scheduled')),
    db
      .select({
        day,
        sent: sql<number>`count(*) filter (where ${messages.direction} = 'outbound'
                                            and ${messages.status} in ('sent', 'delivered'))::int`,
        received: sql<number>`count(*) filter (where ${messages.direction} = 'inbound')::int`,
        failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
      })
      .from(messages)
      .where(inWindow)
      .groupBy(sql`1`), // by position: the same expression written again would be a different parameter to PostgreSQL
  ]);
  const byDay = new Map(perDay.map((d) => [d.day, d]));
  const days = lastDays(DAYS, timezone).map((d) => ({
    day: d,
    sent: byDay.get(d)?.sent ?? 0,
    received: byDay.get(d)?.received ?? 0,
    failed: byDay.get(d)?.failed ?? 0,
  }));
  return {
    ...people[0]!,
    unreadThreads: inbox[0]!.unreadThreads,
    scheduledBroadcasts: scheduled[0]!.n,
    sent30d: days.reduce((n, d) => n + d.sent, 0),
    received30d: days.reduce((n, d) => n + d.received, 0),
    days,
  };
}
