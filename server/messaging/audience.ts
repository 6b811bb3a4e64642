import { and, arrayContains, eq, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { members, segments, type Broadcast } from '@/db/tenant/schema';
import { audienceWhere } from '@/server/audiences/where';
import { Invalid } from '@/server/domain-errors';
import type { AudienceInput } from './inputs';

/**
 * Who a broadcast is for, as one condition over members (undefined: everyone). Unsubscribed members are counted,
 * never texted. A broadcast keeps its audience as chosen: everyone, a branch, a tag, or conditions (a saved segment's
 * are copied in, so changing the segment later does not change a broadcast already written).
 */
export type Audience = SQL | undefined;

type Stored = Pick<Broadcast, 'audience' | 'branchId' | 'tag' | 'filter' | 'segmentName'>;

/** The broadcast's columns for an audience as the composer sends it. */
export async function storedAudience(db: TenantDb, a: AudienceInput): Promise<Stored> {
  const none = { branchId: null, tag: null, filter: null, segmentName: null };
  switch (a.type) {
    case 'all':
      return { ...none, audience: 'all' };
    case 'branch':
      return { ...none, audience: 'branch', branchId: a.branchId };
    case 'tag':
      return { ...none, audience: 'tag', tag: a.tag };
    case 'filter':
      return { ...none, audience: 'filter', filter: a.filter };
    case 'segment': {
      const [segment] = await db.select().from(segments).where(eq(segments.id, a.segmentId));
      if (!segment) throw new Invalid('That segment no longer exists. Choose another.', 'audience');
      return { ...none, audience: 'filter', filter: segment.filter, segmentName: segment.name };
    }
  }
}

/**
 * The condition for a stored audience (`timezone`: the church's, for first visits). A branch audience whose branch
 * was deleted reaches nobody.
 */
export function audienceOf(db: TenantDb, b: Stored, timezone: string): Promise<Audience> {
  if (b.audience === 'filter') return audienceWhere(db, b.filter ?? {}, timezone);
  if (b.audience === 'branch') return Promise.resolve(b.branchId ? eq(members.branchId, b.branchId) : sql`false`);
  if (b.audience === 'tag') return Promise.resolve(b.tag ? arrayContains(members.tags, [b.tag]) : sql`false`);
  return Promise.resolve(undefined);
}

export async function countAudience(db: TenantDb, a: Audience) {
  const [row] = await db
    .select({
      recipients: sql<number>`count(*) filter (where ${members.subscription} = 'subscribed')::int`,
      skipped: sql<number>`count(*) filter (where ${members.subscription} <> 'subscribed')::int`,
    })
    .from(members)
    .where(and(a));
  return row!;
}
