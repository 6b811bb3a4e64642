import { and, asc, eq, max, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { keywordOutcome, keywords, keywordUses, type KeywordOutcome } from '@/db/tenant/schema';
import { dayWindow, lastDays } from '@/server/church/days';
import { Conflict, NotFound } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import type { CreateKeywordInput, UpdateKeywordInput } from './inputs';
import { requireKnownFields } from '@/server/custom-fields/merge';

/** A church's keywords: the list with how each is doing, changes to them, and one keyword's last 30 days. */

const GONE = 'That keyword does not exist.';
const STATS_DAYS = 30;
const taken = (word: string) => `You already have the keyword ${word}.`;
const recent = sql`now() - interval '30 days'`;

/** Every keyword, alphabetically, with its uses and the members it brought in over the last 30 days. */
export function listKeywords(db: TenantDb) {
  const lately = sql`${keywordUses.createdAt} > ${recent}`;
  return db
    .select({
      id: keywords.id,
      word: keywords.word,
      reply: keywords.reply,
      addTags: keywords.addTags,
      createdAt: keywords.createdAt,
      updatedAt: keywords.updatedAt,
      uses30d: sql<number>`count(${keywordUses.id}) filter (where ${lately})::int`,
      newMembers30d: sql<number>`count(${keywordUses.id}) filter (where ${lately} and ${keywordUses.newMember})::int`,
      lastUsedAt: max(keywordUses.createdAt),
    })
    .from(keywords)
    .leftJoin(keywordUses, eq(keywordUses.keywordId, keywords.id))
    .groupBy(keywords.id)
    .orderBy(asc(keywords.word));
}

export async function createKeyword(db: TenantDb, input: CreateKeywordInput, adminId: string) {
  await requireKnownFields(db, input.reply, 'reply');
  try {
    const [row] = await db
      .insert(keywords)
      .values({ word: input.keyword, reply: input.reply, addTags: input.addTags ?? [], createdBy: adminId })
      .returning();
    return row!;
  } catch (err) {
    if (isUniqueViolation(err, 'keywords_word_unique')) throw new Conflict(taken(input.keyword));
    throw err;
  }
}

export async function updateKeyword(db: TenantDb, input: UpdateKeywordInput) {
  await requireKnownFields(db, input.reply, 'reply');
  try {
    const [row] = await db
      .update(keywords)
      .set({ word: input.keyword, reply: input.reply, addTags: input.addTags, updatedAt: sql`now()` })
      .where(eq(keywords.id, input.id))
      .returning();
    if (!row) throw new NotFound(GONE);
    return row;
  } catch (err) {
    if (isUniqueViolation(err, 'keywords_word_unique')) throw new Conflict(taken(input.keyword!));
    throw err;
  }
}

/** Its uses stay in the threads, by word ("joined via JOIN"). */
export async function deleteKeyword(db: TenantDb, id: string) {
  const [row] = await db.delete(keywords).where(eq(keywords.id, id)).returning({ id: keywords.id });
  if (!row) throw new NotFound(GONE);
  return { ok: true };
}

/** One keyword's uses and new members per day for the last 30 days, in the church's timezone, and the latest uses. */
export async function keywordStats(db: TenantDb, id: string, timezone: string) {
  const [keyword] = await db.select({ word: keywords.word }).from(keywords).where(eq(keywords.id, id));
  if (!keyword) throw new NotFound(GONE);
  const { day, inWindow } = dayWindow(keywordUses.createdAt, timezone, STATS_DAYS);
  const rows = await db
    .select({
      day,
      uses: sql<number>`count(*)::int`,
      newMembers: sql<number>`count(*) filter (where ${keywordUses.newMember})::int`,
    })
    .from(keywordUses)
    .where(and(eq(keywordUses.keywordId, id), inWindow))
    .groupBy(sql`1`);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days = lastDays(STATS_DAYS, timezone).map((d) => ({
    day: d,
    uses: byDay.get(d)?.uses ?? 0,
    newMembers: byDay.get(d)?.newMembers ?? 0,
  }));
  const outcomes = await db
    .select({ outcome: keywordUses.outcome, n: sql<number>`count(*)::int` })
    .from(keywordUses)
    .where(eq(keywordUses.keywordId, id))
    .groupBy(keywordUses.outcome);
  return {
    word: keyword.word,
    days,
    uses30d: days.reduce((n, d) => n + d.uses, 0),
    newMembers30d: days.reduce((n, d) => n + d.newMembers, 0),
    /** Since the keyword was made: how many texts of it joined someone, found them subscribed, found them opted out. */
    allTime: Object.fromEntries(
      keywordOutcome.enumValues.map((o) => [o, outcomes.find((r) => r.outcome === o)?.n ?? 0]),
    ) as Record<KeywordOutcome, number>,
  };
}
