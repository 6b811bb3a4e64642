import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { ACTIVITY_GROUPS, actionsOf } from '@/db/tenant/enums';
import { activityLog } from '@/db/tenant/schema';
import { formatPhone } from '@/server/messaging/phone';
import { decodeCursorAs, encodeCursor, exactTime, exactTimeKey } from '@/server/cursor';

/** The log page's query: a group of actions, one person, newest first, a page at a time. */
export const activityListInput = z.object({
  group: z.enum(ACTIVITY_GROUPS).optional(),
  person: z.string().uuid().optional(),
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(100).default(50),
});

const pageKey = z.tuple([exactTimeKey, z.string().uuid()]);

/** A subject that is a phone number (a number bought or released), as the church reads phone numbers. */
const shown = (subject: string, country: string) =>
  /^\+\d{8,15}$/.test(subject) ? formatPhone(subject, country) : subject;

/** Newest first, keyset-paged by (at, id): `{ items, nextCursor }`. */
export async function listActivity(db: TenantDb, input: z.output<typeof activityListInput>, country: string) {
  const after = decodeCursorAs(pageKey, input.cursor);
  const rows = await db
    .select({
      id: activityLog.id,
      at: activityLog.at,
      key: exactTime(activityLog.at),
      actorId: activityLog.actorId,
      actorLabel: activityLog.actorLabel,
      action: activityLog.action,
      subject: activityLog.subject,
      details: activityLog.details,
      clientAddress: activityLog.clientAddress,
    })
    .from(activityLog)
    .where(
      and(
        input.group ? inArray(activityLog.action, actionsOf(input.group)) : undefined,
        input.person ? eq(activityLog.actorId, input.person) : undefined,
        after ? olderThan(after) : undefined,
      ),
    )
    .orderBy(desc(activityLog.at), desc(activityLog.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ key: _key, ...row }) => ({ ...row, subject: shown(row.subject, country) })),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.key, last.id]) : null,
  };
}

const olderThan = ([at, id]: [string, string]) =>
  or(
    lt(activityLog.at, sql`${at}::timestamptz`),
    and(eq(activityLog.at, sql`${at}::timestamptz`), lt(activityLog.id, id)),
  );
