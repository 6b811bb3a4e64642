import { asc, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { segments, type Segment } from '@/db/tenant/schema';
import { Conflict, NotFound } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import { countAudience } from '@/server/messaging/audience';
import { describeFilter, namesFor } from './describe';
import type { AudienceFilter } from './inputs';
import { audienceWhere, checkAudience } from './where';

/**
 * Saved segments: an audience's conditions under a name, used for broadcasts and the members list. Conditions are
 * checked when saved (a field that does not exist, a value of the wrong kind), and counted afresh when used.
 */

const GONE = 'That segment does not exist.';
const taken = (name: string) => `You already have a segment called “${name}”.`;

/** Alphabetically, ignoring case, each with its conditions in words (describe.ts). */
export async function listSegments(db: TenantDb) {
  const [rows, names] = await Promise.all([
    db
      .select()
      .from(segments)
      .orderBy(asc(sql`lower(${segments.name})`)),
    namesFor(db),
  ]);
  return rows.map((s) => ({ ...s, summary: describeFilter(s.filter, names) }));
}

/** How many members meet the conditions, and how many of those may be texted: the live count beside the builder. */
export async function countFilter(db: TenantDb, filter: AudienceFilter, timezone: string) {
  const { recipients, skipped } = await countAudience(db, await audienceWhere(db, filter, timezone));
  return { members: recipients + skipped, textable: recipients };
}

export async function createSegment(db: TenantDb, input: { name: string; filter: AudienceFilter }, by: string) {
  await checkAudience(db, input.filter);
  return uniqueName(input.name, async () => {
    const [row] = await db
      .insert(segments)
      .values({ name: input.name, filter: input.filter, createdBy: by })
      .returning();
    return withSummary(db, row!);
  });
}

export async function updateSegment(db: TenantDb, input: { id: string; name?: string; filter?: AudienceFilter }) {
  if (input.filter) await checkAudience(db, input.filter);
  return uniqueName(input.name ?? '', async () => {
    const [row] = await db
      .update(segments)
      .set({ name: input.name, filter: input.filter, updatedAt: sql`now()` })
      .where(eq(segments.id, input.id))
      .returning();
    if (!row) throw new NotFound(GONE);
    return withSummary(db, row);
  });
}

/** Broadcasts sent to it keep their own copy of its conditions. */
export async function deleteSegment(db: TenantDb, id: string) {
  const [row] = await db.delete(segments).where(eq(segments.id, id)).returning({ id: segments.id });
  if (!row) throw new NotFound(GONE);
  return { ok: true as const };
}

export async function getSegment(db: TenantDb, id: string) {
  const [row] = await db.select().from(segments).where(eq(segments.id, id));
  if (!row) throw new NotFound(GONE);
  return row;
}

const withSummary = async (db: TenantDb, s: Segment) => ({
  ...s,
  summary: describeFilter(s.filter, await namesFor(db)),
});

async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, 'segments_name_unique')) throw new Conflict(taken(name));
    throw err;
  }
}
