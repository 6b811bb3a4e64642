import { eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { admins, teamSecurity } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { Precondition } from '@/server/domain-errors';

/** Whether the church requires two-factor sign-in of everyone on its team (one row; none means no). */
export async function teamRequiresTwoFactor(db: Pick<TenantDb, 'select'>) {
  const [row] = await db.select({ required: teamSecurity.requireTwoFactor }).from(teamSecurity);
  return row?.required ?? false;
}

/**
 * The owner turns the requirement on or off. On needs the owner's own two-factor sign-in first, so the person
 * requiring it has shown it works; teammates without it are asked to set it up before anything else.
 */
export async function setTeamRequirement(db: TenantDb, ownerId: string, required: boolean) {
  if (required) {
    const [me] = await db.select({ on: admins.totpEnabledAt }).from(admins).where(eq(admins.id, ownerId));
    if (!me?.on) throw new Precondition('Turn on two-factor sign-in for yourself first.', '/account#two-factor');
  }
  await db.transaction(async (tx) => {
    await tx
      .insert(teamSecurity)
      .values({ id: 1, requireTwoFactor: required, updatedBy: ownerId })
      .onConflictDoUpdate({
        target: teamSecurity.id,
        set: { requireTwoFactor: required, updatedBy: ownerId, updatedAt: sql`now()` },
      });
    await record(tx, { action: 'security.team_two_factor', by: { adminId: ownerId }, details: { required } });
  });
  return { required, withoutTwoFactor: await teammatesWithout(db) };
}

/** How many of the team have not set it up yet (told to the owner when requiring it). */
async function teammatesWithout(db: TenantDb) {
  const [row] = await db
    .select({ n: sql<number>`count(*) filter (where ${admins.totpEnabledAt} is null)::int` })
    .from(admins);
  return row?.n ?? 0;
}
