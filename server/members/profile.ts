import { asc, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { broadcasts, members } from '@/db/tenant/schema';
import { listFields } from '@/server/custom-fields/manage';
import { spokenValue } from '@/server/custom-fields/rules';
import { Invalid } from '@/server/domain-errors';
import { audienceOf } from '@/server/messaging/audience';
import { conversationForMember } from '@/server/messaging/conversations';
import { getMember } from './queries';

/**
 * A member's page (/members/<id>): who they are with their church's own fields by name, their conversation's id, and
 * the broadcasts waiting to go whose audience includes them. Consent, notes and sequences come from the procedures
 * the inbox and the member form already use.
 */

/** How many of the next scheduled broadcasts are checked against the member: a page, not a report. */
export const UPCOMING_BROADCASTS = 20;

export async function memberProfile(db: TenantDb, id: string, church: { country: string; timezone: string }) {
  const member = await getMember(db, id, church.country); // NotFound for an id this church does not have
  const [fields, conversation, scheduled] = await Promise.all([
    namedFields(db, member.fields),
    conversationForMember(db, id),
    scheduledFor(db, id, church.timezone),
  ]);
  return { member, fields, conversationId: conversation?.id ?? null, scheduled };
}

/** Every field the church defined, in the form's order, with this member's value as a text reads it (or null). */
async function namedFields(db: TenantDb, values: Record<string, string>) {
  const fields = await listFields(db);
  return fields.map((f) => ({ id: f.id, label: f.label, value: spokenValue(f.type, values[f.id]) }));
}

/**
 * The next scheduled broadcasts whose audience, as it stands now, includes the member: each audience is the condition
 * the broadcaster itself uses (audienceOf), all asked of this one member in a single query. Who is in an audience is
 * decided again when it sends, so this is what would happen now.
 */
async function scheduledFor(db: TenantDb, memberId: string, timezone: string) {
  const upcoming = await db
    .select({
      id: broadcasts.id,
      body: broadcasts.body,
      scheduledAt: broadcasts.scheduledAt,
      seriesId: broadcasts.seriesId,
      audience: broadcasts.audience,
      branchId: broadcasts.branchId,
      tag: broadcasts.tag,
      filter: broadcasts.filter,
      segmentName: broadcasts.segmentName,
    })
    .from(broadcasts)
    .where(eq(broadcasts.state, 'scheduled'))
    .orderBy(asc(broadcasts.scheduledAt), asc(broadcasts.id))
    .limit(UPCOMING_BROADCASTS);
  if (upcoming.length === 0) return [];
  const conditions = await Promise.all(upcoming.map((b) => conditionOf(db, b, timezone)));
  const included = Object.fromEntries(
    conditions.map((c, i) => [`b${i}`, sql<boolean>`coalesce((${c ?? sql`true`}), false)`]),
  );
  const [row] = await db.select(included).from(members).where(eq(members.id, memberId));
  return upcoming
    .filter((_, i) => row?.[`b${i}`] === true)
    .map((b) => ({
      id: b.id,
      body: b.body,
      scheduledAt: b.scheduledAt,
      repeats: b.seriesId !== null,
      segmentName: b.segmentName,
    }));
}

/** A broadcast whose conditions its church can no longer answer reaches nobody here, rather than hide the page. */
async function conditionOf(db: TenantDb, b: Parameters<typeof audienceOf>[1], timezone: string) {
  try {
    return await audienceOf(db, b, timezone);
  } catch (err) {
    if (err instanceof Invalid) return sql`false`;
    throw err;
  }
}
