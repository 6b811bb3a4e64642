import { eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { connectCard, connectCardSubmissions } from '@/db/tenant/schema';
import { dayWindow, lastDays } from '@/server/church/days';
import type { ConnectCardSettings } from './inputs';
import { requireKnownFields } from '@/server/custom-fields/merge';

/** The connect card's settings (one row, made by the migration) and how many cards came in each week. */

const WEEKS = 12;

export async function cardSettings(db: TenantDb) {
  const [row] = await db.select().from(connectCard).where(eq(connectCard.id, 1));
  return row!;
}

export async function updateCardSettings(db: TenantDb, input: ConnectCardSettings) {
  await requireKnownFields(db, input.welcomeText, 'welcomeText');
  const [row] = await db
    .update(connectCard)
    .set({
      ...input,
      // Blank means none: no welcome text, no extra tag, Steeple's privacy page.
      welcomeText: input.welcomeText === undefined ? undefined : input.welcomeText || null,
      firstVisitTag: input.firstVisitTag === undefined ? undefined : input.firstVisitTag || null,
      privacyUrl: input.privacyUrl === undefined ? undefined : input.privacyUrl || null,
      updatedAt: sql`now()`,
    })
    .where(eq(connectCard.id, 1))
    .returning();
  return row!;
}

/** Cards sent in per week (7-day weeks ending today, in the church's timezone), oldest first, and first visits. */
export async function cardWeeks(db: TenantDb, timezone: string) {
  const { day, inWindow } = dayWindow(connectCardSubmissions.createdAt, timezone, WEEKS * 7);
  const rows = await db
    .select({
      day,
      cards: sql<number>`count(*)::int`,
      firstVisits: sql<number>`count(*) filter (where ${connectCardSubmissions.firstVisit})::int`,
    })
    .from(connectCardSubmissions)
    .where(inWindow)
    .groupBy(sql`1`);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days = lastDays(WEEKS * 7, timezone);
  return Array.from({ length: WEEKS }, (_, w) => {
    const week = days.slice(w * 7, w * 7 + 7);
    return {
      weekOf: week[0]!,
      cards: week.reduce((n, d) => n + (byDay.get(d)?.cards ?? 0), 0),
      firstVisits: week.reduce((n, d) => n + (byDay.get(d)?.firstVisits ?? 0), 0),
    };
  });
}
