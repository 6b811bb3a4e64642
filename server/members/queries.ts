import { NotFound } from '@/server/domain-errors';
import { and, arrayContains, asc, count, eq, ilike, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, members } from '@/db/tenant/schema';
import { escapeLike } from '@/server/like';
import { withPhoneDisplay } from '@/server/messaging/phone';
import { z } from 'zod';
import { decodeCursorAs, encodeCursor as encodeKey } from '@/server/cursor';
import { getSegment } from '@/server/audiences/segments';
import { audienceWhere } from '@/server/audiences/where';
import { valuesOf } from '@/server/custom-fields/values';
import type { ListMembersInput } from './inputs';

/** Reading members: one page of the list (keyset on last name, first name, id), one member, the tags in use. */

const columns = {
  id: members.id,
  firstName: members.firstName,
  lastName: members.lastName,
  phone: members.phone,
  email: members.email,
  branchId: members.branchId,
  branchName: branches.name,
  tags: members.tags,
  notes: members.notes,
  firstVisitOn: members.firstVisitOn,
  subscription: members.subscription,
  subscriptionChangedAt: members.subscriptionChangedAt,
  subscriptionSource: members.subscriptionSource,
  createdAt: members.createdAt,
  updatedAt: members.updatedAt,
};

/** Name, email or phone contains the text; a phone also matches by its digits however it was typed. */
function searchCondition(search: string): SQL | undefined {
  const pattern = `%${escapeLike(search)}%`;
  const digits = search.replace(/\D/g, '');
  const conditions = [
    ilike(members.firstName, pattern),
    ilike(members.lastName, pattern),
    sql`(${members.firstName} || ' ' || ${members.lastName}) ilike ${pattern}`,
    ilike(members.email, pattern),
    ilike(members.phone, pattern),
  ];
  if (digits.length >= 3) {
    conditions.push(like(members.phone, `%${digits}%`));
    // A national number typed with its trunk zero (07700 900123) is stored without it (+447700900123).
    if (digits.startsWith('0')) conditions.push(like(members.phone, `%${digits.slice(1)}%`));
  }
  return or(...conditions);
}

function filters(input: ListMembersInput, segment: SQL | undefined): SQL | undefined {
  return and(
    segment,
    input.search ? searchCondition(input.search) : undefined,
    input.branchId === 'none'
      ? isNull(members.branchId)
      : input.branchId
        ? eq(members.branchId, input.branchId)
        : undefined,
    input.tag ? arrayContains(members.tags, [input.tag]) : undefined,
    input.subscription ? eq(members.subscription, input.subscription) : undefined,
  );
}

/** The list's keyset: last name, first name, id (checked, so a tampered cursor is a 400 and never reaches SQL). */
const memberCursor = z.tuple([z.string().max(200), z.string().max(200), z.string().uuid()]);
const encodeCursor = (c: { lastName: string; firstName: string; id: string }) =>
  encodeKey([c.lastName, c.firstName, c.id]);
function decodeCursor(raw: string) {
  const [lastName, firstName, id] = decodeCursorAs(memberCursor, raw)!;
  return { lastName, firstName, id };
}

const DEFAULT_PAGE = 50;

/**
 * One page, ordered by last name, first name, id. `total` (matches for these filters) comes with the first page only.
 */
export async function listMembers(
  db: TenantDb,
  input: ListMembersInput,
  church: { country: string; timezone: string },
) {
  const limit = input.limit ?? DEFAULT_PAGE;
  const segment = input.segmentId
    ? await audienceWhere(db, (await getSegment(db, input.segmentId)).filter, church.timezone)
    : undefined;
  const where = filters(input, segment);
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const keyset = after
    ? sql`(lower(${members.lastName}), lower(${members.firstName}), ${members.id})
          > (lower(${after.lastName}), lower(${after.firstName}), ${after.id}::uuid)`
    : undefined;
  const rows = await db
    .select(columns)
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .where(and(where, keyset))
    // Case-insensitive, as people expect.
    .orderBy(sql`lower(${members.lastName})`, sql`lower(${members.firstName})`, asc(members.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
  const total = after ? undefined : (await db.select({ n: count() }).from(members).where(where))[0]!.n;
  return { items: page.map((r) => withPhoneDisplay(r, church.country)), nextCursor, total };
}

export async function getMember(db: TenantDb, id: string, country: string) {
  const [row] = await db
    .select(columns)
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .where(eq(members.id, id));
  if (!row) throw new NotFound('That member does not exist (they may have been deleted).');
  /** Custom-field values by field id, as the form shows them. */
  const fields = await valuesOf(db, id);
  return { ...withPhoneDisplay(row, country), fields };
}

/** Every tag some member has, alphabetically (for filters and audience pickers). */
export async function tagsInUse(db: TenantDb): Promise<string[]> {
  const rows = await db.execute<{ tag: string }>(
    sql`select distinct unnest(${members.tags}) as tag from ${members} order by 1`,
  );
  return rows.map((r) => r.tag);
}
