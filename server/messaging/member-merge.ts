import { eq } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, members } from '@/db/tenant/schema';
import type { Tx } from '@/server/members/consent';
import { customValuesFor } from '@/server/custom-fields/merge';
import { mergeValuesOf, type MergeValues } from './merge-fields';

/** One member's values for the fields a text uses, read from the church's database (see mergeValuesOf). */
export async function memberMergeValues(
  db: TenantDb | Tx,
  memberId: string,
  churchName: string,
  text: string,
): Promise<MergeValues> {
  const [row] = await db
    .select({ firstName: members.firstName, lastName: members.lastName, branchName: branches.name })
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .where(eq(members.id, memberId));
  return { ...mergeValuesOf({ ...row, churchName }), ...(await customValuesFor(db, memberId, text)) };
}
