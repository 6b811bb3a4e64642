import { and, asc, eq, isNull } from 'drizzle-orm';
import { adminEmailIndex } from '@/db/registry/schema';
import type { ChurchScope, TenantDb } from '@/db/tenant';
import { admins, invites, type AdminRole } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { Conflict, Invalid, NotFound } from '@/server/domain-errors';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { createInvite } from './invites';

/**
 * The people on a church's team (who can sign in), as opposed to its members (who are texted). Roles and who may
 * change them are in server/auth/permissions.ts; nobody changes or removes themselves, so a church keeps its owner.
 */

const NOT_ON_TEAM = 'That person is not on your team.';

/** Everyone who can sign in, oldest first. */
export function teammates(db: TenantDb) {
  return db
    .select({ id: admins.id, name: admins.name, email: admins.email, role: admins.role })
    .from(admins)
    .orderBy(asc(admins.createdAt));
}

/** Everyone who can sign in, and the invitations not yet accepted. */
export async function teamWithInvites(db: TenantDb) {
  const pending = db
    .select({ id: invites.id, email: invites.email, role: invites.role, expiresAt: invites.expiresAt })
    .from(invites)
    .where(isNull(invites.acceptedAt))
    .orderBy(asc(invites.createdAt));
  const [members, waiting] = await Promise.all([teammates(db), pending]); // two reads, one round of waiting
  return { members, invites: waiting };
}

/** Invite by email: each invitation emails a stranger, so a church sends only a few an hour. */
export async function inviteTeammate(
  services: Parameters<typeof createInvite>[0] & Pick<Services, 'throttle'>,
  { db, tenantId }: ChurchScope,
  input: { email: string; role: Exclude<AdminRole, 'owner'> },
  invitedBy: string,
) {
  await services.throttle.inviteAttempt(tenantId);
  const [member] = await db.select({ id: admins.id }).from(admins).where(eq(admins.email, input.email));
  if (member) throw new Conflict('This person is already on your team.');
  return createInvite(services, db, { tenantId, adminId: invitedBy }, input);
}

export async function changeRole(db: TenantDb, by: string, input: { adminId: string; role: AdminRole }) {
  if (input.adminId === by) throw new Invalid('You cannot change your own role.');
  return db.transaction(async (tx) => {
    // The role before, read under the row's lock: the log says "from staff to admin".
    const [before] = await tx
      .select({ role: admins.role })
      .from(admins)
      .where(eq(admins.id, input.adminId))
      .for('update');
    const [changed] = await tx
      .update(admins)
      .set({ role: input.role, updatedAt: new Date() })
      .where(eq(admins.id, input.adminId))
      .returning({ name: admins.name });
    if (!before || !changed) throw new NotFound(NOT_ON_TEAM);
    await record(tx, {
      action: 'team.role_changed',
      by: { adminId: by },
      subject: changed.name,
      details: { adminId: input.adminId, from: before.role, to: input.role },
    });
    return { ok: true };
  });
}

/** Removal deletes the admin, frees their email for another church, and ends their sessions everywhere. */
export async function removeTeammate(
  { registry, sessions }: Pick<Services, 'registry' | 'sessions'>,
  { db, tenantId }: ChurchScope,
  by: string,
  adminId: string,
) {
  if (adminId === by) throw new Invalid('You cannot remove yourself.');
  const removed = await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(admins)
      .where(eq(admins.id, adminId))
      .returning({ name: admins.name, email: admins.email, role: admins.role });
    if (!gone) throw new NotFound(NOT_ON_TEAM);
    await record(tx, {
      action: 'team.removed',
      by: { adminId: by },
      subject: gone.name,
      details: { adminId, email: gone.email, role: gone.role },
    });
    return gone;
  });
  const freed = registry.db
    .delete(adminEmailIndex)
    .where(and(eq(adminEmailIndex.email, removed.email), eq(adminEmailIndex.tenantId, tenantId)));
  await withDeadline(freed, registry.timeoutMs);
  await sessions.revokeAdmin(tenantId, adminId);
  return { ok: true };
}
