import { and, arrayContains, eq, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { members, type Broadcast } from '@/db/tenant/schema';

/**
 * Who a broadcast is for: everyone, one branch, or everyone with a tag. Unsubscribed members are counted, never
 * texted.
 */
export type Audience = Pick<Broadcast, 'audience' | 'branchId' | 'tag'>;

export function audienceWhere(a: Audience): SQL | undefined {
  if (a.audience === 'branch') return a.branchId ? eq(members.branchId, a.branchId) : sql`false`;
  if (a.audience === 'tag') return a.tag ? arrayContains(members.tags, [a.tag]) : sql`false`;
  return undefined;
}

export async function countAudience(db: TenantDb, a: Audience) {
  const [row] = await db
    .select({
      recipients: sql<number>`count(*) filter (where ${members.subscription} = 'subscribed')::int`,
      skipped: sql<number>`count(*) filter (where ${members.subscription} <> 'subscribed')::int`,
    })
    .from(members)
    .where(and(audienceWhere(a)));
  return row!;
}
