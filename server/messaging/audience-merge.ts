import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, conversations, members, messages } from '@/db/tenant/schema';
import type { Tx } from '@/server/members/consent';
import type { CustomField } from '@/db/tenant/schema';
import { fieldJoins, fieldsUsedIn, spokenValues } from '@/server/custom-fields/merge';
import type { Audience } from './audience';
import { mergeFields, mergeFieldsUsed, mergeValuesOf } from './merge-fields';
import { countSegments, type SegmentCount } from './segments';

/**
 * A broadcast's text as each recipient gets it, merge fields filled in (merge-fields.ts). The composer shows it for a
 * real recipient; the segment count and cost come from the longest merged text, because one name can switch the
 * whole message to UCS-2 (segments.ts). Recipients are read grouped by the fields the text uses, so a text with no
 * fields costs one row however large the audience.
 */

type MergedText = { name: string; text: string } & SegmentCount;
type AudienceTexts = {
  /** The first recipient by name (named ones before "New contact"s), as they would get it. */
  example: MergedText | null;
  /** The text with the most segments (then the most characters): what the count and cost assume for everyone. */
  longest: MergedText | null;
  /** Recipients for whom the fields leave nothing (say `{first_name}` alone, with no fallback), and one of them. */
  empty: { count: number; name: string | null };
};

const subscribed = (a: Audience) => and(eq(members.subscription, 'subscribed'), a);

export async function audienceTexts(db: TenantDb, a: Audience, body: string, churchName: string) {
  const out: AudienceTexts = { example: null, longest: null, empty: { count: 0, name: null } };
  if (!body.trim()) return out; // nothing written yet
  const used = mergeFieldsUsed(body);
  const custom = await fieldsUsedIn(db, body);
  const byField = fieldJoins(custom);
  // The first name needs the last one too: "New contact" with no last name counts as no name (mergeValuesOf).
  const byName = used.includes('first_name') || used.includes('last_name');
  const byBranch = used.includes('branch_name');
  const fullName = sql<string>`min(trim(${members.firstName} || ' ' || ${members.lastName}))`;
  let query = db
    .select({
      firstName: byName ? members.firstName : sql<string | null>`null`,
      lastName: byName ? members.lastName : sql<string | null>`null`,
      branchName: byBranch ? branches.name : sql<string | null>`null`,
      custom: byField.values,
      name: fullName,
      count: sql<number>`count(*)::int`,
    })
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .$dynamic();
  for (const j of byField.joins) query = query.leftJoin(j.table, j.on);
  const rows = await query
    .where(subscribed(a))
    .groupBy(
      ...(byName ? [members.firstName, members.lastName] : []),
      ...(byBranch ? [branches.name] : []),
      ...byField.groupBy,
    )
    // The example is someone with a name when there is one: "New contact" previews only the fallback.
    .orderBy(sql`bool_and(${members.firstName} = 'New contact')`, fullName);

  for (const r of rows) {
    if (r.count === 0) continue; // no grouping and nobody in the audience: one empty row
    const text = mergeText(body, r, churchName, custom);
    if (!text.trim()) {
      out.empty = { count: out.empty.count + r.count, name: out.empty.name ?? r.name };
      continue;
    }
    const merged = { name: r.name, text, ...countSegments(text) };
    out.example ??= merged;
    if (!out.longest || longer(merged, out.longest)) out.longest = merged;
  }
  return out;
}

type QueuedText = { conversationId: string; phone: string; body: string; segments: number; notBefore: Date | null };

/**
 * Every subscribed recipient's own text, a page at a time in member order (for queueing a broadcast's messages
 * inside one transaction). Recipients whose text would be empty are left out and counted.
 */
export async function* recipientTexts(
  tx: Tx,
  a: Audience,
  body: string,
  churchName: string,
  /** SQL for when each recipient's text may leave (quiet-hours.ts), over members and branches. */
  hold: SQL,
  pageSize = 1000,
) {
  let after: string | null = null;
  const custom = await fieldsUsedIn(tx, body);
  const byField = fieldJoins(custom);
  for (;;) {
    let query = tx
      .select({
        memberId: members.id,
        conversationId: conversations.id,
        phone: members.phone,
        firstName: members.firstName,
        lastName: members.lastName,
        branchName: branches.name,
        custom: byField.values,
        notBefore: sql`${hold}`.mapWith(messages.notBefore),
      })
      .from(members)
      .innerJoin(conversations, eq(conversations.memberId, members.id))
      .leftJoin(branches, eq(branches.id, members.branchId))
      .$dynamic();
    for (const j of byField.joins) query = query.leftJoin(j.table, j.on);
    const page = await query
      .where(and(subscribed(a), after ? gt(members.id, after) : undefined))
      .orderBy(asc(members.id))
      .limit(pageSize);
    const texts: QueuedText[] = [];
    let empty = 0;
    for (const r of page) {
      const text = mergeText(body, r, churchName, custom);
      if (text.trim()) texts.push({ ...r, body: text, segments: countSegments(text).segments });
      else empty++;
    }
    yield { texts, empty };
    if (page.length < pageSize) return;
    after = page.at(-1)!.memberId;
  }
}

type Values = {
  firstName: string | null;
  lastName: string | null;
  branchName: string | null;
  custom: (string | null)[] | null;
};

const mergeText = (body: string, r: Values, churchName: string, custom: CustomField[]) =>
  mergeFields(body, {
    ...mergeValuesOf({
      firstName: r.firstName ?? undefined,
      lastName: r.lastName ?? undefined,
      branchName: r.branchName,
      churchName,
    }),
    ...spokenValues(custom, r.custom ?? []),
  });

const longer = (a: SegmentCount, b: SegmentCount) =>
  a.segments > b.segments || (a.segments === b.segments && a.units > b.units);
