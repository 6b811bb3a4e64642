import { Conflict, NotFound } from '@/server/domain-errors';
import { asc, count, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { branches, members } from '@/db/tenant/schema';
import { isUniqueViolation } from '@/server/errors';
import type { createBranchInput, updateBranchInput } from './inputs';

/** Branches (campuses): listed with how many members each has; names are unique ignoring case. */

const notFound = () => new NotFound('That branch does not exist (it may have been deleted).');

function nameTaken(err: unknown, name: string | undefined): never {
  if (isUniqueViolation(err, 'branches_name_idx'))
    throw new Conflict(`There is already a branch called “${name}”. Choose another name.`);
  throw err;
}

export function listBranches(db: TenantDb) {
  return db
    .select({
      id: branches.id,
      name: branches.name,
      address: branches.address,
      timezone: branches.timezone,
      memberCount: count(members.id),
      createdAt: branches.createdAt,
    })
    .from(branches)
    .leftJoin(members, eq(members.branchId, branches.id))
    .groupBy(branches.id)
    .orderBy(asc(sql`lower(${branches.name})`), asc(branches.id));
}

export async function createBranch(db: TenantDb, input: z.output<typeof createBranchInput>, churchTimezone: string) {
  const [created] = await db
    .insert(branches)
    .values({ name: input.name, address: input.address ?? null, timezone: input.timezone ?? churchTimezone })
    .returning()
    .catch((err) => nameTaken(err, input.name));
  return created!;
}

export async function updateBranch(db: TenantDb, { id, ...changes }: z.output<typeof updateBranchInput>) {
  const [updated] = await db
    .update(branches)
    .set({ ...changes, updatedAt: new Date() }) // drizzle skips undefined values: absent fields stay
    .where(eq(branches.id, id))
    .returning()
    .catch((err) => nameTaken(err, changes.name));
  if (!updated) throw notFound();
  return updated;
}

/** Its members stay, without a branch (the foreign key sets theirs to null). */
export async function deleteBranch(db: TenantDb, id: string) {
  const [deleted] = await db.delete(branches).where(eq(branches.id, id)).returning({ id: branches.id });
  if (!deleted) throw notFound();
  return { ok: true as const };
}
